#pragma once

// Runs hooks of built-in charms in process (DESIGN §5): when the unit's charm directory holds
// `skein-builtin` naming a registered charm, a hook is one call into that charm with the
// uniter's hook context; no process, no hook tools. Any other charm directory goes to the
// fallback runner (the charm's own dispatch or hooks).

#include <functional>
#include <map>
#include <string>

#include "agents/sdk/registry.h"
#include "agents/sdk/substrate.h"
#include "agents/unit/hook/hook_context.h"
#include "agents/unit/hook/runner.h"

namespace skein::sdk {

class BuiltinCharmRunner : public agent::HookRunner {
 public:
  // The live hook context for a JUJU_CONTEXT_ID (the uniter publishes it before Run).
  using ContextResolver = std::function<agent::HookContext*(const std::string& context_id)>;

  // All pointers must outlive the runner.
  BuiltinCharmRunner(const CharmRegistry* registry, std::string charm_dir, ContextResolver resolve,
                     Substrate* substrate, agent::HookRunner* fallback);

  agent::HookOutcome Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                         const OutputFn& output) override;
  void Kill() override;

  // The built-in charm named by `charm_dir`'s marker when this registry has it, else empty.
  static std::string BuiltinName(const std::string& charm_dir, const CharmRegistry& registry);

 private:
  const CharmRegistry* registry_;
  const std::string charm_dir_;
  ContextResolver resolve_;
  Substrate* substrate_;
  agent::HookRunner* fallback_;
};

// Runs one event of `charm` against a context: Setup, then Dispatch. The unit test entry point.
absl::Status RunCharmEvent(Charm& charm, const Event& event, Model& model);

}  // namespace skein::sdk
