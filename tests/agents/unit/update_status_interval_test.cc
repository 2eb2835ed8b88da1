// The controller and the unit agent read update-status-hook-interval with the one parser
// (lib/base/duration.h): every value `skein model-config` accepts is run by the agent at exactly
// the interval it names, and a value the controller refuses is one the agent would not run at.
// Before, the controller rounded to the nearest millisecond, the agent truncated, and each had
// its own grammar.

#include <chrono>
#include <optional>
#include <string>

#include "agents/unit/uniter/uniter.h"
#include "controller/domain/model/model_config.h"
#include "gtest/gtest.h"

namespace skein {
namespace {

using std::chrono::milliseconds;

constexpr char kKey[] = "update-status-hook-interval";
constexpr milliseconds kFallback = std::chrono::minutes(5);

struct Row {
  std::string text;
  std::optional<milliseconds> runs_at;  // nullopt: the controller refuses it
};

class UpdateStatusIntervalTest : public ::testing::TestWithParam<Row> {};

TEST_P(UpdateStatusIntervalTest, ControllerAndAgentAgree) {
  const Row& row = GetParam();
  auto accepted = controller::domain::model::ValidateModelConfigValue(kKey, row.text);
  google::protobuf::Map<std::string, std::string> config;
  config[kKey] = row.text;
  milliseconds agent = agent::UpdateStatusIntervalFrom(config, kFallback);
  if (row.runs_at.has_value()) {
    ASSERT_TRUE(accepted.ok()) << row.text << ": " << accepted.status();
    EXPECT_EQ(*accepted, row.text);
    EXPECT_EQ(agent, *row.runs_at) << row.text;
  } else {
    EXPECT_FALSE(accepted.ok()) << row.text;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, UpdateStatusIntervalTest,
    ::testing::Values(Row{"1m", std::chrono::minutes(1)}, Row{"90s", milliseconds(90000)},
                      Row{"1m30s", milliseconds(90000)}, Row{"1.5m", milliseconds(90000)},
                      Row{"+2m", std::chrono::minutes(2)}, Row{"60000ms", std::chrono::minutes(1)},
                      Row{"60000000us", std::chrono::minutes(1)}, Row{"60000000\xc2\xb5s", std::chrono::minutes(1)},
                      Row{"0.5h", std::chrono::minutes(30)}, Row{"59m60s", std::chrono::hours(1)},
                      Row{"1h", std::chrono::hours(1)},
                      // Fractions of a millisecond: the agent truncates what the controller checked.
                      Row{"60.0005s", milliseconds(60000)}, Row{"1m0.9999s", milliseconds(60999)},
                      // Below Juju's documented 1m, as charm test suites set it (Juju 3.6 runs it).
                      Row{"59.9999999s", milliseconds(59999)}, Row{"10s", milliseconds(10000)},
                      Row{"1s", milliseconds(1000)},
                      // Refused by both (below 1s, above 1h, or not a Go duration).
                      Row{"0.999s", std::nullopt}, Row{"1h0m0.000000001s", std::nullopt}, Row{"2h", std::nullopt}, Row{"-5m", std::nullopt},
                      Row{"0", std::nullopt}, Row{"300", std::nullopt}, Row{"5 m", std::nullopt},
                      Row{"5M", std::nullopt}, Row{"", std::nullopt}, Row{"inf", std::nullopt}));

TEST(UpdateStatusIntervalAgentTest, MalformedOrMissingKeepsTheDefault) {
  google::protobuf::Map<std::string, std::string> config;
  EXPECT_EQ(agent::UpdateStatusIntervalFrom(config, kFallback), kFallback);
  for (const char* text : {"soon", "300", "0", "0s", "-1m"}) {
    config[kKey] = text;
    EXPECT_EQ(agent::UpdateStatusIntervalFrom(config, kFallback), kFallback) << text;
  }
}

TEST(UpdateStatusIntervalAgentTest, ControllerMessagesAreGos) {
  auto refused = controller::domain::model::ValidateModelConfigValue(kKey, "300");
  EXPECT_EQ(refused.status().message(), "update-status-hook-interval: time: missing unit in duration \"300\"");
  refused = controller::domain::model::ValidateModelConfigValue(kKey, "soon");
  EXPECT_EQ(refused.status().message(), "update-status-hook-interval: time: invalid duration \"soon\"");
  refused = controller::domain::model::ValidateModelConfigValue(kKey, "0.9s");
  EXPECT_EQ(refused.status().message(), "update status hook frequency 0.9s cannot be less than 1s");
  // What charm test suites set (jubilant's own tests): Juju 3.6 runs it, and so do we.
  EXPECT_EQ(*controller::domain::model::ValidateModelConfigValue(kKey, "10s"), "10s");
}

}  // namespace
}  // namespace skein
