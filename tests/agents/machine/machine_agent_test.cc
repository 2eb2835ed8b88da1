#include "agents/machine/machine_agent.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "agents/unit/conf/agent_conf.h"
#include "gtest/gtest.h"
#include "lib/base/paths.h"
#include "lib/process/subprocess.h"
#include "tests/agents/unit/fake_agent_service.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

namespace fs = std::filesystem;
using testing::FakeAgentService;

// Waits for `pred` with a deadline (for conditions that only show on disk or in /proc).
bool Eventually(const std::function<bool()>& pred, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

v1::MachineSnapshot Machine(const std::vector<std::pair<std::string, v1::Life>>& units) {
  v1::MachineSnapshot s;
  s.set_machine_id("0");
  for (const auto& [name, life] : units) {
    v1::MachineUnit* u = s.add_units();
    u->set_name(name);
    u->set_application(name.substr(0, name.find('/')));
    u->set_life(life);
  }
  return s;
}

class MachineAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Start();
    client_ = std::make_unique<AgentClient>(fake_.address(), rpc::Identity{"machine-0", "secret"});
    fifo_ = dir_.path() + "/finish";
    ASSERT_EQ(::mkfifo(fifo_.c_str(), 0600), 0);
    // A stand-in unit agent: records its pid, then waits; a line on the fifo makes it exit 0.
    fake_agent_ = dir_.path() + "/fake-skein-agent";
    testing::WriteFile(fake_agent_,
                       "#!/bin/sh\n"
                       "echo $$ > \"$2/fake.pid\"\n"
                       "read line < " + fifo_ + "\n"
                       "exit 0\n",
                       0755);
  }

  void TearDown() override {
    if (agent_ != nullptr) agent_->Stop();
    if (thread_.joinable()) thread_.join();
    agent_.reset();
    fake_.Shutdown();
  }

  void StartAgent() {
    MachineAgentConfig config;
    config.machine_id = "0";
    config.units.agents_dir = dir_.path() + "/agents";
    config.units.binary = fake_agent_;
    config.units.controller = fake_.address();
    config.units.machine_id = "0";
    config.units.restart_min = std::chrono::milliseconds(20);
    config.units.restart_max = std::chrono::milliseconds(100);
    config.units.stop_grace = std::chrono::milliseconds(2000);
    config.on_ready = [this] { ready_ = true; };
    agent_ = std::make_unique<MachineAgent>(config, client_.get());
    thread_ = std::thread([this] { result_ = agent_->Run(); });
  }

  std::string UnitDir(const std::string& tag) { return dir_.path() + "/agents/" + tag; }

  // The pid the fake unit agent of `tag` recorded, once it is running (0 if never).
  pid_t WaitForAgentPid(const std::string& tag, pid_t other_than = 0) {
    pid_t pid = 0;
    Eventually([&] {
      auto p = process::ReadPidFile(UnitDir(tag) + "/fake.pid");
      if (!p || *p == other_than || !process::IsAlive(*p)) return false;
      pid = *p;
      return true;
    });
    return pid;
  }

  void FinishOneAgent() {
    int fd = ::open(fifo_.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "x\n", 2), 2);
    ::close(fd);
  }

  testing::TempDir dir_;
  FakeAgentService fake_;
  std::unique_ptr<AgentClient> client_;
  std::string fifo_, fake_agent_;
  std::unique_ptr<MachineAgent> agent_;
  std::thread thread_;
  std::atomic<bool> ready_{false};
  absl::Status result_ = absl::UnknownError("not run");
};

TEST_F(MachineAgentTest, StartsOneAgentPerUnitWithItsOwnCredentialAndConf) {
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE}, {"db/1", v1::LIFE_DYING}}));
  StartAgent();
  pid_t app = WaitForAgentPid("unit-app-0");
  pid_t db = WaitForAgentPid("unit-db-1");
  ASSERT_GT(app, 0);
  ASSERT_GT(db, 0);
  EXPECT_TRUE(Eventually([&] { return ready_.load(); }));
  auto conf = ReadAgentConf(UnitDir("unit-app-0") + "/agent.conf");
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_EQ(conf->controller, fake_.address());
  EXPECT_EQ(conf->entity, "unit-app-0");
  EXPECT_EQ(conf->unit, "app/0");
  EXPECT_EQ(conf->machine_id, "0");
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.unit_credentials.count("app/0") == 1; }));
  EXPECT_EQ(fake_.unit_credentials["app/0"], conf->credential);
  EXPECT_GE(conf->credential.size(), 24u);
  EXPECT_EQ(fs::status(UnitDir("unit-app-0")).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(UnitDir("unit-app-0") + "/agent.conf").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& e : fake_.entities) EXPECT_EQ(e, "machine-0");
}

