#include "tools/cli/bootstrap/controller_port.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/process/tcp_listen.h"

namespace skein::cli::bootstrap {
namespace {

constexpr int kEphemeralDefault = 32768;
// Below this are the well-known and commonly configured service ports.
constexpr int kLowest = 10000;
constexpr int kTries = 64;

}  // namespace

int EphemeralPortStart(const std::string& range_text) {
  std::istringstream in(range_text);
  int first = 0;
  if (!(in >> first) || first < 1 || first > 65535) return kEphemeralDefault;
  return first;
}

PortRange ControllerPortRange(int ephemeral_start) {
  const int end = std::min(ephemeral_start, kEphemeralDefault);  // exclusive
  // A host whose ephemeral range starts very low leaves nothing below it worth using; the
  // ports under 32768 are then the best there is.
  if (end - kLowest < 1000) return {kLowest, kEphemeralDefault - 1};
  return {kLowest, end - 1};
}

PortRange HostControllerPortRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  std::stringstream text;
  text << in.rdbuf();
  return ControllerPortRange(EphemeralPortStart(text.str()));
}

absl::StatusOr<int> PickControllerPort(const PortRange& range, std::mt19937& rng) {
  std::uniform_int_distribution<int> port(range.first, range.last);
  for (int i = 0; i < kTries; ++i) {
    const int candidate = port(rng);
    if (process::CheckCanListen(absl::StrCat("127.0.0.1:", candidate)).ok()) return candidate;
  }
  return absl::UnavailableError(absl::StrCat("no free port for the controller on 127.0.0.1 between ", range.first,
                                             " and ", range.last, " after ", kTries, " tries"));
}

}  // namespace skein::cli::bootstrap
