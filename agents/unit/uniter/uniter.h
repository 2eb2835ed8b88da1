#pragma once

// The uniter loop (DESIGN §5; Juju worker/uniter): remote state (RemoteStateWatcher) + local
// state (LocalStateStore) -> resolver::NextOp -> an Operation run through the executor. The
// loop is the only place that blocks waiting for something new: a snapshot, the update-status
// timer, or Stop().

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agents/unit/api/agent_client.h"
#include "agents/unit/hook/environment.h"
#include "agents/unit/hook/runner.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "agents/unit/local_state/store.h"
#include "agents/unit/operation/operation.h"
#include "agents/unit/remote_state/watcher.h"
#include "agents/unit/resolver/resolver.h"
#include "agents/unit/resolver/workload_events.h"
#include "agents/unit/uniter/hook_retry.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::agent {

struct UniterConfig {
  std::string unit;       // `app/0`
  std::string agent_dir;     // holds charm/, tools/
  std::string agent_socket;  // the hook-tool socket (lib/base/runtime_dir.h), JUJU_AGENT_SOCKET_ADDRESS
  // The unit's model (agent.conf). When set, Login refuses a controller that places the unit's
  // credential in another model; empty: whatever Login says.
  std::string model_uuid;
  std::string machine_id;
  std::string api_addresses;  // for JUJU_API_ADDRESSES
  std::string agent_path;     // appended to the hooks' PATH after the tools dir
  // update-status interval when the model config does not say (`update-status-hook-interval`).
  std::chrono::milliseconds default_update_status_interval = std::chrono::minutes(5);
  // Automatic retry of a failed hook (model config automatically-retry-hooks); tests shorten it.
  HookRetryPolicy hook_retry;
  // Crash points armed by the crash-recovery tests (SKEIN_AGENT_FAULT, read by main()); not
  // owned. nullptr: none.
  const fault::Injector* faults = nullptr;
  // The containers of a sidecar charm and their events (agents/unit/pebble/pebble_host.h); not
  // owned. nullptr: no workload hooks.
  WorkloadEvents* workload_events = nullptr;
  // Added to every hook's environment (UnitEnvironment::substrate_env).
  std::map<std::string, std::string> substrate_env;
};

class Uniter {
 public:
  enum class Exit {
    kStopped,   // Stop() was called
    kUnitDead,  // the unit ran remove and the controller marked it dead
    kUnitGone,  // the controller no longer knows the unit
  };

  // `client`, `store`, `runner` and `clock` must outlive the uniter. The update-status timer,
  // the hook retry timer and every pause between attempts run on `clock`.
  Uniter(UniterConfig config, AgentClient* client, LocalStateStore* store, HookRunner* runner, Clock& clock);
  ~Uniter();

  // Runs until the unit is dead or gone, or Stop(). Errors: those of the local state store
  // (Internal, InvalidArgument), Unauthenticated/PermissionDenied from Login, FailedPrecondition
  // when Login places the unit in another model than `model_uuid`.
  absl::StatusOr<Exit> Run();
  // Thread-safe (also from a signal-handling thread): stops the loop and kills a running hook.
  void Stop();

  // The live context of the running hook with this JUJU_CONTEXT_ID, or nullptr. For the tool
  // server.
  HookContext* ResolveContext(const std::string& context_id);

 private:
  absl::Status Login(LocalState& state);
  void Notify() ABSL_LOCKS_EXCLUDED(mu_);
  // Waits until a new snapshot, Stop(), or `deadline`. True when stopping.
  bool WaitForChange(uint64_t seen_generation, Clock::TimePoint deadline) ABSL_LOCKS_EXCLUDED(mu_);
  bool Pause(std::chrono::milliseconds duration) ABSL_LOCKS_EXCLUDED(mu_);
  void PublishContext(std::shared_ptr<UnitHookContext> context);
  std::chrono::milliseconds UpdateStatusInterval(const v1::UnitSnapshot& snapshot) const;
  void ReportIdle();
  // Tells the workload event source which containers the charm on disk declares, once per charm.
  void UpdateContainers(const LocalState& state);
  // Acts on a `skein resolved` request for the failed hook: records and acknowledges it; for
  // --no-retry also records the hook as done without running it. Returns true when the hook
  // is to be run again now.
  absl::StatusOr<bool> ApplyResolve(LocalState& state, const resolver::Op& op);
  // Acknowledges a resolve request that came while no hook was in error.
  absl::Status AcknowledgeStaleResolve(LocalState& state, const v1::UnitSnapshot& snapshot);

  const UniterConfig config_;
  // The last snapshot acknowledged (Agent.AckSnapshot); only the Run loop touches it.
  std::shared_ptr<const v1::UnitSnapshot> acknowledged_;
  AgentClient* const client_;
  LocalStateStore* const store_;
  HookRunner* const runner_;
  Clock& clock_;
  RemoteStateWatcher watcher_;
  OperationDeps deps_;

  Mutex mu_;
  CondVar cv_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by every snapshot
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  Mutex context_mu_;
  // The running hook's, for the tool server.
  std::shared_ptr<UnitHookContext> context_ ABSL_GUARDED_BY(context_mu_);
  // The previous hook's context, kept alive a little longer for a tool call still in flight.
  std::shared_ptr<UnitHookContext> retired_context_ ABSL_GUARDED_BY(context_mu_);

  bool idle_reported_ = false;
  // The charm (sha256) whose containers the workload event source was last given.
  std::optional<std::string> containers_of_charm_;
  HookRetryTimer retry_timer_;
  const fault::Injector no_faults_;
};

// The update-status interval for a model config: update-status-hook-interval as Go's
// time.ParseDuration reads it (the parser the controller validates it with), or `fallback` when
// the key is missing, malformed or not positive.
std::chrono::milliseconds UpdateStatusIntervalFrom(const google::protobuf::Map<std::string, std::string>& model_config,
                                                   std::chrono::milliseconds fallback);

}  // namespace skein::agent
