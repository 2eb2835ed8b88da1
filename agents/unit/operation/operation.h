#pragma once

// Operations of the uniter (architecture-anchors "Concrete examples" 1; Juju
// worker/uniter/operation): each runs in three steps, Prepare, Execute and Commit, and the
// executor persists the local state after every step, so that a crash at any point resumes
// correctly: a hook that was running runs again; a hook whose CommitHook was acknowledged
// (the controller's last_commit_seq says so) is only recorded, never run twice.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agents/unit/api/agent_client.h"
#include "agents/unit/fault/fault.h"
#include "agents/unit/hook/environment.h"
#include "agents/unit/hook/runner.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "agents/unit/local_state/local_state.h"
#include "agents/unit/local_state/store.h"
#include "agents/unit/resolver/resolver.h"
#include "lib/base/clock.h"
#include "skein/v1/agent.pb.h"
#include "spdlog/logger.h"

namespace skein::agent {

// What operations need from the agent around them.
struct OperationDeps {
  AgentClient* client = nullptr;
  HookRunner* runner = nullptr;
  std::string unit;         // `app/0`
  std::string application;  // `app`
  std::string charm_dir;
  UnitEnvironment environment;  // constant part of every hook's environment
  // The latest snapshot (never nullptr while operations run).
  std::function<std::shared_ptr<const v1::UnitSnapshot>()> latest;
  // Publishes the context of the running hook to the tool server (nullptr: none).
  std::function<void(std::shared_ptr<UnitHookContext>)> publish_context;
  // Waits up to the given time or until the agent shuts down; true when shutting down.
  std::function<bool(std::chrono::milliseconds)> pause;
  // A logger for a module (`unit.app/0.install`); lines go to the log file and the controller.
  std::function<std::shared_ptr<spdlog::logger>(const std::string& module)> logger;
  // The agent's clock (the uniter passes its own).
  const Clock* clock = &RealClock();
  // The crash points of the crash-recovery tests (never nullptr; nothing armed in production).
  const fault::Injector* faults = nullptr;
};

// Where a hook's or a task's juju-log lines go: the unit's `juju-log` module at the level the
// charm gave (`--log-level WARNING` shows as WARNING in debug-log).
std::function<void(const std::string& level, const std::string& message)> JujuLogSink(const OperationDeps& deps);

// What Prepare decided.
enum class Prepared {
  kRun,   // go on: Execute, then Commit
  kSkip,  // nothing to do after all (leadership lost before leader-elected, task gone): no
          // Execute, no Commit
};

// How Execute or Commit ended when it did not fail outright.
enum class StepOutcome {
  kOk,
  // The hook failed (non-zero exit, or the controller refused its commit): recorded in the
  // state, whose `operation.failed` now stops the unit running hooks until resolved or retried.
  kHookFailed,
};

// What ExecuteOperation came to when no step failed outright.
enum class Executed { kCommitted, kSkipped, kHookFailed };

class Operation {
 public:
  virtual ~Operation() = default;
  virtual std::string String() const = 0;

  // Each step may change `state`; the executor persists it after the step. An error status
  // means the step could not be done now: Cancelled when the agent is stopping, Unavailable
  // when the controller is away; the uniter tries the operation again later.
  virtual absl::StatusOr<Prepared> Prepare(LocalState& state) = 0;
  virtual absl::StatusOr<StepOutcome> Execute(LocalState& state) = 0;
  virtual absl::StatusOr<StepOutcome> Commit(LocalState& state) = 0;
  // Runs after the committed state was persisted: reports that are only true once it is
  // (Juju's agent `idle` after a hook).
  virtual void AfterCommit() {}
};

// Makes the operation for a resolver decision (any kind but kNone).
std::unique_ptr<Operation> NewOperation(const resolver::Op& op, OperationDeps& deps);

// Runs `op` through its three steps, persisting `state` after each. A failed hook is an outcome
// (kHookFailed, the failure is in `state`), not an error; errors are the first error of a step
// or of saving the state.
absl::StatusOr<Executed> ExecuteOperation(Operation& op, LocalState& state, LocalStateStore& store);

// Retries `call` while it fails with Unavailable or DeadlineExceeded (the controller restarts),
// with backoff from 100 ms to 5 s, waiting with `pause`; Cancelled once `pause` reports that the
// agent is shutting down.
absl::Status RetryTransient(const std::function<absl::Status()>& call,
                            const std::function<bool(std::chrono::milliseconds)>& pause);

}  // namespace skein::agent
