// add-machine, machines, remove-machine, add-unit/deploy --to and the ssh key commands against a
// real controller in this process (issue 15): their usage errors (exit 2), failures (exit 1,
// nothing written) and documents. Starting a machine agent is the e2e test's (machines_test.cc).

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/controller_fixture.h"

namespace skein::cli::testing {
namespace {

using nlohmann::json;

constexpr char kKey[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm9ZbHhYsGQmRzEJXqRXbQkGq4S0z7WlKWN5Q4e3vYb alice@example";

class MachinesCliTest : public ControllerCliTest {
 protected:
  void SetUp() override {
    ControllerCliTest::SetUp();
    WriteFile(dir_.path() + "/charm/metadata.yaml", "name: app\nsummary: s\ndescription: d\n");
  }
  json Machines() {
    CliRun r = Skein({"machines", "--model", "dev", "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
};

TEST_F(MachinesCliTest, EveryCommandHasHelp) {
  for (const char* command : {"add-machine", "machines", "list-machines", "remove-machine", "add-ssh-key",
                              "remove-ssh-key", "ssh-keys"}) {
    CliRun r = Skein({command, "--help"});
    EXPECT_EQ(r.code, 0) << command << ": " << r.err;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << command << ": " << r.out;
  }
}

TEST_F(MachinesCliTest, AddMachineRefusesTargetsAndNeedsTheControllersHost) {
  CliRun manual = Skein({"add-machine", "--model", "dev", "ssh:ubuntu@127.0.0.1"});
  EXPECT_EQ(manual.code, 1);
  EXPECT_NE(manual.err.find("ERROR cannot add machine \"ssh:ubuntu@127.0.0.1\": manual machines cannot join"),
            std::string::npos)
      << manual.err;
  CliRun lxd = Skein({"add-machine", "--model", "dev", "lxd:0"});
  EXPECT_EQ(lxd.code, 1);
  EXPECT_NE(lxd.err.find("containers are not supported"), std::string::npos) << lxd.err;
  EXPECT_EQ(Skein({"add-machine", "--model", "dev", "-n", "0"}).code, 2);
  EXPECT_EQ(Skein({"add-machine", "--model", "dev", "--constraints", "bogus=1"}).code, 2);
  // No machine 0 agent files here: this is not the controller's host as far as the CLI knows.
  CliRun elsewhere = Skein({"add-machine", "--model=dev"});
  EXPECT_EQ(elsewhere.code, 1);
  EXPECT_NE(elsewhere.err.find("set SKEIN_DATA to the controller's data dir"), std::string::npos) << elsewhere.err;
  json doc = Machines();
  ASSERT_TRUE(doc.is_object()) << doc;
  EXPECT_TRUE(doc["machines"].empty()) << doc;  // nothing was added
  EXPECT_EQ(doc["model"]["name"], "dev");
}

TEST_F(MachinesCliTest, PlacementOnAMachineTheModelLacksDeploysNothing) {
  CliRun container = Skein({"deploy", "--model", "dev", dir_.path() + "/charm", "--to", "lxd:1"});
  EXPECT_EQ(container.code, 2);
  EXPECT_NE(container.err.find("invalid --to placement \"lxd:1\""), std::string::npos) << container.err;
  CliRun missing = Skein({"deploy", "--model", "dev", dir_.path() + "/charm", "--to", "7"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("ERROR machine 7 not found"), std::string::npos) << missing.err;
  CliRun status = Skein({"status", "--model", "dev", "--format", "json"});
  ASSERT_EQ(status.code, 0) << status.err;
  EXPECT_TRUE(json::parse(status.out)["applications"].empty()) << status.out;

  // Machine 0 is every model's: --to 0 places the unit there.
  CliRun deployed = Skein({"deploy", "--model", "dev", dir_.path() + "/charm", "--to", "0"});
  ASSERT_EQ(deployed.code, 0) << deployed.err;
  CliRun too_many = Skein({"add-unit", "--model", "dev", "app", "--to", "0,0"});
  EXPECT_EQ(too_many.code, 2);
  CliRun add_missing = Skein({"add-unit", "app", "--model", "dev", "--to=7"});
  EXPECT_EQ(add_missing.code, 1);
  EXPECT_NE(add_missing.err.find("machine 7 not found"), std::string::npos) << add_missing.err;
  EXPECT_TRUE(Machines()["machines"].contains("0"));
}

TEST_F(MachinesCliTest, RemoveMachineErrors) {
  EXPECT_EQ(Skein({"remove-machine", "--model", "dev"}).code, 2);
  EXPECT_EQ(Skein({"remove-machine", "--model", "dev", "0/lxd/0"}).code, 2);
  CliRun host = Skein({"remove-machine", "--model", "dev", "0"});
  EXPECT_EQ(host.code, 1);
  EXPECT_NE(host.err.find("machine 0 is the host's machine and cannot be removed"), std::string::npos) << host.err;
  CliRun missing = Skein({"remove-machine", "--model", "dev", "9", "--force"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("machine 9 not found"), std::string::npos) << missing.err;
}

TEST_F(MachinesCliTest, SshKeysRoundTrip) {
  EXPECT_EQ(Skein({"add-ssh-key", "--model", "dev"}).code, 2);
  ASSERT_EQ(Skein({"add-ssh-key", "--model", "dev", kKey}).code, 0);
  CliRun dup = Skein({"add-ssh-key", "--model", "dev", kKey});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("duplicate ssh key: alice@example"), std::string::npos) << dup.err;
  CliRun listed = Skein({"ssh-keys", "--model", "dev", "--format", "json"});
  ASSERT_EQ(listed.code, 0) << listed.err;
  json keys = json::parse(listed.out);
  ASSERT_EQ(keys.size(), 1u) << listed.out;
  EXPECT_EQ(keys[0]["fingerprint"], "SHA256:B8DFUSq2WM7GJC5zireZXKm27F3CVjXtmiUsZPASJ4M");
  CliRun text = Skein({"ssh-keys", "--model", "dev"});
  EXPECT_EQ(text.out,
            "Keys used in model: admin/dev\nSHA256:B8DFUSq2WM7GJC5zireZXKm27F3CVjXtmiUsZPASJ4M (alice@example)\n");
  CliRun unknown = Skein({"remove-ssh-key", "--model", "dev", "bob@example"});
  EXPECT_EQ(unknown.code, 1);
  ASSERT_EQ(Skein({"remove-ssh-key", "--model", "dev", "alice@example"}).code, 0);
  EXPECT_EQ(Skein({"ssh-keys", "--model", "dev"}).out, "");
}

}  // namespace
}  // namespace skein::cli::testing
