// skein-supervisor (tools/cli/bootstrap/supervisor.h): restarts with backoff on a simulated clock,
// the clean exits that end supervision, bootstrap's daemons under it (fake daemons, real
// supervisor processes) and the systemd units of --service=systemd checked by systemd-analyze.

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/bootstrap/bootstrap.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/supervisor.h"
#include "tools/cli/bootstrap/systemd_units.h"

namespace skein::cli::bootstrap {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CliRun;
using testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Polls `done` (real time) until it holds or `timeout` passes: for what another process does.
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// A daemon played by sh: counts its starts in `counter`, says it is ready on the fd it is
// given ($2, after --ready-fd), then runs `rest` (with $n = this start's number).
DaemonSpec ShellDaemon(const TempDir& dir, const std::string& rest) {
  DaemonSpec spec;
  spec.binary = "/bin/sh";
  const std::string counter = dir.path() + "/starts";
  spec.args = {"-c",
               "n=$(cat " + counter + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " + counter +
                   "; echo up >&$2; " + rest,
               "sh"};
  spec.log_path = dir.path() + "/log";
  spec.display_name = "fake-daemon";
  spec.new_session = false;
  return spec;
}

int Starts(const TempDir& dir) {
  std::string text = ReadAll(dir.path() + "/starts");
  return text.empty() ? 0 : std::stoi(text);
}

// The supervisor's lines without their timestamps.
std::vector<std::string> Lines(const std::ostringstream& log) {
  std::vector<std::string> out;
  std::istringstream in(log.str());
  for (std::string line; std::getline(in, line);) out.push_back(line.substr(line.find(' ') + 1));
  return out;
}

// A supervisor of a ShellDaemon running `rest`, on a simulated clock, logging into `log`.
class SupervisorTest : public ::testing::Test {
 protected:
  Supervisor& Make(const std::string& rest, Clock::Duration max_delay = kSupervisorRestart.max) {
    SupervisorOptions options;
    options.daemon = ShellDaemon(dir, rest);
    options.backoff.max = max_delay;
    supervisor_ = std::make_unique<Supervisor>(options, clock, log);
    return *supervisor_;
  }

