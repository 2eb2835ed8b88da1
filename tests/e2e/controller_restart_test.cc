// Controller restarts, end to end (issue 11, defect 6): `skein-controller --data-dir DIR` is the
// one restart command. It serves again on the address bootstrap stored, so the machine agent and
// every unit agent, which keep dialling that address with backoff, reconnect by themselves; a
// second controller on the same data directory, or on a taken address, refuses to start.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

class ControllerRestartTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string ControllerDir() const { return cluster_.data_dir() + "/controller"; }
  std::string ControllerBinary() const { return cluster_.BinDir() + "/skein-controller"; }

  // `skein-controller --data-dir DIR` exactly as the README documents it, in the background.
  pid_t StartController(const std::string& dir, const std::string& output) {
    process::SpawnOptions o;
    o.argv = {ControllerBinary(), "--data-dir", dir};
    o.stdout_path = output;
    o.stderr_path = output;
    auto pid = process::Spawn(o);
    EXPECT_TRUE(pid.ok()) << pid.status();
    return pid.ok() ? *pid : -1;
  }

  // `skein-controller --data-dir DIR` run to completion (it is expected to refuse to start).
  process::RunResult RunController(const std::string& dir, const std::vector<std::string>& flags = {}) {
    process::SpawnOptions o;
    o.argv = {ControllerBinary(), "--data-dir", dir};
    o.argv.insert(o.argv.end(), flags.begin(), flags.end());
    auto r = process::Run(o, 30s);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : process::RunResult{};
  }

  // Lines of the controller's log (debug-log) in which kv-requirer/0's agent says it ran
  // config-changed: they travel through the agent's log pipeline.
  int ConfigChangedLogged() {
    CliResult r = cluster_.Skein({"debug-log", "--replay", "--no-tail"});
    int n = 0;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.find("kv-requirer-0") != std::string::npos && line.find("ran \"config-changed\" hook") != std::string::npos) {
        ++n;
      }
    }
    return n;
  }

  void WaitAnswered(const std::string& request) {
    ASSERT_TRUE(cluster_.WaitForStatus([&](const json& s) { return KvAnswered(s, request); }, 90s))
        << "the requirer never got an answer to " << request;
  }

  Cluster cluster_;
};

TEST_F(ControllerRestartTest, ABadLeaseDurationIsAUsageErrorAndCreatesNothing) {
  // The flag reads Go's duration syntax, as every duration in skein (lib/base/duration.h).
  const std::string dir = cluster_.scratch_dir() + "/never-created";
  process::RunResult unit = RunController(dir, {"--lease-duration", "5x"});
  EXPECT_EQ(unit.exit_code, 2);
  EXPECT_EQ(unit.stderr_text, "ERROR invalid --lease-duration \"5x\": time: unknown unit \"x\" in duration \"5x\"\n");
  process::RunResult zero = RunController(dir, {"--lease-duration", "0"});
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_EQ(zero.stderr_text, "ERROR invalid --lease-duration \"0\": a lease must last at least 1ms\n");
  EXPECT_FALSE(fs::exists(dir)) << "a usage error created the data directory";
}

TEST_F(ControllerRestartTest, AKilledControllerRestartsOnItsAddressAndEveryAgentReconnects) {
  // Unsupervised: the test restarts the controller itself, as the README documents it.
  Ok({"bootstrap", "--service=none"});
  Ok({"add-model", "restart"});
  Ok({"deploy", TestCharm("kv-provider")});
  Ok({"deploy", TestCharm("kv-requirer")});
  Ok({"integrate", "kv-provider", "kv-requirer"});
  WaitAnswered("world");

  ASSERT_TRUE(WaitFor([&] { return ConfigChangedLogged() > 0; }, 30s)) << "the agent's log never arrived";
  const int logged_before = ConfigChangedLogged();
  const std::string address = FirstLine(ReadFile(ControllerDir() + "/address"));
  ASSERT_EQ(address.rfind("127.0.0.1:", 0), 0u) << address;
  EXPECT_LT(std::stoi(address.substr(10)), 32768) << "bootstrap's port lies below the ephemeral range";
  auto old_pid = process::ReadPidFile(ControllerDir() + "/controller.pid");
  ASSERT_TRUE(old_pid.has_value());

  ASSERT_EQ(::kill(*old_pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return !process::IsAlive(*old_pid); }, 30s)) << "the controller did not die";
  CliResult down = cluster_.Skein({"status"});
  EXPECT_EQ(down.code, 1) << "status answered without a controller: " << down.out;

  const std::string output = cluster_.scratch_dir() + "/restart.out";
  const pid_t pid = StartController(ControllerDir(), output);
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(WaitFor([&] { return cluster_.Skein({"status"}).code == 0; }, 30s)) << ReadFile(output);
  EXPECT_EQ(FirstLine(ReadFile(ControllerDir() + "/address")), address) << "the restart moved the controller";

  // The machine agent dials in again...
  EXPECT_TRUE(cluster_.WaitForStatus([](const json& s) { return MachineAgentStatus(s, "0") == "started"; }, 60s))
      << "the machine agent never reconnected";
  // ...and so do both unit agents: a config change runs hooks on both sides of the relation.
  Ok({"config", "kv-requirer", "request=after-restart"});
  WaitAnswered("after-restart");
  // The unit agent's log pipeline reconnected too.
  EXPECT_TRUE(WaitFor([&] { return ConfigChangedLogged() > logged_before; }, 30s))
      << "no log line of the agent arrived after the restart";
  // A unit added after the restart is started by the machine agent and joins the relation.
  Ok({"add-unit", "kv-requirer"});
  EXPECT_TRUE(cluster_.WaitForStatus(
      [](const json& s) {
        return UnitSettled(s, "kv-requirer/1", "active") && WorkloadMessage(s, "kv-provider/0") == "serving 2 requests";
      },
      90s))
      << "the new unit never started";
  CliResult wait = cluster_.Skein({"wait-for", "--timeout", "60s"});
  EXPECT_EQ(wait.code, 0) << wait.err;

  // A second controller on the same data directory refuses at once and names the first.
  process::RunResult second = RunController(ControllerDir());
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(second.stderr_text,
            "ERROR skein-controller (pid " + std::to_string(pid) + ") is already running on " + ControllerDir() + "\n");
  // A controller of another data directory cannot take the address either.
  const std::string other = cluster_.scratch_dir() + "/other-controller";
  fs::create_directories(other);
  for (const char* file : {"bootstrap.yaml", "ca.crt", "ca.key", "controller.crt", "controller.key"}) {
    fs::copy_file(ControllerDir() + "/" + file, other + "/" + file);
  }
  std::ofstream(other + "/address") << address << "\n";
  process::RunResult taken = RunController(other);
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_EQ(taken.stderr_text, "ERROR address " + address + " in use\n");
  // The first one keeps serving.
  EXPECT_EQ(cluster_.Skein({"status"}).code, 0);
  EXPECT_EQ(process::ReadPidFile(ControllerDir() + "/controller.pid"), pid);

  Ok({"kill-controller", "--no-prompt"});
  process::Reap(pid, true);
}

}  // namespace
}  // namespace skein::e2e
