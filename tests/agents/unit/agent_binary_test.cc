// The skein-agent binary (main.cc wiring) against the fake controller: hook tools over the agent
// socket, pid and socket files, SIGTERM handling.

#include <signal.h>

#include <filesystem>
#include <optional>
#include <thread>

#include "absl/strings/str_split.h"
#include "agents/unit/fault/fault.h"
#include "lib/base/agent_conf.h"
#include "gtest/gtest.h"
#include "lib/base/paths.h"
#include "lib/base/runtime_dir.h"
#include "lib/process/subprocess.h"
#include "tests/agents/unit/fake_agent_service.h"
#include "tests/agents/unit/test_util.h"
#include "tests/scoped_env.h"

namespace skein::agent {
namespace {

namespace fs = std::filesystem;

bool WaitForFile(const std::string& path, bool exists, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  // A poll on the condition with a deadline: files give no notification to wait on.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (fs::exists(path) != exists) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

class AgentBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = ExecutableDir() + "/skein-agent";
    if (!fs::exists(binary_)) GTEST_SKIP() << "skein-agent not built";
    agent_dir_ = dir_.path() + "/unit-app-0";
    fs::create_directories(agent_dir_);
    // The socket's runtime dir goes under the test's dir: XDG_RUNTIME_DIR, which the agent
    // inherits.
    runtime_ = dir_.path() + "/run";
    fs::create_directories(runtime_);
    fs::permissions(runtime_, fs::perms::owner_all);
    runtime_env_.emplace("XDG_RUNTIME_DIR", runtime_);
    hook_log_ = dir_.path() + "/hooks.log";
    v1::UnitSnapshot s;
    s.set_unit("app/0");
    s.set_application("app");
    s.set_leader(true);
    s.mutable_charm()->set_url("local:app-0");
    s.mutable_charm()->set_sha256("sha-1");
    s.set_config_json("{}");
    fake_.SetUnitSnapshot(s);
    fake_.Start();
    ASSERT_TRUE(WriteAgentConf(agent_dir_ + "/agent.conf", AgentConf{fake_.address(), "unit-app-0", "secret", "app/0",
                                                                     "0", testing::kFakeModelUuid, fake_.ca_pem()})
                    .ok());
  }

  void TearDown() override {
    if (pid_ > 0) process::Terminate(pid_, std::chrono::seconds(5));
    fake_.Shutdown();
  }

  void SetCharm(const std::string& dispatch, const std::string& url = "local:app-0",
                const std::string& version = "") {
    v1::CharmArchive charm;
    if (!version.empty()) {
      v1::CharmFile* v = charm.add_files();
      v->set_path("VERSION");
      v->set_content(version);
      v->set_mode(0644);
    }
    v1::CharmFile* meta = charm.add_files();
    meta->set_path("metadata.yaml");
    meta->set_content("name: app\n");
    meta->set_mode(0644);
    v1::CharmFile* d = charm.add_files();
    d->set_path("dispatch");
    d->set_content(dispatch);
    d->set_mode(0755);
    const std::string sha256 = fake_.SetCharm(charm);
    fake_.UpdateUnitSnapshot([&](v1::UnitSnapshot& s) {
      s.mutable_charm()->set_sha256(sha256);
      s.mutable_charm()->set_url(url);
    });
  }

  void StartAgent() {
    process::SpawnOptions o;
    o.argv = {binary_, "--data-dir", agent_dir_};
    o.stdout_path = dir_.path() + "/agent.out";
    o.stderr_path = dir_.path() + "/agent.out";
    auto pid = process::Spawn(o);
    ASSERT_TRUE(pid.ok()) << pid.status();
    pid_ = *pid;
  }

