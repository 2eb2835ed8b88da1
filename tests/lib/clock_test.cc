#include "lib/base/clock.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "lib/base/time.h"

namespace skein {
namespace {

using std::chrono::seconds;

// A worker that waits on a clock for `timeout` or until told to stop, as the agents' loops do.
struct Waiting {
  Mutex mu;
  CondVar cv;
  bool stop ABSL_GUARDED_BY(mu) = false;
  std::atomic<int> result{-1};  // -1 while waiting, 0 timed out, 1 stopped

  void Run(Clock& clock, Clock::Duration timeout) {
    MutexLock lock(mu);
    result = clock.WaitFor(mu, cv, timeout, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return stop; }) ? 1 : 0;
  }
  void Stop() {
    MutexLock lock(mu);
    stop = true;
    cv.NotifyAll();
  }
};

TEST(SimulatedClockTest, WaitEndsWhenTimePassesItsDeadlineAndNotBefore) {
  SimulatedClock clock;
  Waiting w;
  std::thread t([&] { w.Run(clock, seconds(300)); });
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  clock.Advance(seconds(299));
  // The wait re-checked its deadline when woken and went back to waiting.
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  EXPECT_EQ(w.result.load(), -1) << "the wait ended 1 s before its deadline";
  clock.Advance(seconds(1));
  t.join();
  EXPECT_EQ(w.result.load(), 0);
  EXPECT_EQ(clock.Waiters(), 0u);
}

TEST(SimulatedClockTest, ConditionEndsTheWaitWithoutTimeMoving) {
  SimulatedClock clock;
  const Clock::TimePoint start = clock.Now();
  Waiting w;
  std::thread t([&] { w.Run(clock, std::chrono::hours(1)); });
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  w.Stop();
  t.join();
  EXPECT_EQ(w.result.load(), 1);
  EXPECT_EQ(clock.Now(), start);
}

TEST(SimulatedClockTest, ManyWaitersEachEndAtTheirOwnDeadline) {
  SimulatedClock clock;
  Waiting a, b;
  std::thread ta([&] { a.Run(clock, seconds(10)); });
  std::thread tb([&] { b.Run(clock, seconds(20)); });
  ASSERT_TRUE(clock.AwaitWaiters(2, std::chrono::seconds(10)));
  clock.Advance(seconds(15));
  ta.join();
  EXPECT_EQ(a.result.load(), 0);
  ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(10)));
  EXPECT_EQ(b.result.load(), -1);
  clock.Advance(seconds(5));
  tb.join();
  EXPECT_EQ(b.result.load(), 0);
}

TEST(SimulatedClockTest, TimeMovesOnlyWhenAdvanced) {
  SimulatedClock clock;
  const Clock::TimePoint start = clock.Now();
  EXPECT_EQ(FormatRfc3339(clock.WallNow()), "2026-01-01T00:00:00Z");
  clock.Advance(std::chrono::minutes(90));
  EXPECT_EQ(clock.Now() - start, std::chrono::minutes(90));
  EXPECT_EQ(FormatRfc3339(clock.WallNow()), "2026-01-01T01:30:00Z");
  // RPC deadlines stay in real time: an RPC in flight is not expired by a jump.
  EXPECT_GT(clock.Deadline(seconds(5)), std::chrono::system_clock::now());
}

TEST(RealClockTest, WaitReturnsAtOnceWhenTheConditionHoldsAndTimesOutOtherwise) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  EXPECT_TRUE(RealClock().WaitFor(mu, cv, std::chrono::hours(1), [] { return true; }));
  const Clock::TimePoint before = RealClock().Now();
  EXPECT_FALSE(RealClock().WaitFor(mu, cv, std::chrono::milliseconds(20), [] { return false; }));
  EXPECT_GE(RealClock().Now() - before, std::chrono::milliseconds(20));
}

}  // namespace
}  // namespace skein
