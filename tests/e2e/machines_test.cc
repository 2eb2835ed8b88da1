// Machines on the local substrate end to end (issue 15): add-machine starts another machine
// agent on this host with its own data dir and the machine shows `started`; deploy --to places
// the unit there and it settles; remove-machine is refused while it hosts a unit and, once the
// unit is gone, stops the agent and removes its dir; exec --machine runs in the machine's dir.

#include <signal.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class MachinesTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }

  Cluster cluster_;
};

TEST_F(MachinesTest, AddMachineDeployToItAndRemoveIt) {
  ASSERT_NO_FATAL_FAILURE(Ok({"bootstrap"}));
  ASSERT_NO_FATAL_FAILURE(Ok({"add-model", "machines"}));

  // Manual machines and containers are refused, and nothing is added.
  CliResult manual = cluster_.Skein({"add-machine", "ssh:ubuntu@127.0.0.1"});
  EXPECT_EQ(manual.code, 1) << manual.err;
  EXPECT_NE(manual.err.find("ERROR"), std::string::npos) << manual.err;
  EXPECT_NE(manual.err.find("manual machines cannot join"), std::string::npos) << manual.err;
  EXPECT_EQ(cluster_.Skein({"add-machine", "lxd"}).code, 1);
  EXPECT_FALSE(std::filesystem::exists(cluster_.data_dir() + "/machine-1"));

  CliResult added = cluster_.Skein({"add-machine"});
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_NE(added.err.find("created machine 1"), std::string::npos) << added.err;
  EXPECT_EQ(added.out, "");
  const std::string dir = cluster_.data_dir() + "/machine-1";
  ASSERT_TRUE(std::filesystem::exists(dir + "/agent.conf"));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return MachineAgentStatus(s, "1") == "started"; }))
      << "machine 1 never started";
  auto pid = process::ReadPidFile(dir + "/machine-agent.pid");
  ASSERT_TRUE(pid.has_value());
  EXPECT_EQ(::kill(*pid, 0), 0);

  // machines lists it with status's keys.
  CliResult listed = cluster_.Skein({"machines", "--format", "json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  json machines = json::parse(listed.out, nullptr, false);
  ASSERT_TRUE(machines.is_object() && machines["machines"].contains("1")) << listed.out;
  EXPECT_EQ(machines["machines"]["1"]["juju-status"]["current"], "started");

  // deploy --to 1: the unit runs under machine 1's agent, in its dir.
  ASSERT_NO_FATAL_FAILURE(Ok({"deploy", TestCharm("actioner"), "--to", "1"}));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "actioner/0", "active"); }))
      << "unit never settled on machine 1";
  json status = cluster_.Status();
  EXPECT_EQ(status["applications"]["actioner"]["units"]["actioner/0"]["machine"], "1");
  EXPECT_TRUE(std::filesystem::exists(dir + "/agents/" + cluster_.ModelUuid() + "/unit-actioner-0"));
  CliResult bad_to = cluster_.Skein({"add-unit", "actioner", "--to", "7"});
  EXPECT_EQ(bad_to.code, 1) << bad_to.err;
  EXPECT_NE(bad_to.err.find("machine 7 not found"), std::string::npos) << bad_to.err;

  // exec --machine runs in the machine's dir, with Juju's JSON keyed by machine id.
  CliResult ran = cluster_.Skein({"exec", "--machine", "1", "--format", "json", "--", "pwd"});
  ASSERT_EQ(ran.code, 0) << ran.err;
  json task = json::parse(ran.out, nullptr, false);
  ASSERT_TRUE(task.is_object() && task.contains("1")) << ran.out;
  EXPECT_EQ(task["1"]["machine"], "1");
  EXPECT_EQ(task["1"]["status"], "completed");
  EXPECT_EQ(task["1"]["results"]["return-code"], 0);
  EXPECT_EQ(task["1"]["results"]["stdout"], std::filesystem::canonical(dir).string() + "\n");
  CliResult failed = cluster_.Skein({"exec", "--machine", "1", "--format", "json", "--", "exit 3"});
  EXPECT_EQ(failed.code, 1);
  EXPECT_NE(failed.err.find("task failed"), std::string::npos) << failed.err;

  // Refused while it hosts the unit; nothing stops.
  CliResult refused = cluster_.Skein({"remove-machine", "1"});
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("machine 1 has unit \"actioner/0\" assigned"), std::string::npos) << refused.err;
  EXPECT_EQ(::kill(*pid, 0), 0);

  ASSERT_NO_FATAL_FAILURE(Ok({"remove-unit", "--no-prompt", "actioner/0"}));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return !HasUnit(s, "actioner/0"); }))
      << "unit never went";
  CliResult removed = cluster_.Skein({"remove-machine", "1"});
  ASSERT_EQ(removed.code, 0) << removed.err;
  EXPECT_NE(removed.err.find("removing machine 1"), std::string::npos) << removed.err;
  EXPECT_TRUE(WaitFor([&] { return ::kill(*pid, 0) != 0; }, std::chrono::seconds(20))) << "agent still runs";
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(cluster_.Status()["machines"].contains("1"));

  // A machine goes with its model: destroy-model stops its agent and removes its dir.
  ASSERT_NO_FATAL_FAILURE(Ok({"add-machine"}));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return MachineAgentStatus(s, "1") == "started"; }));
  auto second = process::ReadPidFile(dir + "/machine-agent.pid");
  ASSERT_TRUE(second.has_value());
  ASSERT_NO_FATAL_FAILURE(Ok({"destroy-model", "--no-prompt", "machines"}));
  EXPECT_TRUE(WaitFor([&] { return ::kill(*second, 0) != 0; }, std::chrono::seconds(20))) << "agent still runs";
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace skein::e2e
