// The operation executor: the three steps with the state saved after each, and the typed
// outcomes (a skipped operation, a failed hook) that replaced statuses matched on their text.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agents/unit/local_state/store.h"
#include "agents/unit/operation/operation.h"
#include "lib/base/clock.h"
#include "gtest/gtest.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

// An operation whose steps do what the test says and leave a trace in the state and in `calls`.
class ScriptedOperation : public Operation {
 public:
  std::string String() const override { return "scripted operation"; }
  absl::StatusOr<Prepared> Prepare(LocalState& state) override {
    calls.push_back("prepare");
    state.last_action_id = 1;
    return prepared;
  }
  absl::StatusOr<StepOutcome> Execute(LocalState& state) override {
    calls.push_back("execute");
    state.operation.failed = executed.ok() && *executed == StepOutcome::kHookFailed;
    return executed;
  }
  absl::StatusOr<StepOutcome> Commit(LocalState& state) override {
    calls.push_back("commit");
    state.installed = true;
    return committed;
  }
  void AfterCommit() override {
    calls.push_back("after-commit");
    if (after_commit) after_commit();
  }

  absl::StatusOr<Prepared> prepared = Prepared::kRun;
  absl::StatusOr<StepOutcome> executed = StepOutcome::kOk;
  absl::StatusOr<StepOutcome> committed = StepOutcome::kOk;
  std::function<void()> after_commit;
  std::vector<std::string> calls;
};

using Calls = std::vector<std::string>;

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = LocalStateStore::Open(dir_.path() + "/state.db", clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
  }
  // The outcome of running `op`; nullopt (and a test failure) on an error.
  std::optional<Executed> Run(ScriptedOperation& op) {
    auto result = ExecuteOperation(op, state_, *store_);
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return std::nullopt;
    return *result;
  }
  LocalState Saved() {
    auto loaded = store_->Load();
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *loaded : LocalState{};
  }

  testing::TempDir dir_;
  SimulatedClock clock_;
  std::unique_ptr<LocalStateStore> store_;
  LocalState state_;
};

TEST_F(ExecutorTest, ACommittedOperationRunsEveryStepAndReportsOnlyOnceSaved) {
  ScriptedOperation op;
  bool installed_when_reported = false;
  op.after_commit = [&] { installed_when_reported = Saved().installed; };
  EXPECT_EQ(Run(op), Executed::kCommitted);
  EXPECT_EQ(op.calls, (Calls{"prepare", "execute", "commit", "after-commit"}));
  EXPECT_TRUE(installed_when_reported);
}

TEST_F(ExecutorTest, ASkippedOperationNeitherExecutesNorCommitsButKeepsWhatPrepareRecorded) {
  ScriptedOperation op;
  op.prepared = Prepared::kSkip;
  EXPECT_EQ(Run(op), Executed::kSkipped);
  EXPECT_EQ(op.calls, (Calls{"prepare"}));
  EXPECT_EQ(Saved().last_action_id, 1);
}

TEST_F(ExecutorTest, AFailedHookIsAnOutcomeWithTheFailureSavedAndNothingCommitted) {
  ScriptedOperation op;
  op.executed = StepOutcome::kHookFailed;
  EXPECT_EQ(Run(op), Executed::kHookFailed);
  EXPECT_EQ(op.calls, (Calls{"prepare", "execute"}));
  EXPECT_TRUE(Saved().operation.failed);
  EXPECT_FALSE(Saved().installed);
}

TEST_F(ExecutorTest, ACommitTheControllerRefusedIsAFailedHookWithoutTheAfterCommitReports) {
  ScriptedOperation op;
  op.committed = StepOutcome::kHookFailed;
  EXPECT_EQ(Run(op), Executed::kHookFailed);
  EXPECT_EQ(op.calls, (Calls{"prepare", "execute", "commit"}));
}

// Before outcomes were typed, an Aborted status whose message began "hook failed: " was taken
// for a failed hook, and AlreadyExists "skip operation" for a skip. Now they are errors.
TEST_F(ExecutorTest, ErrorsAreErrorsWhateverTheirText) {
  ScriptedOperation executing;
  executing.executed = absl::AbortedError("hook failed: \"install\"");
  auto result = ExecuteOperation(executing, state_, *store_);
  EXPECT_EQ(result.status(), absl::AbortedError("hook failed: \"install\""));
  EXPECT_EQ(executing.calls, (Calls{"prepare", "execute"}));

  ScriptedOperation preparing;
  preparing.prepared = absl::AlreadyExistsError("skip operation");
  EXPECT_EQ(ExecuteOperation(preparing, state_, *store_).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(preparing.calls, (Calls{"prepare"}));

  ScriptedOperation stopping;
  stopping.executed = absl::CancelledError("agent stopping");
  EXPECT_EQ(ExecuteOperation(stopping, state_, *store_).status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace skein::agent
