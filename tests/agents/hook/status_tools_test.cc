// Contract tests for status-set, status-get, application-version-set.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

class StatusToolsTest : public ::testing::Test {
 protected:
  StatusToolsTest() : ctx_("wordpress/0", "config-changed") {
    ctx_.unit_status = {"active", "ready", nlohmann::json{{"k", "v"}}};
    ctx_.app_status.application = {"blocked", "need db", nlohmann::json::object()};
    ctx_.app_status.units["wordpress/0"] = {"active", "ready", nlohmann::json::object()};
    ctx_.app_status.units["wordpress/1"] = {"waiting", "", nlohmann::json::object()};
  }
  FakeHookContext ctx_;
};

TEST_F(StatusToolsTest, StatusSetBothOpsGenerations) {
  // ops >= 3.4 puts `--` before the message and passes an empty one too.
  EXPECT_EQ(ctx_.Run("status-set", {"--application=False", "active", "--", "ready"}).code, 0);
  EXPECT_EQ(ctx_.Run("status-set", {"--application=True", "blocked", "--", ""}).code, 0);
  // ops 2.x: no `--`.
  EXPECT_EQ(ctx_.Run("status-set", {"--application=True", "active", "app ok"}).code, 0);
  // A message starting with '-' after `--`.
  EXPECT_EQ(ctx_.Run("status-set", {"maintenance", "--", "-1 to go"}).code, 0);
  ASSERT_EQ(ctx_.status_sets.size(), 4u);
  EXPECT_FALSE(ctx_.status_sets[0].first);
  EXPECT_EQ(ctx_.status_sets[0].second.status, "active");
  EXPECT_EQ(ctx_.status_sets[0].second.message, "ready");
  EXPECT_TRUE(ctx_.status_sets[1].first);
  EXPECT_EQ(ctx_.status_sets[1].second.status, "blocked");
  EXPECT_EQ(ctx_.status_sets[1].second.message, "");
  EXPECT_EQ(ctx_.status_sets[2].second.message, "app ok");
  EXPECT_EQ(ctx_.status_sets[3].second.message, "-1 to go");
}

TEST_F(StatusToolsTest, StatusSetErrors) {
  ToolResult r = ctx_.Run("status-set", {"error", "broken"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid status \"error\", expected one of [maintenance blocked waiting active]\n");
  r = ctx_.Run("status-set", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid args, require <status> [message]\n");
  r = ctx_.Run("status-set", {"active", "a", "b"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"b\"]\n");
  ctx_.leader = false;
  r = ctx_.Run("status-set", {"--application", "active"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR this unit is not the leader\n");
  EXPECT_THAT(ctx_.status_sets, IsEmpty());
}

TEST_F(StatusToolsTest, StatusGetUnit) {
  EXPECT_EQ(ctx_.Run("status-get", {}).out, "active\n");
  EXPECT_EQ(ctx_.Run("status-get", {"--format=json"}).out, "{\"status\":\"active\"}\n");
  EXPECT_EQ(ctx_.Run("status-get", {"--format=yaml"}).out, "status: active\n");
  // The exact ops >= 3.4 call.
  EXPECT_EQ(ctx_.Run("status-get", {"--include-data", "--format=json", "--application=false"}).out,
            "{\"message\":\"ready\",\"status\":\"active\",\"status-data\":{\"k\":\"v\"}}\n");
  EXPECT_EQ(ctx_.Run("status-get", {"--include-data"}).out, "message: ready\nstatus: active\nstatus-data:\n  k: v\n");
}

TEST_F(StatusToolsTest, StatusGetIncludeDataAlwaysHasStatusData) {
  ctx_.unit_status = {"maintenance", "", nlohmann::json::object()};
  EXPECT_EQ(ctx_.Run("status-get", {"--include-data", "--format=json"}).out,
            "{\"message\":\"\",\"status\":\"maintenance\",\"status-data\":{}}\n");
}

TEST_F(StatusToolsTest, StatusGetApplication) {
  EXPECT_EQ(ctx_.Run("status-get", {"--application"}).out, "blocked\n");
  EXPECT_EQ(ctx_.Run("status-get", {"--application=true", "--format=json"}).out,
            "{\"application-status\":{\"status\":\"blocked\",\"units\":{\"wordpress/0\":{\"status\":\"active\"},"
            "\"wordpress/1\":{\"status\":\"waiting\"}}}}\n");
  EXPECT_EQ(ctx_.Run("status-get", {"--application=true", "--include-data", "--format=json"}).out,
            "{\"application-status\":{\"message\":\"need db\",\"status\":\"blocked\",\"status-data\":{},"
            "\"units\":{\"wordpress/0\":{\"message\":\"ready\",\"status\":\"active\",\"status-data\":{}},"
            "\"wordpress/1\":{\"message\":\"\",\"status\":\"waiting\",\"status-data\":{}}}}}\n");
  EXPECT_EQ(ctx_.Run("status-get", {"--application", "--format=yaml"}).out,
            "application-status:\n  status: blocked\n  units:\n    wordpress/0:\n      status: active\n"
            "    wordpress/1:\n      status: waiting\n");
}

TEST_F(StatusToolsTest, StatusGetApplicationNeedsLeadership) {
  ctx_.leader = false;
  ToolResult r = ctx_.Run("status-get", {"--application=true", "--format=json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ERROR finding application status: this unit is not the leader\n");
  r = ctx_.Run("status-get", {"positional"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"positional\"]\n");
}

TEST_F(StatusToolsTest, ApplicationVersionSet) {
  EXPECT_EQ(ctx_.Run("application-version-set", {"--", "1.2.3"}).code, 0);
  EXPECT_EQ(ctx_.workload_version, "1.2.3");
  EXPECT_EQ(ctx_.Run("application-version-set", {"-rc1"}).code, 2);  // `-rc1` is a flag without `--`
  EXPECT_EQ(ctx_.Run("application-version-set", {"--", "-rc1"}).code, 0);
  EXPECT_EQ(ctx_.workload_version, "-rc1");
  ToolResult r = ctx_.Run("application-version-set", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no version specified\n");
  r = ctx_.Run("application-version-set", {"1", "2"});
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"2\"]\n");
}

TEST_F(StatusToolsTest, Help) {
  for (const char* tool : {"status-set", "status-get", "application-version-set"}) {
    ToolResult r = ctx_.Run(tool, {"--help"});
    EXPECT_EQ(r.code, 0) << tool;
    EXPECT_THAT(r.out, HasSubstr(std::string("Usage: ") + tool)) << tool;
  }
  EXPECT_EQ(ctx_.Run("application-version-set", {"-h"}).out.rfind("Usage: application-version-set <new-version>\n", 0),
            0u);
}

}  // namespace
}  // namespace skein::agent::testing
