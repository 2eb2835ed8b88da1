// The executor (Juju operation/executor.go): the three steps of an operation with the local
// state persisted after each.

#include <algorithm>
#include <chrono>

#include "agents/unit/operation/operation.h"
#include "lib/rpc/retry.h"
#include "spdlog/spdlog.h"

namespace skein::agent {

absl::StatusOr<Executed> ExecuteOperation(Operation& op, LocalState& state, LocalStateStore& store) {
  absl::StatusOr<Prepared> prepared = op.Prepare(state);
  if (!prepared.ok()) return prepared.status();
  // Saved also when skipping: a skipping Prepare may have recorded something (a task gone).
  if (absl::Status s = store.Save(state); !s.ok()) return s;
  if (*prepared == Prepared::kSkip) {
    spdlog::info("skipped {}", op.String());
    return Executed::kSkipped;
  }

  absl::StatusOr<StepOutcome> executed = op.Execute(state);
  if (absl::Status s = store.Save(state); !s.ok()) return s;
  if (!executed.ok()) return executed.status();
  if (*executed == StepOutcome::kHookFailed) return Executed::kHookFailed;

  absl::StatusOr<StepOutcome> committed = op.Commit(state);
  if (absl::Status s = store.Save(state); !s.ok()) return s;
  if (!committed.ok()) return committed.status();
  if (*committed == StepOutcome::kHookFailed) return Executed::kHookFailed;
  op.AfterCommit();
  return Executed::kCommitted;
}

absl::Status RetryTransient(const std::function<absl::Status()>& call,
                            const std::function<bool(std::chrono::milliseconds)>& pause) {
  // No budget: the clock only measures one, so the real one serves.
  return rpc::RetryTransient(RealClock(), rpc::kUntilAnswered, call, [&](Clock::Duration delay) {
    spdlog::warn("controller unavailable, retrying");
    return pause(std::chrono::duration_cast<std::chrono::milliseconds>(delay));
  });
}

}  // namespace skein::agent
