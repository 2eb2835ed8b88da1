// The operations that run no hook: deploying the charm, resigning leadership, leaving a dying
// relation's scope and marking the unit dead.

#include "absl/strings/str_cat.h"
#include "agents/unit/charm/charm_dir.h"
#include "agents/unit/operation/operation.h"
#include "agents/unit/operation/run_action.h"
#include "agents/unit/operation/run_hook.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

// Operations whose whole effect is one controller call (or none) and a local-state record.
class SimpleOperation : public Operation {
 public:
  SimpleOperation(resolver::Op op, OperationDeps& deps) : op_(std::move(op)), deps_(deps) {}

  std::string String() const override { return op_.String(); }

  absl::Status Prepare(LocalState& state) override {
    state.operation = OperationState{op_.kind, OperationStep::kPending, {}, 0, false};
    return absl::OkStatus();
  }

  absl::Status Execute(LocalState& state) override {
    switch (op_.kind) {
      case OperationKind::kDeployCharm:
        return DeployCharm();
      case OperationKind::kLeaveRelation: {
        absl::Status s = RetryTransient([&] { return deps_.client->LeaveRelation(op_.relation_id); }, deps_.pause);
        // Already gone is as good as left.
        if (s.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
        return s;
      }
      case OperationKind::kMarkDead:
        return RetryTransient([&] { return deps_.client->MarkUnitDead(); }, deps_.pause);
      default:
        return absl::OkStatus();
    }
  }

  absl::Status Commit(LocalState& state) override {
    resolver::RecordOp(state, op_);
    state.operation.step = OperationStep::kDone;
    return absl::OkStatus();
  }

 private:
  absl::Status DeployCharm() {
    spdlog::info("downloading charm {}", op_.charm_url);
    absl::StatusOr<v1::CharmArchive> archive;
    absl::Status fetched = RetryTransient(
        [&] {
          archive = deps_.client->GetCharm(op_.charm_url);
          return archive.status();
        },
        deps_.pause);
    if (!fetched.ok()) return fetched;
    if (absl::Status s = WriteCharmDir(deps_.charm_dir, *archive); !s.ok()) return s;
    spdlog::info("charm {} written to {} ({} files)", op_.charm_url, deps_.charm_dir, archive->files_size());
    return absl::OkStatus();
  }

  const resolver::Op op_;
  OperationDeps& deps_;
};

}  // namespace

std::unique_ptr<Operation> NewOperation(const resolver::Op& op, OperationDeps& deps) {
  if (op.kind == OperationKind::kRunHook) return std::make_unique<RunHookOperation>(op.hook, deps);
  if (op.kind == OperationKind::kRunAction) return std::make_unique<RunActionOperation>(op, deps);
  return std::make_unique<SimpleOperation>(op, deps);
}

}  // namespace skein::agent
