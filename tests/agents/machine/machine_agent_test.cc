#include "agents/machine/machine_agent.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "lib/base/agent_conf.h"
#include "gtest/gtest.h"
#include "lib/base/paths.h"
#include "lib/base/runtime_dir.h"
#include "lib/base/unit_uids.h"
#include "lib/process/subprocess.h"
#include "tests/agents/unit/fake_agent_service.h"
#include "tests/agents/unit/test_util.h"
#include "tests/scoped_env.h"

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

constexpr char kModelA[] = "0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10";
constexpr char kModelB[] = "7d0e4b8a-1c2f-4e3a-8b5d-6f7a8b9c0d1e";

struct PlacedUnit {
  std::string name;
  v1::Life life = v1::LIFE_ALIVE;
  std::string model_uuid = kModelA;
  bool run_as_root = false;
};

v1::MachineSnapshot Machine(const std::vector<PlacedUnit>& units) {
  v1::MachineSnapshot s;
  s.set_machine_id("0");
  for (const PlacedUnit& p : units) {
    v1::MachineUnit* u = s.add_units();
    u->set_name(p.name);
    u->set_application(p.name.substr(0, p.name.find('/')));
    u->set_life(p.life);
    u->set_model_uuid(p.model_uuid);
    u->set_run_as_root(p.run_as_root);
  }
  return s;
}

class MachineAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Sockets' runtime dirs go under the test's own dir (created 0700, as XDG requires).
    runtime_ = dir_.path() + "/run";
    ASSERT_EQ(::mkdir(runtime_.c_str(), 0700), 0);
    runtime_env_ = std::make_unique<skein::testing::ScopedEnv>("XDG_RUNTIME_DIR", runtime_);
    fake_.Start();
    client_ = std::make_unique<AgentClient>(fake_.address(), fake_.ca_pem(), rpc::Identity{"machine-0", "secret"});
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
    config.units.ca_cert = fake_.ca_pem();
    config.units.machine_id = "0";
    config.units.restart_min = std::chrono::milliseconds(20);
    config.units.restart_max = std::chrono::milliseconds(100);
    config.units.stop_grace = std::chrono::milliseconds(2000);
    config.units.unit_uids = unit_uids_;
    config.on_ready = [this] { ready_ = true; };
    agent_ = std::make_unique<MachineAgent>(config, client_.get(), RealClock());
    thread_ = std::thread([this] { result_ = agent_->Run(); });
  }

  std::string UnitDir(const std::string& tag, const std::string& model = kModelA) {
    return dir_.path() + "/agents/" + model + "/" + tag;
  }

  // The pid the fake unit agent of `tag` recorded, once it is running (0 if never).
  pid_t WaitForAgentPid(const std::string& tag, pid_t other_than = 0, const std::string& model = kModelA) {
    pid_t pid = 0;
    Eventually([&] {
      auto p = process::ReadPidFile(UnitDir(tag, model) + "/fake.pid");
      if (!p || *p == other_than || !process::IsAlive(*p)) return false;
      pid = *p;
      return true;
    });
    return pid;
  }

  // `app/0` in models A and B, one agent each: their pids.
  void StartAppZeroInModelsAAndB(pid_t* a, pid_t* b) {
    fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE, kModelA}, {"app/0", v1::LIFE_ALIVE, kModelB}}));
    StartAgent();
    *a = WaitForAgentPid("unit-app-0", 0, kModelA);
    *b = WaitForAgentPid("unit-app-0", 0, kModelB);
    ASSERT_GT(*a, 0);
    ASSERT_GT(*b, 0);
  }

  void FinishOneAgent() {
    int fd = ::open(fifo_.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "x\n", 2), 2);
    ::close(fd);
  }

  testing::TempDir dir_;
  std::string runtime_;
  std::unique_ptr<skein::testing::ScopedEnv> runtime_env_;
  FakeAgentService fake_;
  std::unique_ptr<AgentClient> client_;
  std::string fifo_, fake_agent_;
  std::unique_ptr<MachineAgent> agent_;
  std::thread thread_;
  std::atomic<bool> ready_{false};
  absl::Status result_ = absl::UnknownError("not run");
  std::optional<UidRange> unit_uids_;
};