  // SIGTERM, then the exit code (or -1 when it did not exit in time).
  int StopAgent() {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto r = process::Reap(pid_, false)) {
        pid_ = 0;
        return r->exit_code;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  // The agent's exit, once it exits by itself (nullopt when it is still running after 20 s).
  std::optional<process::RunResult> WaitForExit() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::optional<process::RunResult> exited;
    while (!exited && std::chrono::steady_clock::now() < deadline) {
      exited = process::Reap(pid_, false);
      if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (exited) pid_ = 0;
    return exited;
  }

  // Where the agent's socket is: computed as the agent computes it, in the same environment.
  std::string SocketPath() const {
    return AgentSocketPath(UnitRuntimeDir(agent_dir_, testing::kFakeModelUuid, "app/0"));
  }

  testing::TempDir dir_;
  std::string binary_, agent_dir_, hook_log_, runtime_;
  std::optional<skein::testing::ScopedEnv> runtime_env_;
  testing::FakeAgentService fake_;
  pid_t pid_ = 0;
};

TEST_F(AgentBinaryTest, RunsHooksWithWorkingToolsAndCleansUpOnSigterm) {
  SetCharm("#!/bin/sh\n"
           "echo \"$JUJU_HOOK_NAME\" >> " + hook_log_ + "\n"
           "if [ \"$JUJU_HOOK_NAME\" = start ]; then status-set active \"serving\" || exit 1; fi\n");
  StartAgent();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.commits.size() >= 4; })) << testing::ReadFile(dir_.path() + "/agent.out");
  EXPECT_EQ(testing::ReadFile(hook_log_), "install\nleader-elected\nconfig-changed\nstart\n");
  // Statuses leave on the agent's ordered background queue; wait for start's.
  ASSERT_TRUE(fake_.WaitUntil([&] {
    for (const auto& st : fake_.statuses) {
      if (st.target == v1::SetStatusRequest::WORKLOAD && st.message == "serving") return true;
    }
    return false;
  }));
  auto workload = fake_.StatusesOf(v1::SetStatusRequest::WORKLOAD);
  ASSERT_FALSE(workload.empty());
  EXPECT_EQ(workload.back().status, "active");
  EXPECT_EQ(workload.back().message, "serving");
  EXPECT_TRUE(fs::exists(agent_dir_ + "/agent.pid"));
  EXPECT_TRUE(fs::is_socket(SocketPath())) << SocketPath();
  EXPECT_EQ(SocketPath().rfind(runtime_ + "/skein/", 0), 0u) << SocketPath();
  EXPECT_EQ(fs::status(fs::path(SocketPath()).parent_path()).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_FALSE(fs::exists(agent_dir_ + "/agent.socket")) << "sockets live in the runtime dir only";
  EXPECT_TRUE(fs::is_symlink(agent_dir_ + "/tools/relation-get"));
  EXPECT_TRUE(fs::exists(agent_dir_ + "/state.db"));
  EXPECT_NE(testing::ReadFile(agent_dir_ + "/agent.log").find("juju.worker.uniter"), std::string::npos);
  for (const auto& entity : fake_.entities) EXPECT_EQ(entity, "unit-app-0");

  EXPECT_EQ(StopAgent(), 0);
  EXPECT_FALSE(fs::exists(fs::path(SocketPath()).parent_path()));
  EXPECT_FALSE(fs::exists(agent_dir_ + "/agent.pid"));
}

TEST_F(AgentBinaryTest, SigtermDuringAHookKillsItAndTheHookRunsAgainAfterRestart) {
  std::string hook_pid = dir_.path() + "/hook.pid";
  SetCharm("#!/bin/sh\n"
           "echo \"$JUJU_HOOK_NAME\" >> " + hook_log_ + "\n"
           "if [ \"$JUJU_HOOK_NAME\" = install ] && [ ! -e " + dir_.path() + "/installed-once ]; then\n"
           "  touch " + dir_.path() + "/installed-once; echo $$ > " + hook_pid + "; exec /bin/sleep 60\n"
           "fi\n");
  StartAgent();
  ASSERT_TRUE(WaitForFile(hook_pid, true));
  pid_t hook = std::stoi(testing::ReadFile(hook_pid));
  EXPECT_EQ(StopAgent(), 0);
  EXPECT_FALSE(process::IsAlive(hook));
  EXPECT_TRUE(fake_.commits.empty());
  // Killed by the agent's shutdown: not an error, install runs again.
  for (const auto& s : fake_.statuses) EXPECT_NE(s.status, "error");
  StartAgent();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.commits.size() >= 4; }));
  EXPECT_EQ(testing::ReadFile(hook_log_), "install\ninstall\nleader-elected\nconfig-changed\nstart\n");
  EXPECT_EQ(StopAgent(), 0);
}

