// Actions end to end (juju-semantics §1.7, §9.3; juju-cli-client-contract §3.9, §6): `skein run`
// and `skein show-task` against the real binaries with the `actioner` test charm, checking what
// jubilant checks: the JSON task shape, exit codes and the stderr substrings.

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class ActionsTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  // `skein run --format json`, returning the exit code and the task of the only unit.
  json Run(const std::vector<std::string>& args, CliResult* result) {
    std::vector<std::string> argv = {"run", "--format", "json"};
    argv.insert(argv.end(), args.begin(), args.end());
    *result = cluster_.Skein(argv);
    json doc = json::parse(result->out, nullptr, false);
    if (!doc.is_object() || doc.empty()) return json();
    return doc.begin().value();
  }

  Cluster cluster_;
};

TEST_F(ActionsTest, RunShowTaskAndFailuresEvenInHookError) {
  Ok({"bootstrap"});
  Ok({"add-model", "acts"});
  Ok({"deploy", TestCharm("actioner")});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "actioner/0", "active"); }))
      << "unit never settled";

  // Params, defaults, results, stdout, log, environment.
  CliResult r;
  json task = Run({"actioner/0", "echo", "message=hello"}, &r);
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.err.find("Running operation "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" on unit-actioner-0"), std::string::npos) << r.err;
  EXPECT_EQ(task.value("status", ""), "completed") << task.dump();
  EXPECT_EQ(task.value("unit", ""), "actioner/0");
  ASSERT_TRUE(task.contains("results")) << task.dump();
  const json& res = task["results"];
  EXPECT_EQ(res["return-code"], 0);
  EXPECT_TRUE(res["return-code"].is_number_integer());
  EXPECT_EQ(res.value("message", ""), "hello");
  EXPECT_EQ(res.value("count", ""), "3");
  EXPECT_EQ(res.value("mode", ""), "fast");
  EXPECT_EQ(res.value("stdout", ""), "echoed hello\n");
  EXPECT_FALSE(res.contains("stderr"));
  EXPECT_EQ(res["env"].value("hook-name", ""), "empty");
  EXPECT_EQ(res["env"].value("dispatch-path", ""), "actions/echo");
  EXPECT_EQ(res["env"].value("action-name", ""), "echo");
  std::string id = task.value("id", "");
  EXPECT_EQ(res["env"].value("action-uuid", ""), id);
  EXPECT_EQ(res["env"].value("action-tag", ""), "action-" + id);
  ASSERT_TRUE(task.contains("log") && task["log"].size() == 1) << task.dump();
  EXPECT_NE(task["log"][0].get<std::string>().find("echo starting"), std::string::npos);

  // show-task returns the same task.
  CliResult shown = cluster_.Skein({"show-task", id, "--format", "json"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  json shown_doc = json::parse(shown.out, nullptr, false);
  EXPECT_EQ(shown_doc.value("status", ""), "completed");
  EXPECT_EQ(shown_doc["results"].value("message", ""), "hello");

  // Schema violations and unknown actions are refused before anything runs.
  r = cluster_.Skein({"run", "actioner/0", "echo", "message=hi", "bogus=1"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("additional property \"bogus\" is not allowed"), std::string::npos) << r.err;
  r = cluster_.Skein({"run", "actioner/0", "echo"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("\"message\" property is missing and required"), std::string::npos) << r.err;
  r = cluster_.Skein({"run", "actioner/0", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("action \"nope\" not defined on unit \"actioner/0\" (not found)"), std::string::npos) << r.err;

  // Put the unit in hook error: actions still run and do not change that.
  Ok({"config", "actioner", "fail-config-changed=true"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return AgentStatus(s, "actioner/0") == "error"; }))
      << "unit never went into error";

  // action-fail: failed with its message, return code 0, exit 0 (jubilant raises TaskError).
  task = Run({"actioner/leader", "fail"}, &r);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(task.value("status", ""), "failed") << task.dump();
  EXPECT_EQ(task.value("message", ""), "it broke");
  EXPECT_EQ(task["results"]["return-code"], 0);
  EXPECT_EQ(task["results"].value("partial", ""), "yes");

  // Non-zero exit: failed, `exit status 3`, stdout and stderr captured, exit 1 `task failed`.
  task = Run({"actioner/0", "exit-nonzero"}, &r);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("task failed"), std::string::npos) << r.err;
  EXPECT_EQ(task.value("status", ""), "failed") << task.dump();
  EXPECT_EQ(task.value("message", ""), "exit status 3");
  EXPECT_EQ(task["results"]["return-code"], 3);
  EXPECT_EQ(task["results"].value("stdout", ""), "to stdout\n");
  EXPECT_EQ(task["results"].value("stderr", ""), "to stderr\n");

  // A declared action without a handler.
  task = Run({"actioner/0", "missing"}, &r);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(task.value("status", ""), "failed") << task.dump();
  EXPECT_EQ(task.value("message", ""), "action not implemented on unit \"actioner/0\"");

  // --background schedules; show-task --wait collects the result.
  r = cluster_.Skein({"run", "actioner/0", "echo", "message=later", "count=7", "--background"});
  ASSERT_EQ(r.code, 0) << r.err;
  size_t at = r.err.find("with task ");
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string bg_id = r.err.substr(at + 10, r.err.find('\n', at) - at - 10);
  EXPECT_NE(r.err.find("Check task status with 'skein show-task " + bg_id + "'"), std::string::npos) << r.err;
  shown = cluster_.Skein({"show-task", bg_id, "--format", "json", "--wait", "30s"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  shown_doc = json::parse(shown.out, nullptr, false);
  EXPECT_EQ(shown_doc.value("status", ""), "completed") << shown.out;
  EXPECT_EQ(shown_doc["results"].value("count", ""), "7");

  // The unit is still in the hook error it was in before the actions.
  EXPECT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return AgentStatus(s, "actioner/0") == "error" && AgentMessage(s, "actioner/0") == "hook failed: \"config-changed\"";
  }));

  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
