// Liveness end to end (issue 14, acceptance 2): kill -9 the machine agent and a unit agent. The
// unit shows agent `lost` and the machine `down` within the stated bound (the controller's grace,
// 10 s, after their streams end; the kernel ends them at once on a kill), `wait-for` does not
// report the model settled meanwhile, and once the machine agent runs again the unit comes back
// and a config change set while it was gone is applied. (That test bootstraps unsupervised: a
// supervisor would bring the machine agent back in 1 s, before anything can be lost.) With the
// default supervision, kill -9 the machine agent, a unit agent and the controller: skein-supervisor
// brings them back without the test's help, the change is applied, and kill-controller leaves no
// process. And a controller killed for 30 s while the model settles causes no hook error: the
// hooks' calls wait for it (lib/rpc/retry.h).

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The controller's grace (controller/domain/presence) and what the test allows on top of it
// for the stream's end to reach the controller and the status stream to reach the test.
constexpr auto kLostBound = 10s + 5s;

class LivenessTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string MachineDir() const { return cluster_.data_dir() + "/machine-0"; }
  pid_t PidIn(const std::string& pid_file) {
    auto pid = process::ReadPidFile(pid_file);
    EXPECT_TRUE(pid.has_value()) << "no pid in " << pid_file;
    return pid.value_or(-1);
  }
  // A model with the kv pair related; `settings` are model-config settings set first.
  void DeployKvPair(const std::string& model, const std::vector<std::string>& settings = {},
                    const std::string& service = "supervisor") {
    Ok({"bootstrap", "--service=" + service});
    Ok({"add-model", model});
    for (const std::string& setting : settings) Ok({"model-config", setting});
    Ok({"deploy", TestCharm("kv-provider")});
    Ok({"deploy", TestCharm("kv-requirer")});
    Ok({"integrate", "kv-provider", "kv-requirer"});
  }
  void WaitAnswered(const std::string& request) {
    ASSERT_TRUE(cluster_.WaitForStatus([&](const json& s) { return KvAnswered(s, request); }, 120s))
        << "the requirer never got an answer to " << request;
  }

  Cluster cluster_;
};