// Acceptance 3 of issue 13: an agent killed in the middle of the charm swap (the new charm is in
// place, the local state still names the old one) comes back on the new charm, keeps what the
// charm wrote into its dir, and runs upgrade-charm exactly once.
TEST_F(AgentBinaryTest, AgentKilledDuringTheCharmSwapResumesOnTheNewCharmAndUpgradesOnce) {
  const std::string dispatch = "#!/bin/sh\n"
                               "echo \"$JUJU_HOOK_NAME $(cat \"$JUJU_CHARM_DIR/VERSION\")\" >> " + hook_log_ + "\n"
                               "if [ \"$JUJU_HOOK_NAME\" = install ]; then echo kept > \"$JUJU_CHARM_DIR/.unit-state.db\"; fi\n";
  SetCharm(dispatch, "local:app-0", "1");
  skein::testing::ScopedEnv fault(fault::kEnvVar, "during-charm-swap:local:app-1");
  StartAgent();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.commits.size() >= 4; })) << testing::ReadFile(dir_.path() + "/agent.out");
  SetCharm(dispatch, "local:app-1", "2");
  std::optional<process::RunResult> killed = WaitForExit();
  ASSERT_TRUE(killed.has_value()) << "the fault point did not fire";
  EXPECT_EQ(killed->exit_code, 128 + SIGKILL);
  EXPECT_TRUE(fs::exists(agent_dir_ + "/fault-fired-during-charm-swap"));
  // Killed with the new charm in place: the swap itself was whole.
  EXPECT_EQ(testing::ReadFile(agent_dir_ + "/charm/VERSION"), "2");
  const size_t before = fake_.commits.size();
  EXPECT_EQ(before, 4u) << "no hook ran between the swap and the kill";

  StartAgent();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.commits.size() >= before + 2; }))
      << testing::ReadFile(dir_.path() + "/agent.out");
  EXPECT_EQ(StopAgent(), 0);
  EXPECT_EQ(testing::ReadFile(hook_log_),
            "install 1\nleader-elected 1\nconfig-changed 1\nstart 1\nupgrade-charm 2\nconfig-changed 2\n");
  EXPECT_EQ(fake_.commits[before].hook(), "upgrade-charm");
  EXPECT_EQ(fake_.commits[before].charm_url(), "local:app-1");
  EXPECT_EQ(testing::ReadFile(agent_dir_ + "/charm/.unit-state.db"), "kept\n");
  EXPECT_FALSE(fs::exists(agent_dir_ + "/charm.next"));
  EXPECT_FALSE(fs::exists(agent_dir_ + "/charm.prev"));
}

TEST_F(AgentBinaryTest, RemovedUnitExitsZeroAndLeavesNoSocket) {
  SetCharm("#!/bin/sh\nexit 0\n");
  StartAgent();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.commits.size() >= 4; }));
  fake_.UpdateUnitSnapshot([](v1::UnitSnapshot& s) { s.set_life(v1::LIFE_DYING); });
  std::optional<process::RunResult> exited = WaitForExit();
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->exit_code, 0);
  EXPECT_EQ(fake_.mark_dead_calls, 1);
  EXPECT_FALSE(fs::exists(fs::path(SocketPath()).parent_path()));
}

TEST_F(AgentBinaryTest, AgentOfAnotherModelThanTheControllerSaysRunsNoHook) {
  // agent.conf names one model, the credential logs in to another: the agent must not act as
  // that other model's unit.
  SetCharm("#!/bin/sh\necho \"$JUJU_HOOK_NAME\" >> " + hook_log_ + "\n");
  ASSERT_TRUE(WriteAgentConf(agent_dir_ + "/agent.conf", AgentConf{fake_.address(), "unit-app-0", "secret", "app/0",
                                                                   "0", "7d0e4b8a-1c2f-4e3a-8b5d-6f7a8b9c0d1e",
                                                                   fake_.ca_pem()})
                  .ok());
  StartAgent();
  std::optional<process::RunResult> exited = WaitForExit();
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->exit_code, 1);
  EXPECT_NE(testing::ReadFile(dir_.path() + "/agent.out")
                .find("ERROR uniter stopped: the controller logged app/0 in to model " +
                      std::string(testing::kFakeModelUuid) +
                      ", but agent.conf names model 7d0e4b8a-1c2f-4e3a-8b5d-6f7a8b9c0d1e"),
            std::string::npos)
      << testing::ReadFile(dir_.path() + "/agent.out");
  EXPECT_FALSE(fs::exists(hook_log_));
  EXPECT_TRUE(fake_.commits.empty());
}

}  // namespace
}  // namespace skein::agent
