#include "agents/unit/fault/fault.h"

namespace skein::agent::fault {
namespace {

constexpr Point kPoints[] = {Point::kDuringHook, Point::kAfterHookBeforeCommit, Point::kAfterCommitBeforePersist,
                             Point::kDuringAction, Point::kDuringCharmSwap};

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
  return skein::fault::ParseSpec(kEnvVar, agent_dir, text, kPoints);
}

bool Injector::Armed(Point point, const std::string& name) const { return armed_.Armed(point, name); }

void Injector::Reached(Point point, const std::string& name) const { armed_.Reached(point, name); }

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
