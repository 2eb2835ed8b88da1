#include "lib/rpc/retry.h"

#include <vector>

#include "gtest/gtest.h"

namespace skein::rpc {
namespace {

using std::chrono::milliseconds;

std::vector<milliseconds> Delays(Backoff& backoff, int n) {
  std::vector<milliseconds> out;
  for (int i = 0; i < n; ++i) out.push_back(std::chrono::duration_cast<milliseconds>(backoff.Next()));
  return out;
}

TEST(BackoffTest, GrowsByTheMultiplierUpToTheMaxAndStartsOverAfterReset) {
  Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(1000), 2.0, 0.0});
  EXPECT_EQ(Delays(backoff, 7), (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400),
                                                           milliseconds(800), milliseconds(1000), milliseconds(1000),
                                                           milliseconds(1000)}));
  backoff.Reset();
  EXPECT_EQ(Delays(backoff, 2), (std::vector<milliseconds>{milliseconds(100), milliseconds(200)}));
}

TEST(BackoffTest, TheAgentsPolicyIsOneHundredMillisecondsDoublingToFiveSeconds) {
  Backoff backoff(kControllerRetry);
  std::vector<milliseconds> delays = Delays(backoff, 8);
  EXPECT_EQ(delays.front(), milliseconds(100));
  EXPECT_EQ(delays[1], milliseconds(200));
  EXPECT_EQ(delays.back(), milliseconds(5000));
}

TEST(BackoffTest, JitterTakesTheGivenFractionOffAtRandom) {
  double draw = 0.0;
  Backoff backoff(BackoffPolicy{milliseconds(1000), milliseconds(8000), 2.0, 0.5}, [&] { return draw; });
  draw = 0.0;  // no jitter drawn: the whole delay
  EXPECT_EQ(backoff.Next(), milliseconds(1000));
  draw = 0.5;  // a quarter off
  EXPECT_EQ(backoff.Next(), milliseconds(1500));
  draw = 0.999;  // close to half off, never more
  const auto third = backoff.Next();
  EXPECT_GT(third, milliseconds(2000));
  EXPECT_LT(third, milliseconds(2010));
  // The jitter never changes how the delays grow.
  draw = 0.0;
  EXPECT_EQ(backoff.Next(), milliseconds(8000));
}

TEST(BackoffTest, DefaultRandomStaysWithinTheJitterWindow) {
  Backoff backoff(kStreamReconnect);
  for (int i = 0; i < 200; ++i) {
    const auto d = backoff.Next();
    EXPECT_GE(d, milliseconds(50));
    EXPECT_LE(d, milliseconds(5000));
  }
}

TEST(RetryTest, OnlyAnAbsentControllerIsWorthRetrying) {
  EXPECT_TRUE(IsTransient(absl::UnavailableError("connection refused")));
  EXPECT_TRUE(IsTransient(absl::DeadlineExceededError("slow")));
  EXPECT_FALSE(IsTransient(absl::OkStatus()));
  EXPECT_FALSE(IsTransient(absl::PermissionDeniedError("permission denied")));
  EXPECT_FALSE(IsTransient(absl::NotFoundError("unit not found")));
}

// The hook budget (issue 14, "outages are not errors"): a controller away for 60 s costs a hook
// call nothing but time; one away for longer fails it with a message that says so. Time is a
// simulated clock that the pause moves, so the minute passes at once.
struct Outage {
  SimulatedClock clock;
  Clock::TimePoint back;  // when the controller answers again
  int attempts = 0;
  absl::Status Call() {
    ++attempts;
    if (clock.Now() < back) return absl::UnavailableError("failed to connect to all addresses");
    return absl::OkStatus();
  }
  bool Pause(Clock::Duration d) {
    clock.Advance(d);
    return false;
  }
};

TEST(RetryTransientTest, AControllerRestartOfSixtySecondsCostsAHookCallNoError) {
  Outage outage;
  const Clock::TimePoint start = outage.clock.Now();
  outage.back = start + std::chrono::seconds(60);
  absl::Status s = RetryTransient(
      outage.clock, kHookCallBudget, [&] { return outage.Call(); }, [&](Clock::Duration d) { return outage.Pause(d); });
  EXPECT_TRUE(s.ok()) << s;
  // Backoff up to 5 s: the call is answered within one delay of the controller's return.
  EXPECT_LE(outage.clock.Now() - start, std::chrono::seconds(65));
  EXPECT_GT(outage.attempts, 10);
}

TEST(RetryTransientTest, ALongerOutageFailsTheCallWhenTheBudgetIsSpent) {
  Outage outage;
  const Clock::TimePoint start = outage.clock.Now();
  outage.back = start + std::chrono::hours(1);
  absl::Status s = RetryTransient(
      outage.clock, kHookCallBudget, [&] { return outage.Call(); }, [&](Clock::Duration d) { return outage.Pause(d); });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "the controller has been unreachable for 1m30s: failed to connect to all addresses");
  EXPECT_EQ(outage.clock.Now() - start, std::chrono::seconds(90)) << "the last attempt is at the budget's end";
}

TEST(RetryTransientTest, OtherErrorsAndAStoppingCallerEndAtOnce) {
  Outage outage;
  int calls = 0;
  absl::Status denied = RetryTransient(
      outage.clock, kHookCallBudget,
      [&] {
        ++calls;
        return absl::PermissionDeniedError("permission denied");
      },
      [&](Clock::Duration d) { return outage.Pause(d); });
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(calls, 1) << "an error that will not get better was retried";
  outage.back = outage.clock.Now() + std::chrono::hours(1);
  absl::Status stopped = RetryTransient(
      outage.clock, kUntilAnswered, [&] { return outage.Call(); }, [](Clock::Duration) { return true; });
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace skein::rpc
