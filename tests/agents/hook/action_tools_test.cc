// Contract tests for action-get, action-set, action-log, action-fail (juju-semantics §3.3).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The fake context with an action running (when `params` is set).
class ActionContext : public FakeHookContext {
 public:
  explicit ActionContext(std::optional<nlohmann::json> params) : FakeHookContext("app/0", ""), params_(params) {}

  std::string ActionName() const override { return params_ ? "backup" : ""; }
  absl::StatusOr<nlohmann::json> ActionParams() override {
    if (!params_) return NotRunningAnAction();
    return *params_;
  }
  absl::Status SetActionResults(const nlohmann::json& results) override {
    if (!params_) return NotRunningAnAction();
    results_.merge_patch(results);
    return absl::OkStatus();
  }
  absl::Status ActionLog(const std::string& message) override {
    if (!params_) return NotRunningAnAction();
    log_.push_back(message);
    return absl::OkStatus();
  }
  absl::Status ActionFail(const std::string& message) override {
    if (!params_) return NotRunningAnAction();
    failure_ = message;
    return absl::OkStatus();
  }

  nlohmann::json results_ = nlohmann::json::object();
  std::vector<std::string> log_;
  std::optional<std::string> failure_;

 private:
  std::optional<nlohmann::json> params_;
};

nlohmann::json Params() {
  return {{"target", "/tmp"}, {"count", 3}, {"opts", {{"level", 1}, {"name", "x"}}}, {"empty", nlohmann::json::object()}};
}

TEST(ActionToolsTest, ActionGetPrintsTheWholeMapOrAKeyPath) {
  ActionContext ctx(Params());
  EXPECT_EQ(ctx.Run("action-get", {"--format=json"}).out,
            "{\"count\":3,\"empty\":{},\"opts\":{\"level\":1,\"name\":\"x\"},\"target\":\"/tmp\"}\n");
  EXPECT_EQ(ctx.Run("action-get", {"target"}).out, "/tmp\n");
  EXPECT_EQ(ctx.Run("action-get", {"opts.level"}).out, "1\n");
  EXPECT_EQ(ctx.Run("action-get", {"--format=json", "opts"}).out, "{\"level\":1,\"name\":\"x\"}\n");
  ToolResult missing = ctx.Run("action-get", {"nope.deeper"});
  EXPECT_EQ(missing.code, 0);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(ctx.Run("action-get", {"a", "b"}).code, 2);
}

TEST(ActionToolsTest, ActionGetMapIsNeverNull) {
  ActionContext ctx(nlohmann::json::object());
  EXPECT_EQ(ctx.Run("action-get", {"--format=json"}).out, "{}\n");
}

TEST(ActionToolsTest, ActionSetBuildsNestedStringResults) {
  ActionContext ctx(Params());
  ToolResult r = ctx.Run("action-set", {"outfile.size=10G", "foo=bar", "foo-2.a.b=c=d", "n=1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ctx.results_, (nlohmann::json{{"outfile", {{"size", "10G"}}},
                                          {"foo", "bar"},
                                          {"foo-2", {{"a", {{"b", "c=d"}}}}},
                                          {"n", "1"}}));
  ASSERT_EQ(ctx.Run("action-set", {"outfile.count=2"}).code, 0);
  EXPECT_EQ(ctx.results_["outfile"], (nlohmann::json{{"size", "10G"}, {"count", "2"}}));
}

TEST(ActionToolsTest, ActionSetRejectsBadAndReservedKeys) {
  ActionContext ctx(Params());
  for (const std::string bad : {"Foo=1", "a.B=1", "a-=1", "a_b=1", "a..b=1", "a.=1"}) {
    ToolResult r = ctx.Run("action-set", {bad});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_THAT(r.err, HasSubstr("must start and end with lowercase alphanumeric")) << bad;
  }
  for (const std::string reserved : {"stdout", "stdout-encoding", "stderr", "stderr-encoding"}) {
    ToolResult r = ctx.Run("action-set", {reserved + "=x"});
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "ERROR cannot set reserved action key \"" + reserved + "\"\n");
  }
  ToolResult r = ctx.Run("action-set", {"novalue"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("must be of the form key...=value"));
  EXPECT_EQ(ctx.Run("action-set", {}).code, 2);
  EXPECT_EQ(ctx.results_, nlohmann::json::object()) << "nothing set by a refused call";
  EXPECT_EQ(ctx.Run("action-set", {"stdout-x=ok", "a.stdout=ok"}).code, 0) << "only the exact top-level keys";
}

TEST(ActionToolsTest, ActionLogAndFail) {
  ActionContext ctx(Params());
  ASSERT_EQ(ctx.Run("action-log", {"step", "one"}).code, 0);
  EXPECT_THAT(ctx.log_, ElementsAre("step one"));
  EXPECT_EQ(ctx.Run("action-log", {}).code, 2);
  ASSERT_EQ(ctx.Run("action-fail", {}).code, 0);
  EXPECT_EQ(ctx.failure_, "action failed without reason given, check action for errors");
  ASSERT_EQ(ctx.Run("action-fail", {"disk full"}).code, 0);
  EXPECT_EQ(ctx.failure_, "disk full");
  EXPECT_EQ(ctx.Run("action-fail", {"a", "b"}).code, 2);
}

TEST(ActionToolsTest, OutsideAnActionEveryToolFails) {
  ActionContext ctx(std::nullopt);
  for (const auto& [tool, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"action-get", {}}, {"action-set", {"a=b"}}, {"action-log", {"m"}}, {"action-fail", {}}}) {
    ToolResult r = ctx.Run(tool, args);
    EXPECT_EQ(r.code, 1) << tool;
    EXPECT_EQ(r.err, "ERROR not running an action\n") << tool;
  }
}

}  // namespace
}  // namespace skein::agent::testing
