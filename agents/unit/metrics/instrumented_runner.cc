#include "agents/unit/metrics/instrumented_runner.h"

#include <chrono>

namespace skein::agent::metrics {

HookOutcome InstrumentedRunner::Run(const HookInvocation& invocation, const OutputFn& output) {
  // steady_clock, because a wall-clock step during a hook must not produce a bogus duration.
  const auto start = std::chrono::steady_clock::now();
  HookOutcome outcome = inner_->Run(invocation, output);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
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
