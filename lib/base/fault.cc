#include "lib/base/fault.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace skein::fault::internal {
namespace {

std::string MarkerPath(const std::string& dir, absl::string_view point) {
  return absl::StrCat(dir, "/fault-fired-", point);
}

}  // namespace

std::pair<std::string, std::string> SplitSpec(absl::string_view text) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos) return {std::string(text), ""};
  return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

absl::Status UnknownPoint(absl::string_view env_var, absl::string_view point) {
  return absl::InvalidArgumentError(absl::StrCat(env_var, ": unknown fault point \"", point, "\""));
}

bool Fired(const std::string& dir, absl::string_view point) {
  return ::access(MarkerPath(dir, point).c_str(), F_OK) == 0;
}

void Fire(const std::string& dir, absl::string_view point, absl::string_view name, absl::string_view process) {
  int fd = ::open(MarkerPath(dir, point).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    std::string line = absl::StrCat(name, "\n");
    ssize_t n = ::write(fd, line.data(), line.size());
    (void)n;
    ::fsync(fd);
    ::close(fd);
  }
  spdlog::warn("fault {} reached for {}: killing the {}", std::string(point), std::string(name), std::string(process));
  spdlog::default_logger()->flush();
  ::kill(::getpid(), SIGKILL);
  for (;;) ::pause();
}

}  // namespace skein::fault::internal