  TempDir dir;
  SimulatedClock clock;
  std::ostringstream log;
  std::unique_ptr<Supervisor> supervisor_;
};

TEST_F(SupervisorTest, RestartsAFailingDaemonAfterDoublingDelaysUpToTheMaximum) {
  Supervisor& supervisor = Make("exit 3", 4s);
  ASSERT_TRUE(supervisor.Start().ok());
  std::thread run([&] { supervisor.Run(); });
  // Each wait is the backoff before the next start; time moves only when the test says so.
  for (auto delay : {1s, 2s, 4s, 4s}) {
    ASSERT_TRUE(clock.AwaitWaiters(1, 10000ms)) << log.str();
    const int starts = Starts(dir);
    clock.Advance(delay - 1ms);
    EXPECT_EQ(Starts(dir), starts) << "restarted before its delay of " << delay.count() << "s";
    clock.Advance(1ms);
    ASSERT_TRUE(Eventually([&] { return Starts(dir) == starts + 1; })) << log.str();
  }
  ASSERT_TRUE(clock.AwaitWaiters(1, 10000ms));
  supervisor.Stop();
  run.join();
  EXPECT_EQ(supervisor.restarts(), 4);
  std::vector<std::string> lines = Lines(log);
  ASSERT_GE(lines.size(), 3u) << log.str();
  EXPECT_EQ(lines[0], "skein-supervisor: fake-daemon exited with code 3 after 0s; restarting it in 1s");
  EXPECT_EQ(lines[1].rfind("skein-supervisor: fake-daemon restarted (pid ", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "skein-supervisor: fake-daemon exited with code 3 after 0s; restarting it in 2s");
  EXPECT_NE(log.str().find("restarting it in 4s\n"), std::string::npos);
  EXPECT_EQ(log.str().find("restarting it in 8s"), std::string::npos) << "the delay passed its maximum";
}

TEST_F(SupervisorTest, ADaemonThatRanAWhileIsRestartedAfterTheInitialDelayAgain) {
  // The first two starts fail at once; the third runs until it is killed.
  Supervisor& supervisor = Make("[ $n -ge 3 ] && exec sleep 600; exit 1");
  ASSERT_TRUE(supervisor.Start().ok());
  std::thread run([&] { supervisor.Run(); });
  for (auto delay : {1s, 2s}) {
    ASSERT_TRUE(clock.AwaitWaiters(1, 10000ms)) << log.str();
    const int starts = Starts(dir);
    clock.Advance(delay);
    ASSERT_TRUE(Eventually([&] { return Starts(dir) == starts + 1; })) << log.str();
  }
  ASSERT_TRUE(Eventually([&] { return Starts(dir) == 3 && supervisor.pid() > 0; })) << log.str();
  const pid_t daemon = supervisor.pid();
  clock.Advance(kSupervisorStableAfter + 1s);
  ASSERT_EQ(::kill(daemon, SIGKILL), 0);
  ASSERT_TRUE(clock.AwaitWaiters(1, 10000ms)) << log.str();
  EXPECT_NE(log.str().find("fake-daemon was killed by signal 9 (Killed) after 61s; restarting it in 1s\n"),
            std::string::npos)
      << log.str();
  supervisor.Stop();
  run.join();
}

TEST_F(SupervisorTest, ACleanExitEndsSupervision) {
  Supervisor& supervisor = Make("exit 0");
  ASSERT_TRUE(supervisor.Start().ok());
  supervisor.Run();  // returns by itself
  EXPECT_EQ(Starts(dir), 1);
  EXPECT_NE(log.str().find("fake-daemon exited with code 0 after 0s; not restarting it\n"), std::string::npos)
      << log.str();
}

TEST_F(SupervisorTest, SigtermEndsSupervision) {
  Supervisor& supervisor = Make("kill -TERM $$");
  ASSERT_TRUE(supervisor.Start().ok());
  supervisor.Run();
  EXPECT_EQ(Starts(dir), 1);
  EXPECT_NE(log.str().find("fake-daemon was killed by signal 15 (Terminated) after 0s; not restarting it\n"),
            std::string::npos)
      << log.str();
}

TEST_F(SupervisorTest, StopStopsTheDaemon) {
  Supervisor& supervisor = Make("exec sleep 600");
  auto daemon = supervisor.Start();
  ASSERT_TRUE(daemon.ok()) << daemon.status();
  EXPECT_EQ(daemon->ready_line, "up");
  std::thread run([&] { supervisor.Run(); });
  supervisor.Stop();
  run.join();
  EXPECT_FALSE(process::IsAlive(daemon->pid));
  EXPECT_EQ(supervisor.restarts(), 0);
}

TEST(SupervisorExitTest, ExitDescriptions) {
  process::RunResult code;
  code.exit_code = 1;
  EXPECT_EQ(DescribeExit(code), "exited with code 1");
  EXPECT_FALSE(IsCleanExit(code));
  process::RunResult killed;
  killed.signaled = true;
  killed.signal = SIGKILL;
  EXPECT_EQ(DescribeExit(killed), "was killed by signal 9 (Killed)");
  EXPECT_FALSE(IsCleanExit(killed));
  killed.signal = SIGTERM;
  EXPECT_TRUE(IsCleanExit(killed));
  EXPECT_TRUE(IsCleanExit(process::RunResult{}));
}

// bootstrap's daemons under real skein-supervisor processes (the fake daemons keep the real
// ones' process contract).
class SupervisedBootstrapTest : public ::testing::Test {
 protected:
  // As root, bootstrap runs units under uids of their own, which must reach the data dir.
  SupervisedBootstrapTest() { ::chmod(dir_.path().c_str(), 0711); }
  ~SupervisedBootstrapTest() override {
    for (pid_t pid : FindProcessesUnder(data())) ::kill(pid, SIGKILL);
  }
  std::string data() const { return dir_.path() + "/data"; }
  CliRun Skein(const std::vector<std::string>& args) {
    testing::RunOptions o;
    o.bin_dir = SKEIN_CLI_FAKE_BIN;
    o.systemd_dir = dir_.path() + "/systemd";
    return testing::RunSkein(data(), args, o);
  }
  pid_t Pid(const std::string& file) { return process::ReadPidFile(data() + "/" + file).value_or(0); }

  TempDir dir_;
};

TEST_F(SupervisedBootstrapTest, KilledDaemonsComeBackAndKillControllerLeavesNoProcess) {
  CliRun r = Skein({"bootstrap"});
  ASSERT_EQ(r.code, 0) << r.err;
  const pid_t controller_supervisor = Pid("controller/supervisor.pid");
  const pid_t machine_supervisor = Pid("machine-0/supervisor.pid");
  ASSERT_TRUE(ProcessIs(controller_supervisor, kSupervisorBinary));
  ASSERT_TRUE(ProcessIs(machine_supervisor, kSupervisorBinary));
  EXPECT_NE(r.err.find(", supervised by skein-supervisor (pid " + std::to_string(machine_supervisor) + ")\n"),
            std::string::npos)
      << r.err;

  std::vector<pid_t> seen = {controller_supervisor, machine_supervisor};
  for (const auto& daemon : {std::pair<std::string, std::string>{"controller/controller.pid", kControllerBinary},
                             {"machine-0/machine-agent.pid", kMachineAgentBinary}}) {
    // Named copies: clang 14 cannot capture structured bindings in the lambda below.
    const std::string pid_file = daemon.first;
    const std::string binary = daemon.second;
    const pid_t old = Pid(pid_file);
    ASSERT_TRUE(ProcessIs(old, binary));
    ASSERT_EQ(::kill(old, SIGKILL), 0);
    // The supervisor starts it again after 1 s: a new pid that runs the same binary.
    pid_t restarted = 0;
    ASSERT_TRUE(Eventually([&] {
      restarted = Pid(pid_file);
      return restarted != old && ProcessIs(restarted, binary);
    }))
        << binary << " was not restarted";
    seen.push_back(old);
    seen.push_back(restarted);
    const std::string log = ReadAll(data() + "/" + fs::path(pid_file).parent_path().string() + "/" +
                                    (binary == kControllerBinary ? "controller.log" : "machine-agent.log"));
    EXPECT_NE(log.find("skein-supervisor: " + binary + " was killed by signal 9 (Killed) after "), std::string::npos)
        << log;
    EXPECT_NE(log.find("restarting it in 1s"), std::string::npos) << log;
  }
  // The controller still answers on its stored address.
  EXPECT_EQ(Skein({"models"}).code, 0);

  r = Skein({"kill-controller", "--no-prompt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(" - stopping machine agent supervisor (pid " + std::to_string(machine_supervisor) + ")\n"),
            std::string::npos)
      << r.err;
  for (pid_t pid : seen) EXPECT_FALSE(process::IsAlive(pid)) << "pid " << pid << " still runs";
  EXPECT_EQ(FindProcessesUnder(data()), std::vector<pid_t>{});
}

TEST_F(SupervisedBootstrapTest, ServiceNoneRunsNoSupervisor) {
  CliRun r = Skein({"bootstrap", "--service=none"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(fs::exists(data() + "/controller/supervisor.pid"));
  EXPECT_NE(r.err.find(", not supervised\n"), std::string::npos) << r.err;
  for (pid_t pid : FindProcessesUnder(data())) EXPECT_FALSE(ProcessIs(pid, kSupervisorBinary)) << pid;
  ASSERT_EQ(Skein({"kill-controller", "-y"}).code, 0);
  EXPECT_EQ(FindProcessesUnder(data()), std::vector<pid_t>{});
}

TEST_F(SupervisedBootstrapTest, AnUnknownServiceIsAUsageError) {
  CliRun r = Skein({"bootstrap", "--service=cron"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR --service \"cron\" is not one of supervisor, systemd, none\n");
  EXPECT_FALSE(fs::exists(data() + "/controller"));
}

TEST_F(SupervisedBootstrapTest, KillControllerRemovesTheUnitsOfItsDataDirOnly) {
  ASSERT_EQ(Skein({"bootstrap"}).code, 0);
  const std::string units_dir = dir_.path() + "/systemd";
  ASSERT_TRUE(WriteSystemdUnits(units_dir, SystemdUnits({data(), SKEIN_CLI_FAKE_BIN, {}})).ok());
  ASSERT_TRUE(WriteSystemdUnits(units_dir, SystemdUnits({data() + "-other", SKEIN_CLI_FAKE_BIN, {}})).ok());
  const std::string prefix = SystemdUnitPrefix(data());
  CliRun r = Skein({"kill-controller", "-y"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(" - removed " + units_dir + "/" + prefix + "-controller.service\n"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(units_dir + "/" + prefix + "-controller.service"));
  EXPECT_FALSE(fs::exists(units_dir + "/" + prefix + "-machine-agent.service"));
  EXPECT_TRUE(fs::exists(units_dir + "/" + SystemdUnitPrefix(data() + "-other") + "-controller.service"));
}

TEST(SystemdUnitsTest, UnitsNameTheDataDirAndPassSystemdAnalyzeVerify) {
  TempDir dir;
  const std::string data = dir.path() + "/data dir";  // a space, quoted in ExecStart=
  fs::create_directories(data + "/controller");
  fs::create_directories(data + "/machine-0");
  std::vector<SystemdUnit> units = SystemdUnits({data, SKEIN_CLI_FAKE_BIN, {"--lease-duration", "2s"}});
  ASSERT_EQ(units.size(), 2u);
  const std::string prefix = SystemdUnitPrefix(data);
  ASSERT_EQ(prefix.size(), std::string("skein-").size() + 12);
  EXPECT_NE(prefix, SystemdUnitPrefix(data + "2"));
  EXPECT_EQ(units[0].name, prefix + "-controller.service");
  EXPECT_EQ(units[1].name, prefix + "-machine-agent.service");
  EXPECT_NE(units[0].content.find("\nExecStart=" + std::string(SKEIN_CLI_FAKE_BIN) + "/skein-controller --data-dir \"" +
                                  data + "/controller\" --lease-duration 2s\n"),
            std::string::npos)
      << units[0].content;
  for (const auto& unit : units) {
    EXPECT_NE(unit.content.find("\nRestart=on-failure\n"), std::string::npos) << unit.content;
    EXPECT_NE(unit.content.find("\nRestartSec=1s\n"), std::string::npos) << unit.content;
  }
  EXPECT_NE(units[1].content.find("\nAfter=" + units[0].name + "\n"), std::string::npos) << units[1].content;

  const std::string units_dir = dir.path() + "/units";
  ASSERT_TRUE(WriteSystemdUnits(units_dir, units).ok());
  if (::access("/usr/bin/systemd-analyze", X_OK) != 0) {
    GTEST_SKIP() << "systemd-analyze is not installed: the generated units were not verified";
  }
  process::SpawnOptions verify;
  verify.argv = {"/usr/bin/systemd-analyze", "verify", units_dir + "/" + units[0].name, units_dir + "/" + units[1].name};
  auto result = process::Run(verify, 60000ms);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 0) << result->stdout_text << result->stderr_text;
  // Warnings about the units themselves (not about the host) would be printed naming them.
  EXPECT_EQ(result->stderr_text.find(prefix), std::string::npos) << result->stderr_text;
}

}  // namespace
}  // namespace skein::cli::bootstrap
