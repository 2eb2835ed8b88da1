#pragma once

// Runs hooks of built-in charms in process (DESIGN §5): when the unit's charm directory holds
// `skein-builtin` naming a registered charm, a hook is one call into that charm with the
// typed hook and the live hook context the operation hands over; no process, no hook tools,
// no environment. Any other charm directory goes to the fallback runner (the charm's own
// dispatch or hooks), which gets the JUJU_* environment.

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agents/sdk/registry.h"
#include "agents/sdk/substrate.h"
#include "agents/unit/hook/hook_context.h"
#include "agents/unit/hook/runner.h"
#include "lib/charm/metadata.h"

namespace skein::sdk {

class BuiltinCharmRunner : public agent::HookRunner {
 public:
  // All pointers must outlive the runner.
  BuiltinCharmRunner(const CharmRegistry* registry, std::string charm_dir, Substrate* substrate,
                     agent::HookRunner* fallback);

  // Called by the uniter's thread only (one hook at a time).
  agent::HookOutcome Run(const agent::HookInvocation& invocation, const OutputFn& output) override;
  void Kill() override;

  // The built-in charm named by `charm_dir`'s marker when this registry has it, else empty.
  static std::string BuiltinName(const std::string& charm_dir, const CharmRegistry& registry);

 private:
  // What the charm directory holds, read once per charm: the built-in charm it names (empty
  // for a directory charm) and, for a built-in one, its parsed metadata.yaml.
  struct CharmOnDisk {
    std::string sha256;
    std::string builtin;
    absl::StatusOr<charm::Metadata> metadata = absl::UnknownError("not read");
  };
  // The charm on disk for the invocation's charm SHA-256, read again when it changes (an
  // upgrade may switch between built-in and directory charms) or is unknown.
  const CharmOnDisk& Inspect(const std::string& charm_sha256);

  const CharmRegistry* registry_;
  const std::string charm_dir_;
  Substrate* substrate_;
  agent::HookRunner* fallback_;
  std::optional<CharmOnDisk> charm_;
};

// Runs one event of `charm` against a context: Setup, then Dispatch. The unit test entry point.
absl::Status RunCharmEvent(Charm& charm, const Event& event, Model& model);

}  // namespace skein::sdk
