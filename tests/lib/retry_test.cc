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

}  // namespace
}  // namespace skein::rpc
