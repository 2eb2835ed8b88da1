#pragma once

// The RunAction operation (juju-semantics §1.7, §2.1, §2.4; Juju operation/runaction.go):
//   Prepare  StartAction (the task shows `running`); agent status `executing`
//            `running action <name>` unless a hook is in error (the error status stays).
//   Execute  runs `dispatch` or `actions/<name>` with the action's environment and a fresh
//            UnitHookContext, capturing stdout/stderr and the exit code.
//   Commit   FinishAction with the results (`return-code`, `stdout`, `stderr`, base64 with
//            `*-encoding` when not UTF-8) and status: `failed` with `exit status N` for a
//            non-zero exit, with the action-fail message, or with
//            `action not implemented on unit "app/0"` for a missing handler; else `completed`.
// An action never changes `state.operation` and never puts the unit in error. Relation writes
// made by an action are dropped: actions have no relation context.
// Prepare records the task in `state.running_action_id` (saved before Execute). An agent that
// restarts with that task still recorded was killed while it ran: as Juju's uniter does, the
// task is finished `failed` with "action terminated" and not run again, because the action may
// already have had effects that must not happen twice.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agents/unit/operation/operation.h"

namespace skein::agent {

// The action `skein exec` queues (controller/domain/action kExecAction): its `command` param
// runs with bash in the hook context instead of a charm handler, and the task completes with the
// command's return code, stdout and stderr, as Juju's juju-exec does.
inline constexpr char kExecActionName[] = "juju-exec";

class RunActionOperation : public Operation {
 public:
  RunActionOperation(const resolver::Op& op, OperationDeps& deps);

  std::string String() const override;
  absl::StatusOr<Prepared> Prepare(LocalState& state) override;
  absl::StatusOr<StepOutcome> Execute(LocalState& state) override;
  absl::StatusOr<StepOutcome> Commit(LocalState& state) override;
  void AfterCommit() override;

 private:
  const resolver::Op op_;
  OperationDeps& deps_;
  bool unit_in_error_ = false;
  bool interrupted_ = false;  // the agent stopped while this task ran
  v1::FinishActionRequest finish_;
};

// The action's environment: the hook environment with JUJU_HOOK_NAME empty,
// JUJU_DISPATCH_PATH=actions/<name>, JUJU_ACTION_NAME, JUJU_ACTION_UUID (the task id) and
// JUJU_ACTION_TAG (`action-<id>`).
std::map<std::string, std::string> ActionEnvironment(const UnitEnvironment& unit, const std::string& action,
                                                     const std::string& task_id, const std::string& context_id);

// Puts captured output into results as Juju does: `key` when UTF-8, else base64 in `key` with
// `key-encoding: base64`; nothing when empty. Only the last limits::kActionOutputBytes are kept.
void PutOutput(nlohmann::json& results, const std::string& key, const std::string& output);

}  // namespace skein::agent
