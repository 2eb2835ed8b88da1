#pragma once

// A HookRunner that times every hook and action the wrapped runner runs and records them in
// AgentMetrics. The uniter keeps using the HookRunner interface, so metrics need no change in
// the operations.

#include <map>
#include <string>

#include "agents/unit/hook/runner.h"
#include "agents/unit/metrics/agent_metrics.h"

namespace skein::agent::metrics {

class InstrumentedRunner : public HookRunner {
 public:
  // Neither pointer is owned; both must outlive this runner.
  InstrumentedRunner(HookRunner* inner, AgentMetrics* metrics) : inner_(inner), metrics_(metrics) {}

  // Runs through the wrapped runner and records the result: an action by its name when the
  // invocation runs one, else a hook. kFailed counts as an error; kMissing counts as a
  // successful run, as it does for the uniter; kKilled is not recorded, since the hook runs
  // again later.
  HookOutcome Run(const HookInvocation& invocation, const OutputFn& output) override;
  void Kill() override { inner_->Kill(); }

 private:
  HookRunner* const inner_;
  AgentMetrics* const metrics_;
};

}  // namespace skein::agent::metrics