TEST_F(LivenessTest, KilledAgentsShowLostAndDownAndWaitForDoesNotSettleUntilTheyAreBack) {
  DeployKvPair("live", {}, "none");
  WaitAnswered("world");

  // The machine agent first, so that nobody restarts the unit agent.
  const pid_t machine_agent = PidIn(MachineDir() + "/machine-agent.pid");
  const pid_t unit_agent = PidIn(cluster_.AgentDir("kv-requirer/0") + "/agent.pid");
  ASSERT_GT(machine_agent, 0);
  ASSERT_GT(unit_agent, 0);
  ASSERT_EQ(::kill(machine_agent, SIGKILL), 0);
  ASSERT_EQ(::kill(unit_agent, SIGKILL), 0);
  const auto killed = std::chrono::steady_clock::now();

  ASSERT_TRUE(cluster_.WaitForStatus(
      [](const json& s) { return AgentStatus(s, "kv-requirer/0") == "lost" && MachineAgentStatus(s, "0") == "down"; },
      30s))
      << "the dead agents never showed as lost and down";
  const auto took = std::chrono::steady_clock::now() - killed;
  EXPECT_LE(took, kLostBound) << "lost after "
                              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
  json status = cluster_.Status();
  EXPECT_EQ(AgentMessage(status, "kv-requirer/0"), "agent is not communicating with the server");
  EXPECT_EQ(WorkloadStatus(status, "kv-requirer/0"), "unknown");
  EXPECT_EQ(WorkloadMessage(status, "kv-requirer/0"), "agent lost, see 'skein debug-log --include kv-requirer/0'");
  EXPECT_EQ(AgentStatus(status, "kv-provider/0"), "idle") << "the provider's agent still runs";
  CliResult table = cluster_.Skein({"status"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_NE(table.out.find("lost"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("down"), std::string::npos) << table.out;

  // A change while the agents are gone: waiting for the model must not call it settled.
  Ok({"config", "kv-requirer", "request=while-down"});
  CliResult wait = cluster_.Skein({"wait-for", "--timeout", "3s"});
  EXPECT_EQ(wait.code, 1) << "wait-for settled with a lost agent:\n" << wait.err;
  EXPECT_NE(wait.err.find("timed out after 3s"), std::string::npos) << wait.err;
  EXPECT_NE(wait.err.find("kv-requirer/0 unknown (agent lost)"), std::string::npos) << wait.err;

  // The machine agent runs again (as its supervisor would start it): it restarts the unit agent
  // (and replaces the provider's agent it left behind), and the pending change is applied.
  process::SpawnOptions o;
  o.argv = {cluster_.BinDir() + "/skein-machine-agent", "--data-dir", MachineDir()};
  o.stdout_path = MachineDir() + "/machine-agent.out";
  o.stderr_path = o.stdout_path;
  o.new_session = true;
  auto restarted = process::Spawn(o);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  WaitAnswered("while-down");
  status = cluster_.Status();
  EXPECT_EQ(MachineAgentStatus(status, "0"), "started");
  CliResult settled = cluster_.Skein({"wait-for", "--timeout", "60s"}, 90s);
  EXPECT_EQ(settled.code, 0) << settled.err;
}

TEST_F(LivenessTest, TheSupervisorBringsBackAKilledMachineAgentAndControllerAndKillControllerLeavesNothing) {
  DeployKvPair("supervised");
  WaitAnswered("world");
  const std::string controller_dir = cluster_.data_dir() + "/controller";
  const pid_t controller_supervisor = PidIn(controller_dir + "/supervisor.pid");
  const pid_t machine_supervisor = PidIn(MachineDir() + "/supervisor.pid");
  const pid_t machine_agent = PidIn(MachineDir() + "/machine-agent.pid");
  const pid_t unit_agent = PidIn(cluster_.AgentDir("kv-requirer/0") + "/agent.pid");
  const pid_t controller = PidIn(controller_dir + "/controller.pid");
  for (pid_t pid : {controller_supervisor, machine_supervisor, machine_agent, unit_agent, controller}) {
    ASSERT_GT(pid, 0);
  }

  // The machine agent and a unit agent die; a change is made while they are gone (or coming
  // back); then the controller dies too. The test restarts nothing.
  ASSERT_EQ(::kill(machine_agent, SIGKILL), 0);
  ASSERT_EQ(::kill(unit_agent, SIGKILL), 0);
  Ok({"config", "kv-requirer", "request=while-down"});
  ASSERT_EQ(::kill(controller, SIGKILL), 0);

  // Both daemons run again under new pids (the machine agent restarts the unit agent), and the
  // change made meanwhile reaches the requirer and back.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto pid = process::ReadPidFile(controller_dir + "/controller.pid");
        return pid && *pid != controller && process::IsAlive(*pid);
      },
      60s))
      << "the controller was not restarted:\n" << ReadFile(controller_dir + "/controller.log");
  WaitAnswered("while-down");
  const pid_t new_controller = PidIn(controller_dir + "/controller.pid");
  const pid_t new_machine_agent = PidIn(MachineDir() + "/machine-agent.pid");
  const pid_t new_unit_agent = PidIn(cluster_.AgentDir("kv-requirer/0") + "/agent.pid");
  EXPECT_NE(new_machine_agent, machine_agent);
  EXPECT_NE(new_unit_agent, unit_agent);
  for (pid_t pid : {new_controller, new_machine_agent, new_unit_agent, controller_supervisor, machine_supervisor}) {
    EXPECT_TRUE(process::IsAlive(pid)) << pid;
  }
  EXPECT_NE(ReadFile(controller_dir + "/controller.log").find("skein-supervisor: skein-controller was killed by signal 9"),
            std::string::npos);
  EXPECT_NE(ReadFile(MachineDir() + "/machine-agent.log").find("skein-supervisor: skein-machine-agent was killed by signal 9"),
            std::string::npos);
  json status = cluster_.Status();
  EXPECT_EQ(MachineAgentStatus(status, "0"), "started");
  CliResult settled = cluster_.Skein({"wait-for", "--timeout", "60s"}, 90s);
  EXPECT_EQ(settled.code, 0) << settled.err;

  // kill-controller stops the supervisors with their daemons: no pid of this test is alive.
  Ok({"kill-controller", "--no-prompt"});
  for (pid_t pid : {controller_supervisor, machine_supervisor, new_controller, new_machine_agent, new_unit_agent}) {
    EXPECT_FALSE(process::IsAlive(pid)) << "pid " << pid << " outlived kill-controller";
  }
  EXPECT_EQ(cluster_.ProcessesUsingDataDir(), std::vector<int>{});
}

TEST_F(LivenessTest, AControllerKilledForThirtySecondsWhileTheModelSettlesCausesNoHookError) {
  // As the probe ran it: a hook error would stay until `resolved`.
  // Unsupervised: the outage's length is the test's, not the supervisor's backoff.
  DeployKvPair("outage", {"automatically-retry-hooks=false"}, "none");

  // While the units install and join: the controller dies mid-settle.
  const std::string controller_dir = cluster_.data_dir() + "/controller";
  const pid_t controller = PidIn(controller_dir + "/controller.pid");
  ASSERT_GT(controller, 0);
  ASSERT_EQ(::kill(controller, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return !process::IsAlive(controller); }, 30s)) << "the controller did not die";
  // The outage itself is what is under test, so its length is fixed: 30 s, as in the issue.
  std::this_thread::sleep_for(30s);
  process::SpawnOptions o;
  o.argv = {cluster_.BinDir() + "/skein-controller", "--data-dir", controller_dir};
  o.stdout_path = controller_dir + "/restart.out";
  o.stderr_path = o.stdout_path;
  auto restarted = process::Spawn(o);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  ASSERT_TRUE(WaitFor([&] { return cluster_.Skein({"status"}).code == 0; }, 30s))
      << ReadFile(controller_dir + "/restart.out");

  // Everything converges, and no unit went through `error` on the way (it would have stayed).
  WaitAnswered("world");
  json status = cluster_.Status();
  for (const std::string unit : {"kv-provider/0", "kv-requirer/0"}) {
    EXPECT_NE(AgentStatus(status, unit), "error") << unit << ": " << AgentMessage(status, unit);
  }
  CliResult settled = cluster_.Skein({"wait-for", "--timeout", "60s"}, 90s);
  EXPECT_EQ(settled.code, 0) << settled.err;
}

}  // namespace
}  // namespace skein::e2e
