// Commands against a fake controller (a real gRPC server in this process): what the CLI sends,
// what it prints on stdout and stderr, and its exit codes.

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "lib/charm/charm_zip.h"
#include "lib/format/output.h"
#include "tests/tools/cli/fake_controller.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/client/client_store.h"
#include "tools/cli/output/status_json.h"

namespace skein::cli::commands {
namespace {

using nlohmann::json;
using testing::CliRun;
using testing::RunOptions;

class CommandsTest : public ::testing::Test {
 protected:
  CommandsTest() : server_(testing::TestAdminHash()) {
    testing::RegisterController(dir_.path(), server_.address());
    fake().models.insert("dev");
  }
  testing::FakeController& fake() { return server_.fake(); }
  CliRun Skein(const std::vector<std::string>& args, const RunOptions& o = {}) {
    return testing::RunSkein(dir_.path(), args, o);
  }
  std::string CurrentModel() {
    return client::LoadClientConfig(dir_.path())->controllers["local"].current_model;
  }
  std::string MakeCharm(const std::string& name) {
    std::string path = dir_.path() + "/charms/" + name;
    testing::WriteFile(path + "/metadata.yaml", "name: " + name + "\nrequires:\n  db:\n    interface: mysql\n");
    testing::WriteFile(path + "/dispatch", "#!/bin/sh\n", 0755);
    return path;
  }

