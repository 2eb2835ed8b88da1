#include <algorithm>
#include <chrono>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agents/unit/operation/operation.h"
#include "lib/rpc/retry.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

constexpr char kSkipMessage[] = "skip operation";
constexpr char kHookFailedPrefix[] = "hook failed: ";

}  // namespace

absl::Status SkipOperation() { return absl::AlreadyExistsError(kSkipMessage); }

bool IsSkipOperation(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAlreadyExists && status.message() == kSkipMessage;
}

absl::Status HookFailed(const std::string& hook) {
  return absl::AbortedError(absl::StrCat(kHookFailedPrefix, "\"", hook, "\""));
}

bool IsHookFailed(const absl::Status& status) {
  return status.code() == absl::StatusCode::kAborted && absl::StartsWith(status.message(), kHookFailedPrefix);
}

absl::Status ExecuteOperation(Operation& op, LocalState& state, LocalStateStore& store) {
  absl::Status prepared = op.Prepare(state);
  if (IsSkipOperation(prepared)) {
    spdlog::info("skipped {}", op.String());
    return absl::OkStatus();
  }
  if (!prepared.ok()) return prepared;
  if (absl::Status s = store.Save(state); !s.ok()) return s;

  absl::Status executed = op.Execute(state);
  if (absl::Status s = store.Save(state); !s.ok()) return s;
  if (IsHookFailed(executed)) return absl::OkStatus();
  if (!executed.ok()) return executed;

  absl::Status committed = op.Commit(state);
  if (absl::Status s = store.Save(state); !s.ok()) return s;
  if (IsHookFailed(committed)) return absl::OkStatus();
  if (committed.ok()) op.AfterCommit();
  return committed;
}

absl::Status RetryTransient(const std::function<absl::Status()>& call,
                            const std::function<bool(std::chrono::milliseconds)>& pause) {
  rpc::Backoff backoff(rpc::kControllerRetry);
  while (true) {
    absl::Status s = call();
    if (!rpc::IsTransient(s)) return s;
    spdlog::warn("controller unavailable ({}), retrying", std::string(s.message()));
    if (pause(std::chrono::duration_cast<std::chrono::milliseconds>(backoff.Next()))) {
      return absl::CancelledError("agent stopping");
    }
  }
}

}  // namespace skein::agent