// Privilege separation: the machine agent runs as root and gives each unit a uid of its own.
class SeparatedUnitsTest : public MachineAgentTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: unit agents run under uids of their own only for root";
    MachineAgentTest::SetUp();
    // The units' uids must reach their dirs and the stand-in agent.
    ::chmod(dir_.path().c_str(), 0711);
    // ctest runs these tests at once, and each clears its uids when it ends: every test gets
    // sixteen uids of its own, picked by a hash of its name (slots 1796, 2413 and 1230 today).
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    unit_uids_ = UidRange{0x7FFC0000 + 16 * static_cast<uid_t>(std::hash<std::string>{}(name) % 4096)};
    // The stand-in records who it runs as (before its pid, which the test waits for), leaves a
    // daemon in a session of its own as a workload might, and waits.
    testing::WriteFile(fake_agent_,
                       "#!/bin/sh\n"
                       "id -u > \"$2/fake.uid\"\n"
                       "id -G > \"$2/fake.groups\"\n"
                       "echo \"$HOME\" > \"$2/fake.home\"\n"
                       "setsid sleep 600 < /dev/null > /dev/null 2>&1 &\n"
                       "echo $$ > \"$2/fake.pid\"\n"
                       "exec sleep 600\n",
                       0755);
  }

  // The machine agent stops unit agents, not what they left running (a removed unit's uid is
  // cleared, a stopped machine's units are not): clear the few uids the tests use.
  void TearDown() override {
    if (!unit_uids_) return;  // skipped before the base's SetUp ran
    MachineAgentTest::TearDown();
    for (uid_t uid = unit_uids_->first; uid < unit_uids_->first + 8; ++uid) {
      EXPECT_TRUE(process::KillAllProcessesOfUid(uid).ok());
      EXPECT_TRUE(RemoveRuntimeBaseOfUid(uid).ok());
    }
  }

  std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  }

  uid_t OwnerOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_uid;
  }
  mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
};

TEST_F(SeparatedUnitsTest, EachUnitRunsUnderItsOwnUidInADirOnlyItCanRead) {
  fake_.SetMachineSnapshot(Machine({{"app/0"}, {"app/1"}}));
  StartAgent();
  ASSERT_GT(WaitForAgentPid("unit-app-0"), 0);
  ASSERT_GT(WaitForAgentPid("unit-app-1"), 0);
  const std::string uid0 = Read(UnitDir("unit-app-0") + "/fake.uid");
  const std::string uid1 = Read(UnitDir("unit-app-1") + "/fake.uid");
  EXPECT_NE(uid0, uid1);
  for (const auto& [tag, uid] : {std::pair{"unit-app-0", uid0}, std::pair{"unit-app-1", uid1}}) {
    ASSERT_TRUE(unit_uids_->Contains(std::stoul(uid))) << uid;
    EXPECT_EQ(Read(UnitDir(tag) + "/fake.groups"), uid) << "no group but its own";
    EXPECT_EQ(Read(UnitDir(tag) + "/fake.home"), UnitDir(tag));
    EXPECT_EQ(std::to_string(OwnerOf(UnitDir(tag))), uid);
    EXPECT_EQ(ModeOf(UnitDir(tag)), 0700u);
    // Its credential is its own to read, and no one else's.
    EXPECT_EQ(std::to_string(OwnerOf(UnitDir(tag) + "/agent.conf")), uid);
    EXPECT_EQ(ModeOf(UnitDir(tag) + "/agent.conf"), 0600u);
    EXPECT_TRUE(ReadAgentConf(UnitDir(tag) + "/agent.conf").ok());
  }
  // Units pass through their model's dir to their own, and cannot list it.
  EXPECT_EQ(ModeOf(dir_.path() + "/agents/" + kModelA), 0711u);
}

TEST_F(SeparatedUnitsTest, ARemovedUnitLeavesNoProcessAndItsUidGoesToTheNextUnit) {
  fake_.SetMachineSnapshot(Machine({{"app/0"}, {"app/1"}}));
  StartAgent();
  ASSERT_GT(WaitForAgentPid("unit-app-0"), 0);
  ASSERT_GT(WaitForAgentPid("unit-app-1"), 0);
  const uid_t first = static_cast<uid_t>(std::stoul(Read(UnitDir("unit-app-0") + "/fake.uid")));
  ASSERT_TRUE(process::AnyProcessOfUid(first));

  fake_.SetMachineSnapshot(Machine({{"app/1"}}));
  ASSERT_TRUE(Eventually([&] { return !fs::exists(UnitDir("unit-app-0")); }));
  // The daemon it left in a session of its own is gone too (once init has reaped it).
  EXPECT_TRUE(Eventually([&] { return !process::AnyProcessOfUid(first); }));
  EXPECT_FALSE(fs::exists(RuntimeBaseOfUid(first)));

  fake_.SetMachineSnapshot(Machine({{"app/1"}, {"app/2"}}));
  ASSERT_GT(WaitForAgentPid("unit-app-2"), 0);
  EXPECT_EQ(Read(UnitDir("unit-app-2") + "/fake.uid"), std::to_string(first));
}

