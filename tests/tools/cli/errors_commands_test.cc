// `skein resolved` and `skein model-config`: argument errors and the model-config documents
// (juju-cli-client-contract §3.19: json {key: {"Value", "Source"}}).

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/output/model_config_output.h"

namespace skein::cli::commands {
namespace {

using testing::CliRun;
using testing::RunSkein;
using testing::TempDir;
using testing::UsageCase;
using testing::UsageErrorTest;

INSTANTIATE_TEST_SUITE_P(
    Errors, UsageErrorTest,
    ::testing::Values(UsageCase{{"resolved"}, "no unit specified"},
                      UsageCase{{"resolve", "app"}, "invalid unit name \"app\""},
                      UsageCase{{"resolved", "app/0", "--all"}, "specifying unit names(s) with --all not supported"},
                      UsageCase{{"model-config", "a", "b"}, "can only retrieve a single value, or all values"},
                      UsageCase{{"model-config", "a", "b=1"}, "cannot set and retrieve values simultaneously"},
                      UsageCase{{"model-config", "a=1", "--reset", "a"}, "cannot set and reset key \"a\" simultaneously"},
                      UsageCase{{"model-config", "=1"}, "expected \"key=value\", got \"=1\""},
                      UsageCase{{"model-config", "--format", "xml"},
                                "invalid value \"xml\" for option --format: unknown format \"xml\""}));

skein::v1::GetModelConfigResponse Sample() {
  skein::v1::GetModelConfigResponse r;
  auto add = [&](const std::string& k, const std::string& v, const std::string& src) {
    auto* e = r.add_entries();
    e->set_key(k);
    e->set_value(v);
    e->set_source(src);
  };
  add("automatically-retry-hooks", "false", "model");
  add("empty", "", "model");
  add("update-status-hook-interval", "5m", "default");
  return r;
}

TEST(ModelConfigOutputTest, JsonHasCapitalisedValueAndSourceWithTypedBools) {
  nlohmann::json j = output::ModelConfigToJson(Sample(), /*capitalised=*/true);
  EXPECT_EQ(j["automatically-retry-hooks"], (nlohmann::json{{"Value", false}, {"Source", "model"}}));
  EXPECT_EQ(j["update-status-hook-interval"], (nlohmann::json{{"Value", "5m"}, {"Source", "default"}}));
  nlohmann::json y = output::ModelConfigToJson(Sample(), /*capitalised=*/false);
  EXPECT_EQ(y["update-status-hook-interval"], (nlohmann::json{{"value", "5m"}, {"source", "default"}}));
}

TEST(ModelConfigOutputTest, TabularIsAttributeFromValue) {
  EXPECT_EQ(output::ModelConfigTabular(Sample()),
            "Attribute                    From     Value\n"
            "automatically-retry-hooks    model    false\n"
            "empty                        model    \"\"\n"
            "update-status-hook-interval  default  5m\n");
}

}  // namespace
}  // namespace skein::cli::commands
