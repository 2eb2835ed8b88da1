#pragma once

// The RunHook operation (juju-semantics §1.5-§1.7; Juju operation/runhook.go):
//   Prepare  agent status `executing` (`running <hook> hook[ for <unit>]`; not for
//            update-status) and the workload statuses Juju sets before install/stop/remove;
//            records the operation as pending with its commit sequence number.
//   Execute  runs the hook with a fresh UnitHookContext published to the tool server.
//            Failure: agent status `error` `hook failed: "<hook>"`, nothing committed.
//   Commit   one CommitHook with every buffered relation write; then the local state records
//            the hook (persisted by the executor); then (AfterCommit) the statuses Juju sets
//            after it and agent `idle`.

#include <memory>
#include <string>

#include "agents/unit/operation/operation.h"

namespace skein::agent {

class RunHookOperation : public Operation {
 public:
  RunHookOperation(HookInfo hook, OperationDeps& deps);

  std::string String() const override;
  absl::StatusOr<Prepared> Prepare(LocalState& state) override;
  absl::StatusOr<StepOutcome> Execute(LocalState& state) override;
  absl::StatusOr<StepOutcome> Commit(LocalState& state) override;
  void AfterCommit() override;

 private:
  void SetAgentStatus(const std::string& status, const std::string& message, const std::string& data_json = "");
  void SetWorkloadStatus(const std::string& status, const std::string& message);
  std::string NewContextId() const;

  const HookInfo hook_;
  const std::string name_;
  OperationDeps& deps_;
  std::shared_ptr<UnitHookContext> context_;
  bool workload_status_set_ = false;  // as of the commit
};

// Records in `state` a hook whose CommitHook the controller acknowledged (also used when a
// restarted agent learns from Login that its last pending commit was applied).
// `latest` supplies the app bag versions for this unit's own peer app-bag writes.
void RecordCommittedHook(LocalState& state, const HookInfo& hook, const std::set<int64_t>& app_write_relations,
                         const v1::UnitSnapshot* latest);

}  // namespace skein::agent