TEST_F(MachineAgentTest, CrashedAgentIsRestartedAndRemovedUnitIsCleanedUp) {
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE}}));
  StartAgent();
  pid_t first = WaitForAgentPid("unit-app-0");
  ASSERT_GT(first, 0);
  ::kill(first, SIGKILL);
  pid_t second = WaitForAgentPid("unit-app-0", first);
  ASSERT_GT(second, 0);
  EXPECT_NE(second, first);

  fake_.SetMachineSnapshot(Machine({}));
  EXPECT_TRUE(Eventually([&] { return !process::IsAlive(second) && !fs::exists(UnitDir("unit-app-0")); }));
}

TEST_F(MachineAgentTest, DyingUnitWhoseAgentExitsZeroIsNotRestarted) {
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_DYING}}));
  StartAgent();
  pid_t pid = WaitForAgentPid("unit-app-0");
  ASSERT_GT(pid, 0);
  FinishOneAgent();
  ASSERT_TRUE(Eventually([&] { return !process::IsAlive(pid); }));
  // Give a restart every chance to happen (restart_min is 20 ms), prodding the loop once more.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_DYING}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto recorded = process::ReadPidFile(UnitDir("unit-app-0") + "/fake.pid");
  ASSERT_TRUE(recorded.has_value());
  EXPECT_EQ(*recorded, pid);
}

TEST_F(MachineAgentTest, StopTerminatesEveryUnitAgent) {
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE}, {"app/1", v1::LIFE_ALIVE}}));
  StartAgent();
  pid_t a = WaitForAgentPid("unit-app-0");
  pid_t b = WaitForAgentPid("unit-app-1");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  agent_->Stop();
  thread_.join();
  EXPECT_TRUE(result_.ok()) << result_;
  EXPECT_FALSE(process::IsAlive(a));
  EXPECT_FALSE(process::IsAlive(b));
}

TEST_F(MachineAgentTest, ReconnectsWhenTheControllerRestarts) {
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE}}));
  StartAgent();
  ASSERT_GT(WaitForAgentPid("unit-app-0"), 0);
  // Break the stream: the fake ends it (as a restarting controller would) and serves again.
  std::string address = fake_.address();
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.watch_machine_calls == 1; }));
  fake_.Shutdown();
  FakeAgentService second;
  second.StartOn(address);
  second.SetMachineSnapshot(Machine({}));
  EXPECT_TRUE(second.WaitUntil([&] { return second.watch_machine_calls >= 1; }));
  EXPECT_TRUE(Eventually([&] { return !fs::exists(UnitDir("unit-app-0")); }));
  agent_->Stop();
  thread_.join();
  second.Shutdown();
}

TEST(MachineAgentBinaryTest, ReadyFdThenSigtermLeavesNoProcessOrSocket) {
  std::string binary = ExecutableDir() + "/skein-machine-agent";
  if (!fs::exists(binary) || !fs::exists(ExecutableDir() + "/skein-agent")) GTEST_SKIP() << "binaries not built";
  testing::TempDir dir;
  FakeAgentService fake;
  v1::UnitSnapshot unit;
  unit.set_unit("app/0");
  unit.set_application("app");
  fake.SetUnitSnapshot(unit);  // no charm yet: the unit agent waits
  fake.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE}}));
  fake.Start();
  std::string machine_dir = dir.path() + "/machine-0";
  fs::create_directories(machine_dir);
  ASSERT_TRUE(WriteAgentConf(machine_dir + "/agent.conf", AgentConf{fake.address(), "machine-0", "secret", "", "0"}).ok());

  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);  // inherited by the child (no O_CLOEXEC)
  process::SpawnOptions o;
  o.argv = {binary, "--data-dir", machine_dir, "--ready-fd", std::to_string(ready[1])};
  o.stderr_path = dir.path() + "/machine.err";
  auto pid = process::Spawn(o);
  ::close(ready[1]);
  ASSERT_TRUE(pid.ok()) << pid.status();
  char buf[16] = {};
  ssize_t n = ::read(ready[0], buf, sizeof(buf));
  ::close(ready[0]);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "ready\n");
  EXPECT_TRUE(fs::exists(machine_dir + "/machine-agent.pid"));
  std::string unit_dir = machine_dir + "/agents/unit-app-0";
  ASSERT_TRUE(Eventually([&] { return fs::exists(unit_dir + "/agent.socket"); }))
      << testing::ReadFile(unit_dir + "/agent.log");
  auto unit_pid = process::ReadPidFile(unit_dir + "/agent.pid");
  ASSERT_TRUE(unit_pid.has_value());

  ::kill(*pid, SIGTERM);
  std::optional<process::RunResult> exited;
  ASSERT_TRUE(Eventually([&] { return (exited = process::Reap(*pid, false)).has_value(); }));
  EXPECT_EQ(exited->exit_code, 0);
  EXPECT_FALSE(process::IsAlive(*unit_pid));
  EXPECT_FALSE(fs::exists(unit_dir + "/agent.socket"));
  EXPECT_FALSE(fs::exists(machine_dir + "/machine-agent.pid"));
  fake.Shutdown();
}

}  // namespace
}  // namespace skein::agent
