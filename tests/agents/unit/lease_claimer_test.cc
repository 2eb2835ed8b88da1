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
  void TearDown() override { std::filesystem::remove_all(dir_); }

  fault::Spec Parse(const std::string& text) {
    auto spec = fault::ParseSpec(dir_, text);
    EXPECT_TRUE(spec.ok()) << spec.status();
    return spec.ok() ? *spec : fault::Spec{};
  }
  std::string dir_;
};

TEST_F(FaultTest, ArmedOnlyForTheNamedPointAndHook) {
  fault::Injector named(Parse("after-hook-before-commit:kv-relation-joined"));
  EXPECT_TRUE(named.Armed(fault::Point::kAfterHookBeforeCommit, "kv-relation-joined"));
  EXPECT_FALSE(named.Armed(fault::Point::kAfterHookBeforeCommit, "kv-relation-changed"));
  EXPECT_FALSE(named.Armed(fault::Point::kDuringHook, "kv-relation-joined"));
  fault::Injector any(Parse("during-hook"));
  EXPECT_TRUE(any.Armed(fault::Point::kDuringHook, "install")) << "no name: any hook";
  fault::Injector none(Parse(""));
  EXPECT_FALSE(none.Armed(fault::Point::kDuringHook, "install"));
  EXPECT_FALSE(fault::Injector().Armed(fault::Point::kDuringHook, "install"));
}

TEST_F(FaultTest, AnUnknownPointIsRefusedWithItsName) {
  auto spec = fault::ParseSpec(dir_, "during-lunch:install");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(), "SKEIN_AGENT_FAULT: unknown fault point \"during-lunch\"");
}

TEST_F(FaultTest, FiresOnceWithSigkillAndLeavesAMarker) {
  fault::Injector faults(Parse("after-commit-before-persist:start"));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    faults.Reached(fault::Point::kAfterCommitBeforePersist, "install");  // not the named hook
    faults.Reached(fault::Point::kAfterCommitBeforePersist, "start");
    _exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/fault-fired-after-commit-before-persist"));
  // The restarted agent does not fire again.
  EXPECT_FALSE(faults.Armed(fault::Point::kAfterCommitBeforePersist, "start"));
  faults.Reached(fault::Point::kAfterCommitBeforePersist, "start");  // returns
}

TEST_F(FaultTest, DuringActionFiresAtTheSecondToolCallOfTheNamedAction) {
  fault::Injector faults(Parse("during-action:echo"));
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    faults.ToolCalled("ctx-hook", "echo", "");  // a hook named like the action: not it
    faults.ToolCalled("ctx-hook", "echo", "");
    faults.ToolCalled("ctx-1", "", "echo");  // the first call of the action: not yet
    if (std::filesystem::exists(dir_ + "/fault-fired-during-action")) _exit(3);
    faults.ToolCalled("ctx-1", "", "echo");
    _exit(0);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/fault-fired-during-action"));
}

}  // namespace
}  // namespace skein::agent