  testing::TempDir dir_;
  testing::FakeControllerServer server_;
};

TEST_F(CommandsTest, StatusJsonIsTheFormattedDocumentOnly) {
  fake().status = testing::SampleStatus();
  CliRun r = Skein({"status", "--model", "dev", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, skein::format::ToJson(output::StatusToJson(testing::SampleStatus(), "local")));
}

TEST_F(CommandsTest, ModelFlagAcceptsEveryJujuForm) {
  fake().status = testing::SampleStatus();
  for (const char* model : {"dev", "admin/dev", "local:dev", "local:admin/dev"}) {
    CliRun r = Skein({"status", "--model", model, "--format", "json"});
    EXPECT_EQ(r.code, 0) << model << ": " << r.err;
    r = Skein({"status", "--format=json", "-m", model});
    EXPECT_EQ(r.code, 0) << model << ": " << r.err;
  }
  CliRun r = Skein({"status", "-m", "other:dev"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR controller \"other\" not found\n");
}

TEST_F(CommandsTest, UnknownModel) {
  CliRun r = Skein({"status", "-m", "nope", "--format", "json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR model \"nope\" not found\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(CommandsTest, EmptyModelTabular) {
  fake().status.mutable_model()->set_name("controller");
  fake().status.set_controller_timestamp("2026-11-23T20:10:00Z");
  CliRun r = Skein({"status"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Model       Controller  Cloud/Region  Version  Timestamp\n"
            "controller  local       local         3.6.11   20:10:00Z\n");
  EXPECT_EQ(r.err, "Model \"controller\" is empty.\n");
}

TEST_F(CommandsTest, StatusWithoutAControllerTimestampShowsWhenItArrived) {
  fake().status.mutable_model()->set_name("controller");
  SimulatedClock clock;  // 2026-01-01T00:00:00Z
  clock.Advance(std::chrono::seconds(3723));
  RunOptions o;
  o.clock = &clock;
  CliRun r = Skein({"status"}, o);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "Model       Controller  Cloud/Region  Version  Timestamp\n"
            "controller  local       local         3.6.11   01:02:03Z\n");
  r = Skein({"status", "--format", "json"}, o);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["controller"]["timestamp"], "01:02:03Z");
}

TEST_F(CommandsTest, StatusSelectorsAndRelationsNote) {
  fake().status = testing::SampleStatus();
  CliRun r = Skein({"status", "-m", "dev", "--format", "json", "--relations", "wordpress"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "provided relations option is always enabled in non tabular formats\n");
  json doc = json::parse(r.out);
  EXPECT_TRUE(doc["applications"].contains("wordpress"));
  EXPECT_FALSE(doc["applications"].contains("mysql"));
  r = Skein({"status", "-m", "dev", "nothing*"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.err, "Nothing matched specified filter.\n");
}

TEST_F(CommandsTest, StatusToOutputFile) {
  fake().status = testing::SampleStatus();
  std::string file = dir_.path() + "/status.json";
  CliRun r = Skein({"status", "-m", "dev", "--format", "json", "-o", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream f(file);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(json::parse(text)["model"]["name"], "dev");
}

TEST_F(CommandsTest, DeploySendsTheCharmAndReportsLikeJuju) {
  std::string charm = MakeCharm("demo");
  testing::WriteFile(dir_.path() + "/cfg.yaml", "myapp:\n  b: 2\n  a: from-file\n");
  CliRun r = Skein({"deploy", "--model", "dev", charm, "myapp", "-n", "2", "--config", "a=1", "--config",
                    dir_.path() + "/cfg.yaml", "--trust"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "Located local charm \"demo\", revision 3\n"
            "Deploying \"myapp\" from local charm \"demo\", revision 3 on ubuntu@22.04\n");
  const auto& d = fake().last_deploy;
  EXPECT_EQ(d.model(), "dev");
  EXPECT_EQ(d.application(), "myapp");
  EXPECT_EQ(d.num_units(), 2);
  EXPECT_EQ(d.charm_origin(), "local");
  EXPECT_EQ(d.config().at("a"), "1");
  EXPECT_EQ(d.config().at("b"), "2");
  // The charm directory went up as an archive, named in the deploy by its digest.
  EXPECT_EQ(d.charm().files_size(), 0);
  EXPECT_EQ(d.charm_sha256(), Sha256Hex(fake().last_upload));
  const std::string uploaded = dir_.path() + "/uploaded.charm";
  testing::WriteFile(uploaded, fake().last_upload);
  auto zip = charm::CharmZip::Open(uploaded);
  ASSERT_TRUE(zip.ok()) << zip.status();
  ASSERT_EQ((*zip)->entries().size(), 2u);
  EXPECT_EQ((*zip)->entries()[0].path, "dispatch");
  EXPECT_EQ((*zip)->entries()[0].mode, 0755u);
}

TEST_F(CommandsTest, DeployDefaultsToCharmNameAndCurrentModel) {
  CliRun r = Skein({"deploy", MakeCharm("demo")});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fake().last_deploy.application(), "demo");
  EXPECT_EQ(fake().last_deploy.model(), "controller");
  EXPECT_EQ(fake().last_deploy.num_units(), 1);
}

TEST_F(CommandsTest, DeployOfACharmArchiveSendsItAsItIs) {
  const std::string archive = dir_.path() + "/demo_ubuntu-22.04-amd64.charm";
  {
    auto packed = client::LoadLocalCharm(MakeCharm("demo"));
    ASSERT_TRUE(packed.ok()) << packed.status();
    std::filesystem::copy_file(packed->archive.path(), archive);
  }
  CliRun r = Skein({"deploy", archive});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(archive, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(fake().last_upload == bytes) << "the archive was not sent as it is";
  EXPECT_EQ(fake().last_deploy.charm_sha256(), Sha256Hex(bytes));
  EXPECT_EQ(fake().last_deploy.application(), "demo");
}

TEST_F(CommandsTest, IntegrateAndRemoveRelation) {
  CliRun r = Skein({"integrate", "-m", "dev", "wordpress", "mysql:db"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out + r.err, "");
  EXPECT_EQ(fake().last_integrate.endpoints_size(), 2);
  EXPECT_EQ(fake().last_integrate.endpoints(1), "mysql:db");
  r = Skein({"relate", "a", "b"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = Skein({"remove-relation", "4", "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().last_remove_relation.endpoints_size(), 1);
  EXPECT_EQ(fake().last_remove_relation.endpoints(0), "4");
}

TEST_F(CommandsTest, ControllerErrorsExitOneWithItsMessage) {
  fake().fail_with = grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                                  "cannot add relation \"a:db b:db\": relation a:db b:db already exists");
  CliRun r = Skein({"integrate", "a", "b"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot add relation \"a:db b:db\": relation a:db b:db already exists\n");
}

TEST_F(CommandsTest, AddAndRemoveUnits) {
  CliRun r = Skein({"add-unit", "mysql", "-n", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fake().last_add_unit.num_units(), 2);
  r = Skein({"remove-unit", "--no-prompt", "mysql/1", "mysql/2", "--destroy-storage"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "will remove unit mysql/1\nwill remove unit mysql/2\n");
  EXPECT_EQ(fake().last_remove_unit.units_size(), 2);
  fake().status = testing::SampleStatus();
  r = Skein({"remove-unit", "-m", "dev", "mysql", "--num-units", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().last_remove_unit.units_size(), 1);
  EXPECT_EQ(fake().last_remove_unit.units(0), "mysql/1");
}

TEST_F(CommandsTest, RemoveApplicationSummary) {
  CliRun r = Skein({"remove-application", "--no-prompt", "wordpress", "--destroy-storage", "--force"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "will remove application wordpress\n- will remove unit wordpress/0\n- will remove unit wordpress/1\n");
}

TEST_F(CommandsTest, RemoveApplicationAsksOnlyOnATerminal) {
  fake().status = testing::SampleStatus();
  RunOptions tty;
  tty.stdin_tty = true;
  tty.stdin_text = "n\n";
  CliRun r = Skein({"remove-application", "-m", "dev", "wordpress"}, tty);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "WARNING This command will perform the following actions:\n"
            "will remove application wordpress\n"
            "- will remove unit wordpress/0\n"
            "\nContinue [y/N]? ERROR aborted\n");
  EXPECT_EQ(fake().last_remove_application.applications_size(), 0);
  tty.stdin_text = "y\n";
  r = Skein({"remove-application", "-m", "dev", "wordpress"}, tty);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fake().last_remove_application.applications_size(), 1);
  // Without a terminal there is no question, with or without --no-prompt.
  r = Skein({"remove-application", "-m", "dev", "mysql"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("Continue"), std::string::npos);
}

TEST_F(CommandsTest, ConfigGetSetReset) {
  auto* opt = fake().config.add_options();
  fake().config.set_application("mysql");
  fake().config.set_charm("mysql");
  opt->set_name("port");
  opt->set_type("int");
  opt->set_default_json("3306");
  opt->set_value_json("3306");
  opt->set_source("default");
  CliRun r = Skein({"config", "--model", "dev", "--format", "json", "mysql"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["settings"]["port"]["value"], 3306);
  r = Skein({"config", "mysql", "port"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "3306\n");
  r = Skein({"config", "mysql", "nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR key \"nope\" not found in \"mysql\" application config or charm settings.\n");
  testing::WriteFile(dir_.path() + "/value.txt", "from file");
  r = Skein({"config", "mysql", "port=3307", "name=A string.", "motd=@" + dir_.path() + "/value.txt", "--reset",
             "x,y"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out + r.err, "");
  const auto& set = fake().last_set_config;
  EXPECT_EQ(set.values().at("port"), "3307");
  EXPECT_EQ(set.values().at("name"), "A string.");
  EXPECT_EQ(set.values().at("motd"), "from file");
  EXPECT_EQ(std::vector<std::string>(set.reset().begin(), set.reset().end()), (std::vector<std::string>{"x", "y"}));
  testing::WriteFile(dir_.path() + "/c.yaml", "mysql:\n  port: 1\n");
  r = Skein({"config", "mysql", "--file", dir_.path() + "/c.yaml"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fake().last_set_config.values().at("port"), "1");
}

TEST_F(CommandsTest, TrustIsApplicationConfigSetAndShown) {
  fake().config.set_application("mysql");
  fake().config.set_charm("mysql");
  CliRun r = Skein({"config", "--format", "json", "mysql"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["application-config"]["trust"]["value"], false);

  r = Skein({"trust", "--model", "dev", "mysql", "--scope", "cluster"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out + r.err, "");
  EXPECT_EQ(fake().last_set_config.application(), "mysql");
  EXPECT_EQ(fake().last_set_config.values().at("trust"), "true");
  r = Skein({"trust", "mysql", "--remove"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fake().last_set_config.values().at("trust"), "false");

  fake().config.set_trust(true);
  r = Skein({"config", "--format", "json", "mysql"});
  json trust = json::parse(r.out)["application-config"]["trust"];
  EXPECT_EQ(trust["value"], true);
  EXPECT_EQ(trust["source"], "user");
  EXPECT_EQ(Skein({"config", "mysql", "trust"}).out, "true\n");

  r = Skein({"trust", "mysql", "--scope", "model"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR invalid --scope \"model\": the only scope is \"cluster\"\n");
  r = Skein({"trust"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no application name specified\n");
}

TEST_F(CommandsTest, ShowUnit) {
  fake().unit_info.set_name("mysql/0");
  fake().unit_info.set_charm("local:mysql-0");
  CliRun r = Skein({"show-unit", "--model", "local:dev", "mysql/0", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["mysql/0"]["charm"], "local:mysql-0");
  EXPECT_TRUE(doc["mysql/0"]["opened-ports"].is_array());
  r = Skein({"show-unit", "mysql/0"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("mysql/0:\n  charm: local:mysql-0\n", 0), 0u) << r.out;
  r = Skein({"show-unit", "mysql/9"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR unit \"mysql/9\" not found\n");
}

TEST_F(CommandsTest, DebugLogPrintsAndExitsWhenPiped) {
  for (int i = 0; i < 12; ++i) {
    skein::v1::LogEntry e;
    e.set_entity("unit-mysql-0");
    e.set_timestamp("2026-11-23T14:22:" + std::to_string(10 + i) + "Z");
    e.set_level("INFO");
    e.set_module("juju.worker.uniter");
    e.set_message("line " + std::to_string(i));
    fake().logs.push_back(e);
  }
  CliRun r = Skein({"debug-log", "-m", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 10);
  EXPECT_EQ(r.out.rfind("unit-mysql-0: 14:22:12 INFO juju.worker.uniter line 2\n", 0), 0u) << r.out;
  EXPECT_FALSE(fake().last_debug_log.follow());
  EXPECT_EQ(fake().last_debug_log.lines(), 10);
  r = Skein({"debug-log", "--replay", "-i", "mysql/0", "-x", "machine-0", "-l", "warning"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(fake().last_debug_log.lines(), -1);
  EXPECT_EQ(fake().last_debug_log.level(), "WARNING");
  EXPECT_EQ(fake().last_debug_log.include(0), "mysql/0");
  EXPECT_EQ(fake().last_debug_log.exclude(0), "machine-0");
  r = Skein({"debug-log", "--limit", "3"});
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
  r = Skein({"debug-log", "--limit", "0"});
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 12);
  RunOptions tty;
  tty.stdout_tty = true;
  r = Skein({"debug-log", "--no-tail"}, tty);
  EXPECT_FALSE(fake().last_debug_log.follow());
  r = Skein({"debug-log", "--tail"});
  EXPECT_TRUE(fake().last_debug_log.follow());
}

TEST_F(CommandsTest, ModelsAddModelAndSwitch) {
  CliRun r = Skein({"add-model", "--no-switch", "test-1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "Added 'test-1' model on local/localhost with credential 'local' for user 'admin'\n");
  EXPECT_EQ(CurrentModel(), "controller");
  r = Skein({"add-model", "test-2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(CurrentModel(), "test-2");
  r = Skein({"add-model", "test-2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR failed to create new model: model \"test-2\" for admin already exists\n");

  r = Skein({"models"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("Controller: local\n\nModel       Cloud/Region     Type   Status", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\ntest-2*     local/localhost"), std::string::npos) << r.out;
  r = Skein({"models", "--format", "json"});
  EXPECT_EQ(json::parse(r.out)["current-model"], "test-2");

  r = Skein({"switch", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "local:admin/test-2 -> local:admin/dev\n");
  EXPECT_EQ(CurrentModel(), "dev");
  r = Skein({"switch"});
  EXPECT_EQ(r.out, "local:admin/dev\n");
  r = Skein({"switch", "local:admin/nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR model \"nope\" not found\n");
}

TEST_F(CommandsTest, WrongCredentialAndUnreachableController) {
  client::ClientConfig c = *client::LoadClientConfig(dir_.path());
  c.controllers["local"].admin_credential = "wrong";
  ASSERT_TRUE(client::SaveClientConfig(dir_.path(), c).ok());
  CliRun r = Skein({"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR invalid entity name or password\n");

  testing::TempDir other;
  testing::RegisterController(other.path(), "127.0.0.1:1");
  r = testing::RunSkein(other.path(), {"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("ERROR cannot connect to controller \"local\" at 127.0.0.1:1: ", 0), 0u) << r.err;
}

TEST_F(CommandsTest, AControllerTheClientsCaDoesNotVouchForIsNamedWithTheCaFile) {
  // Another controller (its own CA) on the address client.yaml names.
  auto other_ca = rpc::CreateCertificateAuthority(RealClock());
  ASSERT_TRUE(other_ca.ok()) << other_ca.status();
  const absl::Time now = absl::Now();
  auto cert = rpc::IssueServerCertificate(*other_ca, rpc::ControllerHosts("127.0.0.1:0"), now - absl::Hours(1),
                                          now + absl::Hours(1));
  ASSERT_TRUE(cert.ok()) << cert.status();
  testing::FakeControllerServer impostor(testing::TestAdminHash(), "127.0.0.1:0", *cert);
  testing::TempDir other;
  testing::RegisterController(other.path(), impostor.address());
  CliRun r = testing::RunSkein(other.path(), {"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot connect to controller \"local\" at " + impostor.address() +
                       ": its certificate is not signed by the CA in " + other.path() +
                       "/client.yaml (another controller listens there, or " + other.path() +
                       "/client.yaml is from another bootstrap)\n");
}

}  // namespace
}  // namespace skein::cli::commands
