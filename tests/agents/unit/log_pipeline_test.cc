#include "agents/unit/logging/log_pipeline.h"

#include <atomic>
#include <mutex>

#include "gtest/gtest.h"
#include "lib/base/clock.h"
#include "spdlog/sinks/null_sink.h"
#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

struct Recorder {
  std::mutex mu;
  std::vector<v1::LogEntry> sent;
  bool fail = false;
  LogPipeline::Sender Fn() {
    return [this](const std::vector<v1::LogEntry>& batch) {
      std::lock_guard<std::mutex> lock(mu);
      if (fail) return absl::UnavailableError("controller away");
      sent.insert(sent.end(), batch.begin(), batch.end());
      return absl::OkStatus();
    };
  }
};

TEST(LogPipelineTest, SendsLinesWithEntityLevelModuleAndTheClocksTime) {
  Recorder r;
  SimulatedClock clock;
  clock.Advance(std::chrono::milliseconds(1500));
  auto p = std::make_shared<LogPipeline>("unit-app-0", r.Fn(), clock);
  p->Start();
  p->Push("WARNING", "unit.app/0.install", "careful");
  ASSERT_TRUE(p->Flush(std::chrono::seconds(10)));
  std::lock_guard<std::mutex> lock(r.mu);
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].entity(), "unit-app-0");
  EXPECT_EQ(r.sent[0].level(), "WARNING");
  EXPECT_EQ(r.sent[0].module(), "unit.app/0.install");
  EXPECT_EQ(r.sent[0].message(), "careful");
  EXPECT_EQ(r.sent[0].timestamp(), "2026-01-01T00:00:01.500000Z");
}

TEST(LogPipelineTest, BoundedQueueDropsTheOldestWhileTheControllerIsAway) {
  Recorder r;
  r.fail = true;
  auto p = std::make_shared<LogPipeline>("unit-app-0", r.Fn(), RealClock(), /*capacity=*/3);
  p->Start();
  for (int i = 0; i < 5; ++i) p->Push("INFO", "m", std::to_string(i));
  EXPECT_EQ(p->dropped(), 2u);
  {
    std::lock_guard<std::mutex> lock(r.mu);
    r.fail = false;
  }
  ASSERT_TRUE(p->Flush(std::chrono::seconds(20)));
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<std::string> messages;
  for (const auto& e : r.sent) messages.push_back(e.message());
  EXPECT_EQ(messages, (std::vector<std::string>{"2", "3", "4"}));
}

TEST(LogPipelineTest, RetriesWithAGrowingBackoffOnItsClockWhileTheControllerIsAway) {
  SimulatedClock clock;
  struct Attempts {
    Mutex mu;
    CondVar cv;
    std::vector<Clock::TimePoint> at ABSL_GUARDED_BY(mu);
    bool controller_away ABSL_GUARDED_BY(mu) = true;
    // Waits (in real time, with a deadline) until `n` sends were tried.
    bool Await(size_t n) {
      MutexLock lock(mu);
      return RealClock().WaitFor(mu, cv, std::chrono::seconds(20),
                                 [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return at.size() >= n; });
    }
  } attempts;
  auto p = std::make_shared<LogPipeline>(
      "unit-app-0",
      [&](const std::vector<v1::LogEntry>&) {
        MutexLock lock(attempts.mu);
        attempts.at.push_back(clock.Now());
        attempts.cv.NotifyAll();
        return attempts.controller_away ? absl::UnavailableError("controller away") : absl::OkStatus();
      },
      clock);
  p->Start();
  p->Push("INFO", "m", "kept until sent");
  const std::vector<std::chrono::milliseconds> delays = {std::chrono::milliseconds(100), std::chrono::milliseconds(200),
                                                         std::chrono::milliseconds(400), std::chrono::milliseconds(800)};
  for (size_t i = 0; i < delays.size(); ++i) {
    ASSERT_TRUE(attempts.Await(i + 1));
    if (i + 1 == delays.size()) {
      MutexLock lock(attempts.mu);
      attempts.controller_away = false;
    }
    ASSERT_TRUE(clock.AwaitWaiters(1, std::chrono::seconds(20)));
    // A millisecond short first: a retry that came early would show in the time of its attempt.
    clock.Advance(delays[i] - std::chrono::milliseconds(1));
    clock.Advance(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(attempts.Await(delays.size() + 1));
  MutexLock lock(attempts.mu);
  ASSERT_EQ(attempts.at.size(), delays.size() + 1);
  for (size_t i = 0; i < delays.size(); ++i) EXPECT_EQ(attempts.at[i + 1] - attempts.at[i], delays[i]);
  EXPECT_EQ(p->dropped(), 0u);
}

TEST(LogPipelineTest, LinesOverTheCapAreCutWithANoteAtAUtf8Boundary) {
  EXPECT_EQ(CapLogLine(std::string(128 << 10, 'a')), std::string(128 << 10, 'a'));
  EXPECT_EQ(CapLogLine(std::string(200 << 10, 'a')),
            std::string((128 << 10) - 128, 'a') + " [73856 more bytes cut: the 128 KiB limit of a log message]");
  // "€" is three bytes, and after one "a" the cut would fall inside one: it moves back to the
  // character's start.
  std::string euros = "a";
  while (euros.size() < (200u << 10)) euros += "€";
  std::string cut_euros = CapLogLine(euros);
  size_t end = cut_euros.find(" [");
  EXPECT_EQ(end, (128u << 10) - 128 - 2);
  EXPECT_EQ(cut_euros.substr(0, end), euros.substr(0, end));
}

TEST(LogPipelineTest, ABatchTheControllerRefusesIsDroppedNotRetriedForever) {
  Recorder r;
  std::atomic<int> refusals{0};
  auto p = std::make_shared<LogPipeline>("unit-app-0", [&](const std::vector<v1::LogEntry>& batch) {
    if (refusals++ == 0) return absl::ResourceExhaustedError("a log message exceeds the limit");
    return r.Fn()(batch);
  }, RealClock());
  p->Start();
  p->Push("INFO", "m", "refused");
  ASSERT_TRUE(p->Flush(std::chrono::seconds(10)));
  p->Push("INFO", "m", "next");
  ASSERT_TRUE(p->Flush(std::chrono::seconds(10)));
  EXPECT_EQ(p->dropped(), 1u);
  std::lock_guard<std::mutex> lock(r.mu);
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].message(), "next");
}

TEST(LogPipelineTest, SpdlogLinesReachThePipelineWithTheLoggerNameAsModule) {
  Recorder r;
  auto p = std::make_shared<LogPipeline>("unit-app-0", r.Fn(), RealClock());
  p->Start();
  auto logger = std::make_shared<spdlog::logger>("juju.worker.uniter", std::make_shared<spdlog::sinks::null_sink_mt>());
  p->AttachToLogger(*logger);
  logger->warn("hook {} failed", "install");
  ASSERT_TRUE(p->Flush(std::chrono::seconds(10)));
  std::lock_guard<std::mutex> lock(r.mu);
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_EQ(r.sent[0].module(), "juju.worker.uniter");
  EXPECT_EQ(r.sent[0].level(), "WARNING");
  EXPECT_EQ(r.sent[0].message(), "hook install failed");
}

}  // namespace
}  // namespace skein::agent