TEST_F(SeparatedUnitsTest, ACharmThatAsksForRootGetsItAndLosesItWhenItStopsAsking) {
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE, kModelA, /*run_as_root=*/true}}));
  StartAgent();
  const pid_t as_root = WaitForAgentPid("unit-app-0");
  ASSERT_GT(as_root, 0);
  EXPECT_EQ(Read(UnitDir("unit-app-0") + "/fake.uid"), "0");
  EXPECT_EQ(OwnerOf(UnitDir("unit-app-0")), 0u);

  // A refresh to a charm without `charm-user: root`: the agent restarts as the unit's own user,
  // and what it had in its dir is now that user's.
  fake_.SetMachineSnapshot(Machine({{"app/0"}}));
  const pid_t separated = WaitForAgentPid("unit-app-0", as_root);
  ASSERT_GT(separated, 0);
  const std::string uid = Read(UnitDir("unit-app-0") + "/fake.uid");
  ASSERT_NE(uid, "0");
  EXPECT_TRUE(unit_uids_->Contains(std::stoul(uid)));
  EXPECT_EQ(std::to_string(OwnerOf(UnitDir("unit-app-0"))), uid);
  EXPECT_EQ(std::to_string(OwnerOf(UnitDir("unit-app-0") + "/agent.log")), uid);
}

TEST_F(MachineAgentTest, StartsOneAgentPerUnitWithItsOwnCredentialAndConf) {
  fake_.SetMachineSnapshot(Machine({{"app/0"}, {"db/1", v1::LIFE_DYING}}));
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
  EXPECT_EQ(conf->model_uuid, kModelA);
  ASSERT_TRUE(fake_.WaitUntil([&] { return fake_.unit_credentials.count({kModelA, "app/0"}) == 1; }));
  EXPECT_EQ((fake_.unit_credentials[{kModelA, "app/0"}]), conf->credential);
  EXPECT_GE(conf->credential.size(), 24u);
  EXPECT_EQ(fs::status(UnitDir("unit-app-0")).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(dir_.path() + "/agents/" + kModelA).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(UnitDir("unit-app-0") + "/agent.conf").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& e : fake_.entities) EXPECT_EQ(e, "machine-0");
}

TEST_F(MachineAgentTest, CrashedAgentIsRestartedAndRemovedUnitIsCleanedUp) {
  fake_.SetMachineSnapshot(Machine({{"app/0"}}));
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
  fake_.SetMachineSnapshot(Machine({{"app/0"}, {"app/1"}}));
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

TEST_F(MachineAgentTest, SameUnitNameInTwoModelsGetsAnAgentEach) {
  pid_t a = 0, b = 0;
  ASSERT_NO_FATAL_FAILURE(StartAppZeroInModelsAAndB(&a, &b));
  EXPECT_NE(a, b);
  auto conf_a = ReadAgentConf(UnitDir("unit-app-0", kModelA) + "/agent.conf");
  auto conf_b = ReadAgentConf(UnitDir("unit-app-0", kModelB) + "/agent.conf");
  ASSERT_TRUE(conf_a.ok()) << conf_a.status();
  ASSERT_TRUE(conf_b.ok()) << conf_b.status();
  EXPECT_EQ(conf_a->model_uuid, kModelA);
  EXPECT_EQ(conf_b->model_uuid, kModelB);
  EXPECT_EQ(conf_a->entity, "unit-app-0");
  EXPECT_EQ(conf_b->entity, "unit-app-0");
  EXPECT_NE(conf_a->credential, conf_b->credential);
  // Each credential went to its own model's unit.
  EXPECT_TRUE(fake_.WaitUntil([&] {
    return fake_.unit_credentials.size() == 2 &&
           fake_.unit_credentials[{kModelA, "app/0"}] == conf_a->credential &&
           fake_.unit_credentials[{kModelB, "app/0"}] == conf_b->credential;
  }));
}

TEST_F(MachineAgentTest, RemovingOneModelsUnitLeavesTheSameNamedUnitOfAnotherModelAlone) {
  pid_t a = 0, b = 0;
  ASSERT_NO_FATAL_FAILURE(StartAppZeroInModelsAAndB(&a, &b));
  // The socket dirs the real agents would have made.
  auto runtime_a = MakeUnitRuntimeDir(UnitDir("unit-app-0", kModelA), kModelA, "app/0");
  auto runtime_b = MakeUnitRuntimeDir(UnitDir("unit-app-0", kModelB), kModelB, "app/0");
  ASSERT_TRUE(runtime_a.ok()) << runtime_a.status();
  ASSERT_TRUE(runtime_b.ok()) << runtime_b.status();
  EXPECT_NE(*runtime_a, *runtime_b);
  std::string b_conf = testing::ReadFile(UnitDir("unit-app-0", kModelB) + "/agent.conf");

  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE, kModelB}}));
  EXPECT_TRUE(Eventually([&] {
    return !process::IsAlive(a) && !fs::exists(dir_.path() + "/agents/" + kModelA) && !fs::exists(*runtime_a);
  }));
  EXPECT_TRUE(process::IsAlive(b));
  EXPECT_EQ(process::ReadPidFile(UnitDir("unit-app-0", kModelB) + "/fake.pid"), std::optional<pid_t>(b));
  EXPECT_EQ(testing::ReadFile(UnitDir("unit-app-0", kModelB) + "/agent.conf"), b_conf) << "b got a new credential";
  EXPECT_TRUE(fs::is_directory(*runtime_b));

  // Model A's name comes back (a new model reusing it): a fresh agent; b is still untouched.
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE, kModelB}, {"app/0", v1::LIFE_ALIVE, kModelA}}));
  pid_t again = WaitForAgentPid("unit-app-0", 0, kModelA);
  ASSERT_GT(again, 0);
  EXPECT_NE(again, a);
  EXPECT_TRUE(process::IsAlive(b));
  EXPECT_EQ(testing::ReadFile(UnitDir("unit-app-0", kModelB) + "/agent.conf"), b_conf);
}

