#include "agents/unit/metrics/instrumented_runner.h"

#include <chrono>

namespace skein::agent::metrics {

HookOutcome InstrumentedRunner::Run(const HookInvocation& invocation, const OutputFn& output) {
  const Clock::TimePoint start = clock_.Now();
  HookOutcome outcome = inner_->Run(invocation, output);
  const double seconds = std::chrono::duration<double>(clock_.Now() - start).count();
  if (outcome.kind == HookOutcome::Kind::kKilled) return outcome;
  const bool failed = outcome.kind == HookOutcome::Kind::kFailed;
  if (!invocation.action.empty()) {
    metrics_->ActionFinished(invocation.action, seconds, failed);
  } else {
    metrics_->HookFinished(invocation.name, seconds, failed);
  }
  return outcome;
}

}  // namespace skein::agent::metrics
