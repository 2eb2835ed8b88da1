// Liveness end to end (issue 14, acceptance 2): kill -9 the machine agent and a unit agent. The
// unit shows agent `lost` and the machine `down` within the stated bound (the controller's grace,
// 10 s, after their streams end; the kernel ends them at once on a kill), `wait-for` does not
// report the model settled meanwhile, and once the machine agent runs again the unit comes back
// and a config change set while it was gone is applied.

#include <signal.h>

#include <chrono>
#include <string>

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

std::string MachineAgentStatus(const json& status, const std::string& machine) {
  if (!status.contains("machines") || !status["machines"].contains(machine)) return "";
  return status["machines"][machine]["juju-status"].value("current", "");
}

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
  void WaitAnswered(const std::string& request) {
    ASSERT_TRUE(cluster_.WaitForStatus(
        [&](const json& s) {
          return UnitSettled(s, "kv-requirer/0", "active") &&
                 WorkloadMessage(s, "kv-requirer/0") == "answer: hello " + request &&
                 UnitSettled(s, "kv-provider/0", "active");
        },
        90s))
        << "the requirer never got an answer to " << request;
  }

  Cluster cluster_;
};

TEST_F(LivenessTest, KilledAgentsShowLostAndDownAndWaitForDoesNotSettleUntilTheyAreBack) {
  Ok({"bootstrap"});
  Ok({"add-model", "live"});
  Ok({"deploy", TestCharm("kv-provider")});
  Ok({"deploy", TestCharm("kv-requirer")});
  Ok({"integrate", "kv-provider", "kv-requirer"});
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

}  // namespace
}  // namespace skein::e2e
