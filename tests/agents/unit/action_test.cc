// The agent side of actions: the resolver runs queued actions (even while a hook is in error),
// the local state remembers the last one, the environment and output rules of juju-semantics
// §2.1/§2.4, and the runner finding `actions/<name>`.

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "agents/unit/operation/run_action.h"
#include "agents/unit/resolver/resolver.h"
#include "gtest/gtest.h"

namespace skein::agent {
namespace {

v1::UnitSnapshot Snapshot() {
  v1::UnitSnapshot s;
  s.set_unit("app/0");
  s.set_application("app");
  s.set_life(v1::LIFE_ALIVE);
  s.mutable_charm()->set_url("local:app-0");
  s.mutable_charm()->set_sha256("sha-1");
  s.set_config_json("{}");
  return s;
}

LocalState Started(const v1::UnitSnapshot& s) {
  LocalState local;
  local.installed = local.started = true;
  local.charm_url = "local:app-0";
  local.charm_sha256 = "sha-1";
  local.config_hash = resolver::ConfigHash(s);
  local.leader_settings_version = 0;
  return local;
}

void Queue(v1::UnitSnapshot& s, const std::string& id, const std::string& name) {
  v1::PendingAction* a = s.add_actions();
  a->set_task_id(id);
  a->set_name(name);
  a->set_params_json("{}");
}

TEST(ActionResolverTest, RunsQueuedActionsOldestFirstAndOnlyOnce) {
  v1::UnitSnapshot s = Snapshot();
  LocalState local = Started(s);
  EXPECT_EQ(resolver::NextOp(local, s).kind, OperationKind::kNone);
  Queue(s, "2", "backup");
  Queue(s, "4", "restore");
  resolver::Op op = resolver::NextOp(local, s);
  ASSERT_EQ(op.kind, OperationKind::kRunAction);
  EXPECT_EQ(op.action.task_id(), "2");
  resolver::RecordOp(local, op);
  EXPECT_EQ(local.last_action_id, 2);
  // The snapshot still lists task 2 until the controller drops it; it does not run twice.
  op = resolver::NextOp(local, s);
  ASSERT_EQ(op.kind, OperationKind::kRunAction);
  EXPECT_EQ(op.action.task_id(), "4");
  resolver::RecordOp(local, op);
  EXPECT_EQ(resolver::NextOp(local, s).kind, OperationKind::kNone);
}

TEST(ActionResolverTest, ActionsRunWhileAHookIsInErrorAndKeepTheError) {
  v1::UnitSnapshot s = Snapshot();
  LocalState local = Started(s);
  local.operation.kind = OperationKind::kRunHook;
  local.operation.hook.kind = HookKind::kConfigChanged;
  local.operation.failed = true;
  Queue(s, "2", "backup");
  resolver::Op op = resolver::NextOp(local, s);
  ASSERT_EQ(op.kind, OperationKind::kRunAction);
  resolver::RecordOp(local, op);
  EXPECT_TRUE(local.operation.failed) << "an action never clears (or sets) the hook error";
  EXPECT_EQ(local.operation.hook.kind, HookKind::kConfigChanged);
  EXPECT_NE(resolver::NextOp(local, s).kind, OperationKind::kRunAction);
}

TEST(ActionResolverTest, NoActionsWhileDyingOrBeforeTheCharmIsOnDisk) {
  v1::UnitSnapshot s = Snapshot();
  Queue(s, "2", "backup");
  LocalState fresh;
  EXPECT_NE(resolver::NextOp(fresh, s).kind, OperationKind::kRunAction);
  LocalState local = Started(s);
  s.set_life(v1::LIFE_DYING);
  EXPECT_NE(resolver::NextOp(local, s).kind, OperationKind::kRunAction);
}

TEST(ActionResolverTest, LastActionIdSurvivesARestart) {
  LocalState local;
  local.last_action_id = 42;
  auto back = LocalStateFromJson(ToJson(local));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->last_action_id, 42);
}

TEST(ActionEnvironmentTest, HasJujusActionVariables) {
  UnitEnvironment unit;
  unit.unit = "app/0";
  unit.charm_dir = "/charm";
  auto env = ActionEnvironment(unit, "backup", "7", "ctx-1");
  EXPECT_EQ(env.at("JUJU_HOOK_NAME"), "");
  EXPECT_EQ(env.at("JUJU_DISPATCH_PATH"), "actions/backup");
  EXPECT_EQ(env.at("JUJU_ACTION_NAME"), "backup");
  EXPECT_EQ(env.at("JUJU_ACTION_UUID"), "7");
  EXPECT_EQ(env.at("JUJU_ACTION_TAG"), "action-7");
  EXPECT_EQ(env.at("JUJU_CONTEXT_ID"), "ctx-1");
  EXPECT_EQ(env.at("JUJU_UNIT_NAME"), "app/0");
  EXPECT_EQ(env.count("JUJU_RELATION"), 0u);
}

TEST(ActionOutputTest, Utf8AsTextElseBase64WithEncoding) {
  nlohmann::json results = nlohmann::json::object();
  PutOutput(results, "stdout", "héllo\n");
  PutOutput(results, "stderr", std::string("\xff\xfe", 2));
  PutOutput(results, "other", "");
  EXPECT_EQ(results["stdout"], "héllo\n");
  EXPECT_FALSE(results.contains("stdout-encoding"));
  EXPECT_EQ(results["stderr"], "//4=");
  EXPECT_EQ(results["stderr-encoding"], "base64");
  EXPECT_FALSE(results.contains("other")) << "empty output is left out";
}

TEST(ActionOutputTest, KeepsTheLastMebibyteOfALongOutput) {
  nlohmann::json results = nlohmann::json::object();
  std::string output = std::string(3 << 20, 'a') + std::string(1 << 20, 'z');
  PutOutput(results, "stdout", output);
  EXPECT_EQ(results["stdout"], std::string(1 << 20, 'z'));
}

TEST(ActionRunnerTest, RunsActionsDirAndReportsAMissingHandler) {
  char tmpl[] = "/tmp/skein-action-runner-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir(tmpl);
  std::ofstream(dir / "metadata.yaml") << "name: app\n";
  std::filesystem::create_directories(dir / "actions");
  std::ofstream(dir / "actions" / "hello") << "#!/bin/sh\necho \"hi $JUJU_ACTION_NAME\"\nexit 4\n";
  chmod((dir / "actions" / "hello").c_str(), 0755);
  CharmDirRunner runner(dir.string());
  std::string out;
  HookOutcome outcome = runner.Run("actions/hello", {{"JUJU_ACTION_NAME", "hello"}},
                                   [&](bool is_stderr, const std::string& line) { out += line; });
  EXPECT_EQ(outcome.kind, HookOutcome::Kind::kFailed);
  EXPECT_EQ(outcome.exit_code, 4);
  EXPECT_EQ(outcome.error, "exit status 4");
  EXPECT_EQ(out, "hi hello");
  EXPECT_EQ(runner.Run("actions/absent", {}, [](bool, const std::string&) {}).kind, HookOutcome::Kind::kMissing);
  std::filesystem::remove_all(dir);
}

// `skein exec`: the invocation's command runs with bash in the charm directory, with exactly the
// given environment, keeping its output byte for byte (no newline added) and its exit code.
TEST(ActionRunnerTest, RunsAnExecCommandInTheCharmDirWithItsEnvironment) {
  char tmpl[] = "/tmp/skein-exec-runner-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir(tmpl);
  std::ofstream(dir / "metadata.yaml") << "name: app\n";
  CharmDirRunner runner(dir.string());
  HookInvocation invocation;
  invocation.name = "actions/juju-exec";
  invocation.action = kExecActionName;
  invocation.env = {{"JUJU_UNIT_NAME", "app/0"}, {"PATH", "/usr/bin:/bin"}};
  invocation.command = "printf '%s' \"$JUJU_UNIT_NAME\"; pwd >&2; exit 5";
  std::vector<std::string> logged;
  HookOutcome outcome = runner.Run(invocation, [&](bool, const std::string& line) { logged.push_back(line); });
  EXPECT_TRUE(outcome.captured);
  EXPECT_EQ(outcome.exit_code, 5);
  EXPECT_EQ(outcome.stdout_text, "app/0");
  EXPECT_EQ(outcome.stderr_text, dir.string() + "\n");
  EXPECT_EQ(logged, (std::vector<std::string>{"app/0", dir.string()})) << "each line reaches the log";

  invocation.command = "true";
  outcome = runner.Run(invocation, [](bool, const std::string&) {});
  EXPECT_EQ(outcome.kind, HookOutcome::Kind::kOk);
  EXPECT_TRUE(outcome.captured);
  EXPECT_EQ(outcome.stdout_text, "");
  std::filesystem::remove_all(dir);
}

TEST(ActionResolverTest, ExecTasksQueueLikeActions) {
  v1::UnitSnapshot s = Snapshot();
  LocalState local = Started(s);
  local.operation.failed = true;
  Queue(s, "2", kExecActionName);
  resolver::Op op = resolver::NextOp(local, s);
  ASSERT_EQ(op.kind, OperationKind::kRunAction) << "an exec runs through the uniter's queue, even in hook error";
  EXPECT_EQ(op.action.name(), "juju-exec");
}

}  // namespace
}  // namespace skein::agent
