#include "controller/domain/log/log_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::log::LogFilter;
using domain::log::LogRecord;
using testing::DomainEnv;

LogRecord Entry(const std::string& entity, const std::string& level, const std::string& message) {
  return LogRecord{0, entity, "", level, "juju.worker.uniter", message};
}

std::vector<std::string> Messages(const std::vector<LogRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.message);
  return out;
}

TEST(LogFilterTest, MatchesUnitsApplicationsMachinesAndTags) {
  LogFilter f;
  f.include = {"app/0"};
  EXPECT_TRUE(f.Matches(Entry("unit-app-0", "INFO", "")));
  EXPECT_FALSE(f.Matches(Entry("unit-app-1", "INFO", "")));
  f.include = {"app"};
  EXPECT_TRUE(f.Matches(Entry("unit-app-12", "INFO", "")));
  EXPECT_FALSE(f.Matches(Entry("unit-app-two-1", "INFO", ""))) << "another application";
  f.include = {"0"};
  EXPECT_TRUE(f.Matches(Entry("machine-0", "INFO", "")));
  f.include = {"unit-app-1"};
  EXPECT_TRUE(f.Matches(Entry("unit-app-1", "INFO", "")));
  f.include = {};
  f.exclude = {"app"};
  EXPECT_FALSE(f.Matches(Entry("unit-app-1", "INFO", "")));
  EXPECT_TRUE(f.Matches(Entry("machine-0", "INFO", "")));
  f.exclude = {};
  f.level = "WARNING";
  EXPECT_FALSE(f.Matches(Entry("unit-app-1", "INFO", "")));
  EXPECT_TRUE(f.Matches(Entry("unit-app-1", "ERROR", "")));
}

TEST(LogServiceTest, TailReplaysTheLastMatchingLinesOfTheModel) {
  DomainEnv env;
  ASSERT_TRUE(env.models->AddModel("other").ok());
  int64_t test_id = *env.logs->ModelId("test");
  int64_t other_id = *env.logs->ModelId("other");
  ASSERT_TRUE(env.logs->Append(test_id, {Entry("unit-a-0", "INFO", "one"), Entry("unit-a-0", "DEBUG", "two")}).ok());
  ASSERT_TRUE(env.logs->Append(other_id, {Entry("unit-b-0", "INFO", "elsewhere")}).ok());
  ASSERT_TRUE(env.logs->Append(-1, {Entry("machine-0", "INFO", "machine")}).ok());
  ASSERT_TRUE(env.logs->Append(test_id, {Entry("unit-a-0", "INFO", "three")}).ok());

  int64_t last = 0;
  auto all = env.logs->Tail(test_id, LogFilter{}, -1, &last);
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(Messages(*all), ::testing::ElementsAre("one", "two", "machine", "three"));
  auto two = env.logs->Tail(test_id, LogFilter{}, 2, &last);
  EXPECT_THAT(Messages(*two), ::testing::ElementsAre("machine", "three"));
  EXPECT_TRUE(env.logs->Tail(test_id, LogFilter{}, 0, &last)->empty());

  env.clock.Advance(std::chrono::milliseconds(2500));
  ASSERT_TRUE(env.logs->Append(test_id, {Entry("unit-a-0", "ERROR", "four")}).ok());
  int64_t next = 0;
  auto since = env.logs->Since(test_id, LogFilter{}, last, 100, &next);
  ASSERT_TRUE(since.ok());
  EXPECT_THAT(Messages(*since), ::testing::ElementsAre("four"));
  EXPECT_GT(next, last);
  EXPECT_EQ((*since)[0].level, "ERROR");
  EXPECT_EQ((*since)[0].timestamp, "2026-01-01T00:00:02.500000Z") << "the controller stamps entries without a time";
}

}  // namespace
}  // namespace skein::controller
