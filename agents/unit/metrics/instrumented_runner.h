#pragma once

// A HookRunner that times every hook and action the wrapped runner runs and records them in
// AgentMetrics. The uniter keeps using the HookRunner interface, so metrics need no change in
// the operations.

#include <map>
#include <string>

#include "agents/unit/hook/runner.h"
#include "agents/unit/metrics/agent_metrics.h"
#include "lib/base/clock.h"

namespace skein::agent::metrics {

class InstrumentedRunner : public HookRunner {
 public:
  // Nothing is owned; all must outlive this runner. Durations are measured on `clock`'s
  // monotonic time, so that a wall-clock step during a hook cannot produce a bogus duration.
  InstrumentedRunner(HookRunner* inner, AgentMetrics* metrics, const Clock& clock)
      : inner_(inner), metrics_(metrics), clock_(clock) {}

  // Runs through the wrapped runner and records the result: an action by its name when the
  // invocation runs one, else a hook. kFailed counts as an error; kMissing counts as a
  // successful run, as it does for the uniter; kKilled is not recorded, since the hook runs
  // again later.
  HookOutcome Run(const HookInvocation& invocation, const OutputFn& output) override;
  void Kill() override { inner_->Kill(); }

 private:
  HookRunner* const inner_;
  AgentMetrics* const metrics_;
  const Clock& clock_;
};

}  // namespace skein::agent::metrics
