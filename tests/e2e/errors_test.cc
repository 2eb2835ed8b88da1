// Hook errors, `skein resolved` and automatic retries, end to end (juju-semantics §1.7), with
// the `flaky` test charm: its `fail-on` hook writes `ran=<hook>` to its peer bag and fails
// until the `marker` file exists.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class ErrorsTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string Path(const std::string& name) { return cluster_.scratch_dir() + "/" + name; }
  void Deploy(const std::string& app) {
    Ok({"deploy", TestCharm("flaky"), app, "--config", "log-path=" + Path(app + ".log"), "--config",
        "fail-on=config-changed", "--config", "marker=" + Path(app + ".marker")});
  }
  bool WaitForError(const std::string& unit) {
    return cluster_.WaitForStatus([&](const json& s) { return AgentStatus(s, unit) == "error"; });
  }
  // The `ran` key of the unit's own peer bag ("" when absent).
  std::string PeerRan(const std::string& unit) {
    CliResult r = cluster_.Skein({"show-unit", unit, "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    json doc = json::parse(r.out, nullptr, false);
    if (!doc.contains(unit) || !doc[unit].contains("relation-info")) return "";
    for (const auto& rel : doc[unit]["relation-info"]) {
      if (rel.value("endpoint", "") != "cluster") continue;
      return rel["local-unit"]["data"].value("ran", "");
    }
    return "";
  }
  static void Touch(const std::string& path) { std::ofstream(path) << "ok\n"; }

  Cluster cluster_;
};

TEST_F(ErrorsTest, ModelConfigResolvedNoRetryAndAutomaticRetry) {
  Ok({"bootstrap"});
  Ok({"add-model", "errors"});

  // model-config: Juju's defaults, then the model's own value.
  CliResult mc = cluster_.Skein({"model-config", "--format", "json"});
  ASSERT_EQ(mc.code, 0) << mc.err;
  json config = json::parse(mc.out);
  EXPECT_EQ(config["update-status-hook-interval"], (json{{"Value", "5m"}, {"Source", "default"}}));
  EXPECT_EQ(config["automatically-retry-hooks"], (json{{"Value", true}, {"Source", "default"}}));
  Ok({"model-config", "automatically-retry-hooks=false"});
  mc = cluster_.Skein({"model-config", "automatically-retry-hooks"});
  EXPECT_EQ(mc.out, "false\n");
  mc = cluster_.Skein({"model-config", "update-status-hook-interval=500ms"});
  EXPECT_EQ(mc.code, 1);
  EXPECT_EQ(mc.err, "ERROR update status hook frequency 500ms cannot be less than 1s\n");

  // (1) No automatic retry: the unit stays in error until `resolved` re-runs the hook.
  Deploy("flaky");
  ASSERT_TRUE(WaitForError("flaky/0"));
  json s = cluster_.Status();
  EXPECT_EQ(AgentMessage(s, "flaky/0"), "hook failed: \"config-changed\"");
  EXPECT_EQ(WorkloadStatus(s, "flaky/0"), "error");
  CliResult r = cluster_.Skein({"resolved", "nope/0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR unit \"nope/0\" not found\n");
  Touch(Path("flaky.marker"));
  Ok({"resolved", "flaky/0"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) { return UnitSettled(st, "flaky/0", "active"); }));
  std::vector<std::string> hooks = ReadLines(Path("flaky.log"));
  ASSERT_GE(hooks.size(), 3u);
  EXPECT_EQ(std::count(hooks.begin(), hooks.end(), "config-changed"), 2);
  EXPECT_EQ(hooks.back(), "start");
  EXPECT_EQ(PeerRan("flaky/0"), "config-changed");
  r = cluster_.Skein({"resolved", "flaky/0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR unit \"flaky/0\" is not in an error state\n");

  // (2) --no-retry: the hook counts as run without its data; start still follows.
  Deploy("skipper");
  ASSERT_TRUE(WaitForError("skipper/0"));
  Ok({"resolve", "skipper/0", "--no-retry"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) { return UnitSettled(st, "skipper/0", "active"); }));
  hooks = ReadLines(Path("skipper.log"));
  EXPECT_EQ(std::count(hooks.begin(), hooks.end(), "config-changed"), 1);
  EXPECT_EQ(hooks.back(), "start");
  EXPECT_EQ(PeerRan("skipper/0"), "");

  // (3) Automatic retry (Juju's first retry after 5 s) re-runs the hook by itself.
  Ok({"model-config", "--reset", "automatically-retry-hooks"});
  Deploy("retrier");
  ASSERT_TRUE(WaitForError("retrier/0"));
  Touch(Path("retrier.marker"));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) { return UnitSettled(st, "retrier/0", "active"); },
                                     std::chrono::seconds(40)));
  hooks = ReadLines(Path("retrier.log"));
  EXPECT_GE(std::count(hooks.begin(), hooks.end(), "config-changed"), 2);
  EXPECT_EQ(hooks.back(), "start");
  EXPECT_EQ(PeerRan("retrier/0"), "config-changed");

  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