TEST_F(MachineAgentTest, UnitWithoutAValidModelUuidGetsNoAgent) {
  // A model UUID names a directory: anything else must not become a path.
  fake_.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE, "../escape"}, {"db/0", v1::LIFE_ALIVE, ""}, {"ok/0"}}));
  StartAgent();
  ASSERT_GT(WaitForAgentPid("unit-ok-0"), 0);
  ASSERT_TRUE(Eventually([&] { return ready_.load(); }));
  EXPECT_FALSE(fs::exists(dir_.path() + "/escape"));
  std::vector<std::string> model_dirs;
  for (const auto& entry : fs::directory_iterator(dir_.path() + "/agents")) {
    model_dirs.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(model_dirs, std::vector<std::string>{kModelA});
  EXPECT_TRUE(fake_.WaitUntil([&] { return fake_.unit_credentials.size() == 1; }));
}

TEST_F(MachineAgentTest, ReconnectsWhenTheControllerRestarts) {
  fake_.SetMachineSnapshot(Machine({{"app/0"}}));
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
  std::string runtime = dir.path() + "/run";
  ASSERT_EQ(::mkdir(runtime.c_str(), 0700), 0);
  skein::testing::ScopedEnv runtime_env("XDG_RUNTIME_DIR", runtime);  // inherited by both agents
  FakeAgentService fake;
  v1::UnitSnapshot unit;
  unit.set_unit("app/0");
  unit.set_application("app");
  fake.SetUnitSnapshot(unit);  // no charm yet: the unit agent waits
  fake.SetMachineSnapshot(Machine({{"app/0", v1::LIFE_ALIVE, testing::kFakeModelUuid}}));
  fake.Start();
  std::string machine_dir = dir.path() + "/machine-0";
  fs::create_directories(machine_dir);
  ASSERT_TRUE(WriteAgentConf(machine_dir + "/agent.conf",
                             AgentConf{fake.address(), "machine-0", "secret", "", "0", "", fake.ca_pem()})
                  .ok());

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
  std::string unit_dir = machine_dir + "/agents/" + testing::kFakeModelUuid + "/unit-app-0";
  std::string socket = AgentSocketPath(UnitRuntimeDir(unit_dir, testing::kFakeModelUuid, "app/0"));
  EXPECT_EQ(socket.rfind(runtime + "/skein/", 0), 0u) << socket;
  ASSERT_TRUE(Eventually([&] { return fs::exists(socket); })) << testing::ReadFile(unit_dir + "/agent.log");
  auto unit_pid = process::ReadPidFile(unit_dir + "/agent.pid");
  ASSERT_TRUE(unit_pid.has_value());

  ::kill(*pid, SIGTERM);
  std::optional<process::RunResult> exited;
  ASSERT_TRUE(Eventually([&] { return (exited = process::Reap(*pid, false)).has_value(); }));
  EXPECT_EQ(exited->exit_code, 0);
  EXPECT_FALSE(process::IsAlive(*unit_pid));
  EXPECT_FALSE(fs::exists(fs::path(socket).parent_path())) << "the agent removes its runtime dir";
  EXPECT_FALSE(fs::exists(machine_dir + "/machine-agent.pid"));
  fake.Shutdown();
}

}  // namespace
}  // namespace skein::agent
