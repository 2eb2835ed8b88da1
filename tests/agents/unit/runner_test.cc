#include "agents/unit/hook/runner.h"

#include <signal.h>

#include <set>
#include <thread>

#include "absl/strings/str_split.h"
#include "agents/unit/hook/environment.h"
#include "gtest/gtest.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

using testing::WriteFile;

struct Captured {
  std::vector<std::string> out;
  std::vector<std::string> err;
  HookRunner::OutputFn Fn() {
    return [this](bool is_stderr, const std::string& line) { (is_stderr ? err : out).push_back(line); };
  }
};

UnitEnvironment TestUnit(const std::string& charm_dir) {
  UnitEnvironment u;
  u.charm_dir = charm_dir;
  u.agent_socket = "/agents/unit-app-0/agent.socket";
  u.tools_dir = "/agents/unit-app-0/tools";
  u.unit = "app/0";
  u.model_uuid = "uuid-1";
  u.model_name = "m";
  u.api_addresses = "127.0.0.1:17070";
  u.machine_id = "0";
  u.agent_path = "/usr/bin:/bin";
  return u;
}

std::map<std::string, std::string> ParseEnv(const std::vector<std::string>& lines) {
  std::map<std::string, std::string> env;
  for (const auto& line : lines) {
    auto eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

TEST(RunnerTest, HookSeesExactlyTheJujuEnvironmentAndRunsInTheCharmDir) {
  testing::TempDir dir;
  std::string charm = dir.path();
  WriteFile(charm + "/metadata.yaml", "name: app\n");
  WriteFile(charm + "/hooks/db-relation-departed", "#!/bin/sh\n/usr/bin/env\necho \"CWD=$(pwd)\" >&2\n", 0755);
  HookRelationEnv rel{"db", 7, "mysql", "mysql/1", "mysql/1"};
  auto env = HookEnvironment(TestUnit(charm), "db-relation-departed", "app/0-db-relation-departed-42", rel);
  CharmDirRunner runner(charm);
  Captured c;
  HookOutcome outcome = runner.Run("db-relation-departed", env, c.Fn());
  ASSERT_EQ(outcome.kind, HookOutcome::Kind::kOk) << outcome.error;

  std::map<std::string, std::string> seen = ParseEnv(c.out);
  std::set<std::string> keys;
  for (const auto& [k, v] : seen) keys.insert(k);
  // `PWD` and `SHLVL` are the shell's own; everything else came from the agent.
  keys.erase("PWD");
  keys.erase("SHLVL");
  keys.erase("_");
  EXPECT_EQ(keys, (std::set<std::string>{
                      "APT_LISTCHANGES_FRONTEND", "CHARM_DIR", "CLOUD_API_VERSION", "DEBIAN_FRONTEND",
                      "JUJU_AGENT_SOCKET_ADDRESS", "JUJU_AGENT_SOCKET_NETWORK", "JUJU_API_ADDRESSES",
                      "JUJU_AVAILABILITY_ZONE", "JUJU_CHARM_DIR", "JUJU_CHARM_FTP_PROXY", "JUJU_CHARM_HTTPS_PROXY",
                      "JUJU_CHARM_HTTP_PROXY", "JUJU_CHARM_NO_PROXY", "JUJU_CONTEXT_ID", "JUJU_DEPARTING_UNIT",
                      "JUJU_DISPATCH_PATH", "JUJU_HOOK_NAME", "JUJU_MACHINE_ID", "JUJU_MODEL_NAME", "JUJU_MODEL_UUID",
                      "JUJU_PRINCIPAL_UNIT", "JUJU_RELATION", "JUJU_RELATION_ID", "JUJU_REMOTE_APP",
                      "JUJU_REMOTE_UNIT", "JUJU_UNIT_NAME", "JUJU_VERSION", "LANG", "PATH", "TERM"}));
  EXPECT_EQ(seen["JUJU_CHARM_DIR"], charm);
  EXPECT_EQ(seen["CHARM_DIR"], charm);
  EXPECT_EQ(seen["JUJU_CONTEXT_ID"], "app/0-db-relation-departed-42");
  EXPECT_EQ(seen["JUJU_HOOK_NAME"], "db-relation-departed");
  EXPECT_EQ(seen["JUJU_DISPATCH_PATH"], "hooks/db-relation-departed");
  EXPECT_EQ(seen["JUJU_AGENT_SOCKET_ADDRESS"], "/agents/unit-app-0/agent.socket");
  EXPECT_EQ(seen["JUJU_AGENT_SOCKET_NETWORK"], "unix");
  EXPECT_EQ(seen["JUJU_UNIT_NAME"], "app/0");
  EXPECT_EQ(seen["JUJU_MODEL_UUID"], "uuid-1");
  EXPECT_EQ(seen["JUJU_MODEL_NAME"], "m");
  EXPECT_EQ(seen["JUJU_API_ADDRESSES"], "127.0.0.1:17070");
  EXPECT_EQ(seen["JUJU_MACHINE_ID"], "0");
  EXPECT_EQ(seen["JUJU_PRINCIPAL_UNIT"], "");
  EXPECT_EQ(seen["JUJU_VERSION"], "3.6.11");
  EXPECT_EQ(seen["JUJU_RELATION"], "db");
  EXPECT_EQ(seen["JUJU_RELATION_ID"], "db:7");
  EXPECT_EQ(seen["JUJU_REMOTE_APP"], "mysql");
  EXPECT_EQ(seen["JUJU_REMOTE_UNIT"], "mysql/1");
  EXPECT_EQ(seen["JUJU_DEPARTING_UNIT"], "mysql/1");
  EXPECT_EQ(seen["PATH"], "/agents/unit-app-0/tools:/usr/bin:/bin");
  EXPECT_EQ(seen["LANG"], "C.UTF-8");
  EXPECT_EQ(c.err, (std::vector<std::string>{"CWD=" + charm}));
}

TEST(RunnerTest, NonRelationHooksHaveNoRelationVariablesAndCreatedHasAnEmptyRemoteUnit) {
  auto plain = HookEnvironment(TestUnit("/c"), "install", "id", std::nullopt);
  EXPECT_EQ(plain.count("JUJU_RELATION"), 0u);
  EXPECT_EQ(plain.count("JUJU_REMOTE_UNIT"), 0u);
  auto created = HookEnvironment(TestUnit("/c"), "db-relation-created", "id", HookRelationEnv{"db", 1, "mysql", "", ""});
  ASSERT_EQ(created.count("JUJU_REMOTE_UNIT"), 1u);
  EXPECT_EQ(created["JUJU_REMOTE_UNIT"], "");
  EXPECT_EQ(created.count("JUJU_DEPARTING_UNIT"), 0u);
}

TEST(RunnerTest, WorkloadHooksNameTheirContainerNoticeOrCheckAndSubstrateVariablesReachEveryHook) {
  UnitEnvironment unit = TestUnit("/c");
  unit.substrate_env = {{"KUBERNETES_SERVICE_HOST", "127.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "6443"}};
  auto notice = HookEnvironment(unit, "web-pebble-custom-notice", "id", std::nullopt, std::nullopt, std::nullopt,
                                HookWorkloadEnv{"web", "7", "custom", "example.com/a", ""});
  EXPECT_EQ(notice["JUJU_WORKLOAD_NAME"], "web");
  EXPECT_EQ(notice["JUJU_NOTICE_ID"], "7");
  EXPECT_EQ(notice["JUJU_NOTICE_TYPE"], "custom");
  EXPECT_EQ(notice["JUJU_NOTICE_KEY"], "example.com/a");
  EXPECT_EQ(notice.count("JUJU_PEBBLE_CHECK_NAME"), 0u);
  EXPECT_EQ(notice["KUBERNETES_SERVICE_HOST"], "127.0.0.1");
  auto check = HookEnvironment(unit, "web-pebble-check-failed", "id", std::nullopt, std::nullopt, std::nullopt,
                               HookWorkloadEnv{"web", "", "", "", "up"});
  EXPECT_EQ(check["JUJU_PEBBLE_CHECK_NAME"], "up");
  EXPECT_EQ(check.count("JUJU_NOTICE_ID"), 0u);
  auto plain = HookEnvironment(TestUnit("/c"), "install", "id", std::nullopt);
  EXPECT_EQ(plain.count("JUJU_WORKLOAD_NAME"), 0u);
  EXPECT_EQ(plain.count("KUBERNETES_SERVICE_HOST"), 0u);
}

TEST(RunnerTest, DispatchWinsOverHooksAndGetsTheHookName) {
  testing::TempDir dir;
  WriteFile(dir.path() + "/metadata.yaml", "name: app\n");
  WriteFile(dir.path() + "/dispatch", "#!/bin/sh\necho \"dispatch $JUJU_DISPATCH_PATH\"\n", 0755);
  WriteFile(dir.path() + "/hooks/install", "#!/bin/sh\necho hooks\n", 0755);
  CharmDirRunner runner(dir.path());
  Captured c;
  auto env = HookEnvironment(TestUnit(dir.path()), "install", "id", std::nullopt);
  EXPECT_EQ(runner.Run("install", env, c.Fn()).kind, HookOutcome::Kind::kOk);
  EXPECT_EQ(c.out, (std::vector<std::string>{"dispatch hooks/install"}));
}

TEST(RunnerTest, MissingHookIsSkippedNotExecutableFailsNonZeroFails) {
  testing::TempDir dir;
  WriteFile(dir.path() + "/metadata.yaml", "name: app\n");
  WriteFile(dir.path() + "/dispatch", "#!/bin/sh\nexit 0\n", 0644);  // not executable: ignored
  WriteFile(dir.path() + "/hooks/start", "#!/bin/sh\nexit 0\n", 0644);
  WriteFile(dir.path() + "/hooks/stop", "#!/bin/sh\necho partial; printf 'no newline' >&2; exit 3\n", 0755);
  CharmDirRunner runner(dir.path());
  Captured c;
  EXPECT_EQ(runner.Run("install", {}, c.Fn()).kind, HookOutcome::Kind::kMissing);
  HookOutcome not_exec = runner.Run("start", {}, c.Fn());
  EXPECT_EQ(not_exec.kind, HookOutcome::Kind::kFailed);
  EXPECT_NE(not_exec.error.find("permission denied"), std::string::npos);
  HookOutcome failed = runner.Run("stop", {}, c.Fn());
  EXPECT_EQ(failed.kind, HookOutcome::Kind::kFailed);
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_EQ(c.out, (std::vector<std::string>{"partial"}));
  EXPECT_EQ(c.err, (std::vector<std::string>{"no newline"}));
}

TEST(RunnerTest, CharmWithoutMetadataIsMissingFromDisk) {
  testing::TempDir dir;
  CharmDirRunner runner(dir.path());
  HookOutcome o = runner.Run("install", {}, nullptr);
  EXPECT_EQ(o.kind, HookOutcome::Kind::kFailed);
  EXPECT_EQ(o.error, "charm missing from disk");
}

TEST(RunnerTest, BackgroundProcessHoldingStdoutDoesNotBlockTheHook) {
  testing::TempDir dir;
  WriteFile(dir.path() + "/metadata.yaml", "name: app\n");
  std::string pid_file = dir.path() + "/sleeper.pid";
  WriteFile(dir.path() + "/hooks/start", "#!/bin/sh\n/bin/sleep 30 &\necho $! > " + pid_file + "\necho started\n", 0755);
  CharmDirRunner runner(dir.path());
  Captured c;
  auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(runner.Run("start", {}, c.Fn()).kind, HookOutcome::Kind::kOk);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  EXPECT_EQ(c.out, (std::vector<std::string>{"started"}));
  pid_t sleeper = std::stoi(testing::ReadFile(pid_file));
  ::kill(sleeper, SIGKILL);
}

TEST(RunnerTest, KillStopsTheHookAndItsChildren) {
  testing::TempDir dir;
  WriteFile(dir.path() + "/metadata.yaml", "name: app\n");
  std::string marker = dir.path() + "/running";
  WriteFile(dir.path() + "/hooks/install", "#!/bin/sh\ntouch " + marker + "\n/bin/sleep 60\n", 0755);
  CharmDirRunner runner(dir.path());
  HookOutcome outcome;
  std::thread t([&] { outcome = runner.Run("install", {}, nullptr); });
  // Wait (with a deadline) until the hook is really running, then kill it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::filesystem::exists(marker) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(std::filesystem::exists(marker));
  runner.Kill();
  t.join();
  EXPECT_EQ(outcome.kind, HookOutcome::Kind::kKilled);
  // A killed runner runs nothing more: the agent is shutting down.
  EXPECT_EQ(runner.Run("install", {}, nullptr).kind, HookOutcome::Kind::kKilled);
}

}  // namespace
}  // namespace skein::agent
