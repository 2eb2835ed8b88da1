#include "agents/unit/fault/fault.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace skein::agent::fault {
namespace {

constexpr Point kPoints[] = {Point::kDuringHook, Point::kAfterHookBeforeCommit, Point::kAfterCommitBeforePersist,
                             Point::kDuringAction, Point::kDuringCharmSwap};

std::string MarkerPath(const Spec& spec) { return absl::StrCat(spec.agent_dir, "/fault-fired-", PointName(*spec.point)); }

}  // namespace

const char* PointName(Point point) {
  switch (point) {
    case Point::kDuringHook:
      return "during-hook";
    case Point::kAfterHookBeforeCommit:
      return "after-hook-before-commit";
    case Point::kAfterCommitBeforePersist:
      return "after-commit-before-persist";
    case Point::kDuringAction:
      return "during-action";
    case Point::kDuringCharmSwap:
      return "during-charm-swap";
  }
  return "";
}

absl::StatusOr<Spec> ParseSpec(const std::string& agent_dir, const std::string& text) {
  Spec spec;
  spec.agent_dir = agent_dir;
  if (text.empty()) return spec;
  const size_t colon = text.find(':');
  const std::string point = text.substr(0, colon);
  for (Point p : kPoints) {
    if (point == PointName(p)) spec.point = p;
  }
  if (!spec.point) return absl::InvalidArgumentError(absl::StrCat(kEnvVar, ": unknown fault point \"", point, "\""));
  if (colon != std::string::npos) spec.name = text.substr(colon + 1);
  return spec;
}

bool Injector::Armed(Point point, const std::string& name) const {
  if (spec_.point != point) return false;
  if (!spec_.name.empty() && spec_.name != name) return false;
  return ::access(MarkerPath(spec_).c_str(), F_OK) != 0;
}

void Injector::Reached(Point point, const std::string& name) const {
  if (!Armed(point, name)) return;
  int fd = ::open(MarkerPath(spec_).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd >= 0) {
    std::string line = name + "\n";
    ssize_t n = ::write(fd, line.data(), line.size());
    (void)n;
    ::fsync(fd);
    ::close(fd);
  }
  spdlog::warn("fault {} reached for {}: killing the agent", PointName(point), name);
  spdlog::default_logger()->flush();
  ::kill(::getpid(), SIGKILL);
  ::pause();
}

void Injector::ToolCalled(const std::string& context_id, const std::string& hook, const std::string& action) {
  const Point point = action.empty() ? Point::kDuringHook : Point::kDuringAction;
  const std::string& name = action.empty() ? hook : action;
  if (!Armed(point, name)) return;
  int calls = 0;
  {
    MutexLock lock(mu_);
    calls = ++tool_calls_[context_id];
  }
  if (calls >= 2) Reached(point, name);
}

}  // namespace skein::agent::fault
