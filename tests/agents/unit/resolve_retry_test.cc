// Errors, resolve and retries (juju-semantics §1.7): the resolver's choices for a unit whose
// hook failed, and the automatic retry schedule (5 s, ×2, cap 5 min, jitter) on a fake clock.

#include <chrono>

#include "agents/unit/resolver/resolver.h"
#include "agents/unit/uniter/hook_retry.h"
#include "gtest/gtest.h"

namespace skein::agent {
namespace {

using resolver::NextOp;
using resolver::Op;
using resolver::Options;
using std::chrono::milliseconds;
using std::chrono::seconds;

v1::UnitSnapshot Remote() {
  v1::UnitSnapshot s;
  s.set_unit("app/0");
  s.set_application("app");
  s.set_life(v1::LIFE_ALIVE);
  s.mutable_charm()->set_url("local:app-0");
  s.mutable_charm()->set_sha256("sha-1");
  s.set_config_json(R"({"port":80})");
  s.set_private_address("10.0.0.1");
  return s;
}

// An installed unit whose first config-changed (before start) failed.
LocalState FailedConfigChanged(const v1::UnitSnapshot& remote) {
  LocalState local;
  local.installed = true;
  local.charm_sha256 = "sha-1";
  local.leader_settings_version = 0;
  local.operation.kind = OperationKind::kRunHook;
  local.operation.step = OperationStep::kPending;
  local.operation.hook.kind = HookKind::kConfigChanged;
  local.operation.hook.config_hash = resolver::ConfigHash(remote);
  local.operation.failed = true;
  return local;
}

TEST(ResolveTest, ErrorBlocksEveryHookEvenNewConfigAndUpdateStatus) {
  v1::UnitSnapshot remote = Remote();
  LocalState local = FailedConfigChanged(remote);
  remote.set_config_json(R"({"port":81})");
  Op op = NextOp(local, remote, Options{.update_status_due = true});
  EXPECT_EQ(op.kind, OperationKind::kNone);
  EXPECT_EQ(op.wait, resolver::WaitReason::kHookFailed);
}

TEST(ResolveTest, ResolvedRetryRerunsTheSameHookWithTheSameContext) {
  v1::UnitSnapshot remote = Remote();
  LocalState local = FailedConfigChanged(remote);
  remote.set_resolve_mode("retry");
  remote.set_resolve_serial(3);
  Op op = NextOp(local, remote);
  ASSERT_EQ(op.kind, OperationKind::kRunHook);
  EXPECT_EQ(op.hook, local.operation.hook);
  EXPECT_EQ(op.resolve_serial, 3);
  EXPECT_EQ(op.resolve_mode, resolver::ResolveMode::kRetry);
  EXPECT_FALSE(op.SkipsHook());
  // A request already acted on (same serial) is not acted on again.
  local.resolved_serial = 3;
  EXPECT_EQ(NextOp(local, remote).kind, OperationKind::kNone);
}

TEST(ResolveTest, NoRetrySkipsTheHookAndChainedStartStillFollows) {
  v1::UnitSnapshot remote = Remote();
  LocalState local = FailedConfigChanged(remote);
  remote.set_resolve_mode("no-retry");
  remote.set_resolve_serial(1);
  Op op = NextOp(local, remote);
  ASSERT_EQ(op.kind, OperationKind::kRunHook);
  EXPECT_EQ(op.resolve_mode, resolver::ResolveMode::kNoRetry);
  EXPECT_TRUE(op.SkipsHook());
  EXPECT_EQ(op.hook.Name(), "config-changed");
  EXPECT_EQ(op.String(), "skip config-changed hook (resolved --no-retry)");
  // What the uniter does for --no-retry: record the hook as done, leave the error.
  local.resolved_serial = op.resolve_serial;
  local.operation.failed = false;
  resolver::RecordHook(local, op.hook);
  Op next = NextOp(local, remote);
  ASSERT_EQ(next.kind, OperationKind::kRunHook);
  EXPECT_EQ(next.hook.Name(), "start");
}

TEST(ResolveTest, SkippedUpgradeCharmIsRememberedUntilAnUpgradeCharmRuns) {
  LocalState local;
  local.upgrade_pending = true;
  HookInfo upgrade;
  upgrade.kind = HookKind::kUpgradeCharm;
  resolver::RecordSkippedHook(local, upgrade);
  EXPECT_TRUE(local.upgrade_charm_skipped);
  EXPECT_FALSE(local.upgrade_pending) << "the skipped hook counts as run";
  EXPECT_TRUE(local.config_hash.empty()) << "config-changed still follows";
  HookInfo config;
  config.kind = HookKind::kConfigChanged;
  resolver::RecordSkippedHook(local, config);
  EXPECT_TRUE(local.upgrade_charm_skipped) << "skipping another hook changes nothing";
  auto round_trip = LocalStateFromJson(ToJson(local));
  ASSERT_TRUE(round_trip.ok());
  EXPECT_TRUE(round_trip->upgrade_charm_skipped);
  resolver::RecordHook(local, upgrade);
  EXPECT_FALSE(local.upgrade_charm_skipped);
}

TEST(ResolveTest, RetryTimerRerunsTheFailedHookOnlyWhenDue) {
  v1::UnitSnapshot remote = Remote();
  LocalState local = FailedConfigChanged(remote);
  EXPECT_EQ(NextOp(local, remote, Options{.retry_due = false}).kind, OperationKind::kNone);
  Op op = NextOp(local, remote, Options{.retry_due = true});
  ASSERT_EQ(op.kind, OperationKind::kRunHook);
  EXPECT_EQ(op.hook, local.operation.hook);
  EXPECT_EQ(op.resolve_serial, 0);
}

TEST(HookRetryTest, DelaysDoubleFromFiveSecondsToFiveMinutesWithoutJitter) {
  HookRetryPolicy policy;
  policy.jitter = false;
  auto never = [] { return 0.5; };
  std::vector<int64_t> got;
  for (int attempt = 0; attempt < 9; ++attempt) got.push_back(HookRetryDelay(policy, attempt, never).count() / 1000);
  EXPECT_EQ(got, (std::vector<int64_t>{5, 10, 20, 40, 80, 160, 300, 300, 300}));
}

TEST(HookRetryTest, JitterStaysBetweenTheMinimumAndTheStep) {
  HookRetryPolicy policy;
  for (double r : {0.0, 0.25, 0.999}) {
    auto random = [r] { return r; };
    EXPECT_EQ(HookRetryDelay(policy, 0, random), seconds(5));  // the first retry is always 5 s
    milliseconds third = HookRetryDelay(policy, 2, random);
    EXPECT_GE(third, seconds(5));
    EXPECT_LE(third, seconds(20));
    EXPECT_LE(HookRetryDelay(policy, 20, random), std::chrono::minutes(5));
  }
  EXPECT_EQ(HookRetryDelay(policy, 2, [] { return 0.5; }), milliseconds(12500));
}

TEST(HookRetryTest, TimerScheduleOnAFakeClockAndResetAfterSuccess) {
  HookRetryPolicy policy;
  policy.jitter = false;
  HookRetryTimer timer(policy, [] { return 0.0; });
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_FALSE(timer.armed());
  EXPECT_EQ(timer.deadline(), std::chrono::steady_clock::time_point::max());
  timer.Arm(t0);
  EXPECT_FALSE(timer.Due(t0 + milliseconds(4999)));
  EXPECT_TRUE(timer.Due(t0 + seconds(5)));
  timer.Arm(t0 + seconds(3));  // arming again while armed keeps the deadline
  EXPECT_EQ(timer.deadline(), t0 + seconds(5));
  timer.RetryStarted();  // the retry failed again: the next one waits 10 s
  timer.Arm(t0 + seconds(6));
  EXPECT_EQ(timer.deadline(), t0 + seconds(16));
  timer.RetryStarted();
  timer.Arm(t0 + seconds(20));
  EXPECT_EQ(timer.deadline(), t0 + seconds(40));
  timer.Reset();  // a hook succeeded: the next failure starts again at 5 s
  timer.Arm(t0 + seconds(100));
  EXPECT_EQ(timer.deadline(), t0 + seconds(105));
}

}  // namespace
}  // namespace skein::agent
