#include "agents/unit/metrics/instrumented_runner.h"

#include <chrono>

namespace skein::agent::metrics {

HookOutcome InstrumentedRunner::Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                                    const OutputFn& output) {
  const Clock::TimePoint start = clock_.Now();
  HookOutcome outcome = inner_->Run(hook_name, env, output);
  const double seconds = std::chrono::duration<double>(clock_.Now() - start).count();
  if (outcome.kind == HookOutcome::Kind::kKilled) return outcome;
  const bool failed = outcome.kind == HookOutcome::Kind::kFailed;
  auto action = env.find("JUJU_ACTION_NAME");
  if (action != env.end() && !action->second.empty()) {
    metrics_->ActionFinished(action->second, seconds, failed);
  } else {
    metrics_->HookFinished(hook_name, seconds, failed);
  }
  return outcome;
}

}  // namespace skein::agent::metrics
