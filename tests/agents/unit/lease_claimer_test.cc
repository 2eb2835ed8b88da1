// The leadership lease claimer renews at half the lease and retries while the controller is
// unavailable; the crash points fire once per unit.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "agents/unit/fault/fault.h"
#include "agents/unit/leadership/lease_claimer.h"
#include "gtest/gtest.h"

namespace skein::agent {
namespace {

using namespace std::chrono_literals;

v1::ClaimLeadershipResponse Held(int64_t duration_ms) {
  v1::ClaimLeadershipResponse r;
  r.set_held(true);
  r.set_duration_ms(duration_ms);
  r.set_remaining_ms(duration_ms);
  return r;
}

TEST(LeaseClaimerTest, RenewsAtHalfTheLeaseAndRetriesWhenUnavailable) {
  LeaseClaimer claimer([] { return Held(60000); }, RealClock(), 1s);
  EXPECT_EQ(claimer.NextWait(Held(60000)), 30s) << "Juju: 60 s leases renewed every 30 s";
  EXPECT_EQ(claimer.NextWait(Held(2000)), 1s);
  EXPECT_EQ(claimer.NextWait(absl::UnavailableError("down")), 1s);
}

// On a simulated clock: a claim at start, the next exactly half a lease later, a retry after
// `retry` when the controller is away, and nothing after Stop().
TEST(LeaseClaimerTest, ClaimsOnScheduleUntilStopped) {
  SimulatedClock clock;
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  auto await_calls = [&](int n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, 10s, [&] { return calls >= n; });
  };
  auto calls_now = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  };
  LeaseClaimer claimer([&]() -> absl::StatusOr<v1::ClaimLeadershipResponse> {
    std::lock_guard<std::mutex> lock(mu);
    ++calls;
    cv.notify_all();
    if (calls == 2) return absl::UnavailableError("controller restarting");
    return Held(60000);  // renew every 30 s
  }, clock, 1s);
  claimer.Start();
  ASSERT_TRUE(await_calls(1)) << "no claim at start";
  ASSERT_TRUE(clock.AwaitWaiters(1, 10s));
  clock.Advance(30s - 1ms);
  ASSERT_TRUE(clock.AwaitWaiters(1, 10s));
  EXPECT_EQ(calls_now(), 1) << "renewed before half the lease";
  clock.Advance(1ms);
  ASSERT_TRUE(await_calls(2)) << "no renewal at half the lease";
  ASSERT_TRUE(clock.AwaitWaiters(1, 10s));
  clock.Advance(1s);  // the second claim failed: retried after `retry`
  ASSERT_TRUE(await_calls(3)) << "no retry while the controller was away";
  ASSERT_TRUE(clock.AwaitWaiters(1, 10s));
  claimer.Stop();
  EXPECT_EQ(clock.Waiters(), 0u);
  clock.Advance(1h);
  EXPECT_EQ(calls_now(), 3) << "claims after Stop()";
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/skein-fault-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    fault::Configure(dir_, "");
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(FaultTest, ArmedOnlyForTheNamedPointAndHook) {
  fault::Configure(dir_, "after-hook-before-commit:kv-relation-joined");
  EXPECT_TRUE(fault::Armed(fault::kAfterHookBeforeCommit, "kv-relation-joined"));
  EXPECT_FALSE(fault::Armed(fault::kAfterHookBeforeCommit, "kv-relation-changed"));
  EXPECT_FALSE(fault::Armed(fault::kDuringHook, "kv-relation-joined"));
  fault::Configure(dir_, "during-hook");
  EXPECT_TRUE(fault::Armed(fault::kDuringHook, "install")) << "no name: any hook";
  fault::Configure(dir_, "");
  EXPECT_FALSE(fault::Armed(fault::kDuringHook, "install"));
}

TEST_F(FaultTest, FiresOnceWithSigkillAndLeavesAMarker) {
  fault::Configure(dir_, "after-commit-before-persist:start");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    fault::Reached(fault::kAfterCommitBeforePersist, "install");  // not the named hook
    fault::Reached(fault::kAfterCommitBeforePersist, "start");
    _exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/fault-fired-after-commit-before-persist"));
  // The restarted agent does not fire again.
  EXPECT_FALSE(fault::Armed(fault::kAfterCommitBeforePersist, "start"));
  fault::Reached(fault::kAfterCommitBeforePersist, "start");  // returns
}

}  // namespace
}  // namespace skein::agent
