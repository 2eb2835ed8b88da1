// The operations that run no hook: deploying the charm, resigning leadership, leaving a dying
// relation's scope and marking the unit dead.

#include <unistd.h>

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

  absl::StatusOr<Prepared> Prepare(LocalState& state) override {
    // A forced charm deploy keeps the failed hook as the unit's operation: the unit stays in
    // error, and a restart mid-deploy finds the failed hook and deploys again.
    if (!op_.forced) state.operation = OperationState{op_.kind, OperationStep::kPending, {}, 0, false};
    return Prepared::kRun;
  }

  absl::StatusOr<StepOutcome> Execute(LocalState& state) override {
    absl::Status done = Run();
    if (!done.ok()) return done;
    return StepOutcome::kOk;
  }

  absl::StatusOr<StepOutcome> Commit(LocalState& state) override {
    resolver::RecordOp(state, op_);
    if (!op_.forced) state.operation.step = OperationStep::kDone;
    return StepOutcome::kOk;
  }

 private:
  // The operation's one controller call, if it has one.
  absl::Status Run() {
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

  // Streams the archive to a file beside the charm dir, checks it is the charm the snapshot
  // names, and extracts it. A failure shows in the unit's agent status (`cannot download
  // charm: ...`) instead of leaving it "agent initialising"; the uniter retries with backoff.
  absl::Status DeployCharm() {
    spdlog::info("downloading charm {}", op_.charm_url);
    const std::string download = deps_.charm_dir + ".download";
    absl::StatusOr<AgentClient::CharmDownload> fetched;
    absl::Status s = RetryTransient(
        [&] {
          fetched = deps_.client->DownloadCharm(op_.charm_url, download);
          return fetched.status();
        },
        deps_.pause);
    if (s.ok() && fetched->sha256 != op_.charm_sha256) {
      // The application moved to another charm meanwhile: the uniter tries again with the
      // newer snapshot, which names it.
      ::unlink(download.c_str());
      return absl::UnavailableError(absl::StrCat("the controller sent charm ", fetched->sha256, ", not ",
                                                 op_.charm_sha256, ": the charm changed meanwhile"));
    }
    if (!s.ok()) {
      ::unlink(download.c_str());
      if (s.code() != absl::StatusCode::kCancelled) Report("cannot download charm", s);
      return s;
    }
    // The fault point fires with the new charm in place and the local state still naming the
    // old one: the restarted agent must install it again and upgrade exactly once.
    s = SwapInCharm(download, deps_.charm_dir,
                    [&] { deps_.faults->Reached(fault::Point::kDuringCharmSwap, op_.charm_url); });
    ::unlink(download.c_str());
    if (!s.ok()) {
      Report("cannot install charm", s);
      return s;
    }
    spdlog::info("charm {} ({} bytes) extracted into {}", op_.charm_url, fetched->size, deps_.charm_dir);
    return absl::OkStatus();
  }

  void Report(const std::string& what, const absl::Status& s) {
    const std::string message = absl::StrCat(what, " \"", op_.charm_url, "\": ", s.message());
    spdlog::error("{}", message);
    deps_.client->SetStatusAsync(v1::SetStatusRequest::AGENT, "error", message);
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
