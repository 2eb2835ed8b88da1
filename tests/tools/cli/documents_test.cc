// show-unit, config, models and debug-log documents.

#include "gtest/gtest.h"
#include "lib/format/output.h"
#include "tools/cli/output/config_output.h"
#include "tools/cli/output/log_line.h"
#include "tools/cli/output/models_output.h"
#include "tools/cli/output/render.h"
#include "tools/cli/output/unit_info.h"
#include "tools/cli/output/version.h"

namespace skein::cli::output {
namespace {

using nlohmann::json;

skein::v1::UnitInfo SampleUnit() {
  skein::v1::UnitInfo u;
  u.set_name("wordpress/0");
  u.set_charm("local:wordpress-2");
  u.set_leader(true);
  u.set_machine("0");
  u.set_public_address("127.0.0.1");
  u.mutable_workload_status()->set_current("active");
  u.mutable_workload_status()->set_since("2026-11-23T20:05:00Z");
  auto* r = u.add_relation_info();
  r->set_relation_id(3);
  r->set_endpoint("db");
  r->set_related_endpoint("server");
  (*r->mutable_application_data())["database"] = "wp";
  r->mutable_local_unit()->set_in_scope(true);
  (*r->mutable_local_unit()->mutable_data())["private-address"] = "127.0.0.1";
  auto& related = (*r->mutable_related_units())["mysql/0"];
  related.set_in_scope(true);
  (*related.mutable_data())["egress-subnets"] = "127.0.0.1/32";
  return u;
}

TEST(ShowUnitTest, JsonShape) {
  EXPECT_EQ(skein::format::ToJson(UnitInfoToJson(SampleUnit())),
            R"({"wordpress/0":{"charm":"local:wordpress-2","leader":true,"life":"alive","machine":"0","opened-ports":[],)"
            R"("public-address":"127.0.0.1","relation-info":[{"application-data":{"database":"wp"},"endpoint":"db",)"
            R"("local-unit":{"data":{"private-address":"127.0.0.1"},"in-scope":true},"related-endpoint":"server",)"
            R"("related-units":{"mysql/0":{"data":{"egress-subnets":"127.0.0.1/32"},"in-scope":true}},"relation-id":3}],)"
            R"("workload-status":{"current":"active","since":"23 Nov 2026 20:05:00Z"}}})"
            "\n");
}

TEST(ShowUnitTest, RequiredKeysPresentWithoutRelations) {
  skein::v1::UnitInfo u;
  u.set_name("a/1");
  u.set_charm("local:a-0");
  json doc = UnitInfoToJson(u);
  ASSERT_TRUE(doc.contains("a/1"));
  EXPECT_TRUE(doc["a/1"]["opened-ports"].is_array());
  EXPECT_EQ(doc["a/1"]["leader"], false);
  EXPECT_EQ(doc["a/1"]["charm"], "local:a-0");
  EXPECT_TRUE(doc["a/1"]["relation-info"].is_array());
}

skein::v1::GetConfigResponse SampleConfig() {
  skein::v1::GetConfigResponse c;
  c.set_application("mysql");
  c.set_charm("mysql");
  auto* port = c.add_options();
  port->set_name("port");
  port->set_type("int");
  port->set_description("Port to listen on");
  port->set_default_json("3306");
  port->set_value_json("3307");
  port->set_source("user");
  auto* name = c.add_options();
  name->set_name("name");
  name->set_type("string");
  name->set_description("A name");
  name->set_default_json("\"\"");
  name->set_value_json("\"\"");
  name->set_source("default");
  auto* secret = c.add_options();
  secret->set_name("password");
  secret->set_type("secret");
  secret->set_description("No default");
  secret->set_source("unset");
  return c;
}

TEST(ConfigOutputTest, YamlDocument) {
  EXPECT_EQ(skein::format::ToYaml(ConfigToJson(SampleConfig())),
            "application: mysql\n"
            "application-config:\n"
            "  trust:\n"
            "    default: false\n"
            "    description: Does this application have access to trusted credentials\n"
            "    source: default\n"
            "    type: bool\n"
            "    value: false\n"
            "charm: mysql\n"
            "settings:\n"
            "  name:\n"
            "    default: ''\n"
            "    description: A name\n"
            "    source: default\n"
            "    type: string\n"
            "    value: ''\n"
            "  password:\n"
            "    description: No default\n"
            "    source: unset\n"
            "    type: secret\n"
            "  port:\n"
            "    default: 3306\n"
            "    description: Port to listen on\n"
            "    source: user\n"
            "    type: int\n"
            "    value: 3307\n");
}

TEST(ConfigOutputTest, JsonKeepsTypesAndEmptyStrings) {
  json doc = json::parse(skein::format::ToJson(ConfigToJson(SampleConfig())));
  EXPECT_EQ(doc["settings"]["port"]["value"], 3307);
  EXPECT_EQ(doc["settings"]["name"]["value"], "");
  EXPECT_FALSE(doc["settings"]["password"].contains("value"));
  EXPECT_EQ(doc["application-config"]["trust"]["value"], false);
}

TEST(ConfigOutputTest, SingleValues) {
  auto c = SampleConfig();
  EXPECT_EQ(BareValue(*ConfigValue(c, "port")), "3307\n");
  EXPECT_EQ(BareValue(*ConfigValue(c, "name")), "\n");
  EXPECT_EQ(BareValue(*ConfigValue(c, "password")), "");
  auto missing = ConfigValue(c, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "key \"nope\" not found in \"mysql\" application config or charm settings.");
}

skein::v1::ListModelsResponse SampleModels() {
  skein::v1::ListModelsResponse r;
  for (const char* name : {"dev", "controller"}) {
    auto* m = r.add_models();
    m->set_name(name);
    m->set_uuid(std::string("uuid-") + name);
    m->set_type("iaas");
    m->set_cloud("local");
    m->set_region("localhost");
    m->mutable_status()->set_current("available");
    m->set_machine_count(std::string(name) == "controller" ? 1 : 0);
    m->set_unit_count(std::string(name) == "controller" ? 12 : 0);
  }
  return r;
}

TEST(ModelsOutputTest, Table) {
  ModelsContext c{"local", "ctrl-uuid", "dev", false};
  EXPECT_EQ(ModelsToTabular(SampleModels(), c),
            "Controller: local\n"
            "\n"
            "Model       Cloud/Region     Type   Status     Machines  Units  Access  Last connection\n"
            "controller  local/localhost  local  available         1  12     admin   just now\n"
            "dev*        local/localhost  local  available         0  -      admin   just now\n");
}

TEST(ModelsOutputTest, JsonCarriesModelInfoKeys) {
  ModelsContext c{"local", "ctrl-uuid", "dev", false};
  json doc = ModelsToJson(SampleModels(), c);
  EXPECT_EQ(doc["current-model"], "dev");
  ASSERT_EQ(doc["models"].size(), 2u);
  const json& m = doc["models"][1];
  EXPECT_EQ(m["name"], "admin/dev");
  EXPECT_EQ(m["short-name"], "dev");
  EXPECT_EQ(m["model-uuid"], "uuid-dev");
  EXPECT_EQ(m["model-type"], "iaas");
  EXPECT_EQ(m["controller-uuid"], "ctrl-uuid");
  EXPECT_EQ(m["controller-name"], "local");
  EXPECT_EQ(m["is-controller"], false);
  EXPECT_EQ(doc["models"][0]["is-controller"], true);
  EXPECT_EQ(m["life"], "alive");
  EXPECT_EQ(m["status"]["current"], "available");
}

TEST(LogLineTest, JujuLayout) {
  skein::v1::LogEntry e;
  e.set_entity("unit-mysql-0");
  e.set_timestamp("2026-11-23T14:22:33.123456Z");
  e.set_level("INFO");
  e.set_module("juju.worker.uniter");
  e.set_message("found queued \"install\" hook");
  EXPECT_EQ(FormatLogLine(e, false), "unit-mysql-0: 14:22:33 INFO juju.worker.uniter found queued \"install\" hook\n");
  EXPECT_EQ(FormatLogLine(e, true),
            "unit-mysql-0: 14:22:33 \x1b[94mINFO\x1b[0m juju.worker.uniter found queued \"install\" hook\n");
}

TEST(RenderTest, InvalidUtf8IsReplaced) {
  EXPECT_EQ(ValidUtf8("ok \xff end"), "ok \xEF\xBF\xBD end");
  EXPECT_EQ(ValidUtf8("h\xC3\xA9llo"), "h\xC3\xA9llo");
  EXPECT_EQ(ValidUtf8("\xC0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong NUL
  auto text = RenderData(json{{"message", "bad \xfe byte"}}, "json");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{\"message\":\"bad \xEF\xBF\xBD byte\"}\n");
  EXPECT_FALSE(RenderData(json::object(), "xml").ok());
}

TEST(VersionTest, JujuShaped) {
  std::string v = VersionString();
  EXPECT_EQ(v.rfind("3.6.", 0), 0u) << v;
  EXPECT_NE(v.find("-genericlinux-"), std::string::npos) << v;
  EXPECT_EQ(VersionDetails()["version"], v);
}

}  // namespace
}  // namespace skein::cli::output

#include "tools/cli/commands/settle.h"

namespace skein::cli {
namespace {

skein::v1::UnitStatus* AddUnit(skein::v1::ApplicationStatus* app, const std::string& name, const std::string& workload,
                               const std::string& agent, const std::string& agent_message = "") {
  auto* u = app->add_units();
  u->set_name(name);
  u->mutable_workload_status()->set_current(workload);
  u->mutable_agent_status()->set_current(agent);
  u->mutable_agent_status()->set_message(agent_message);
  return u;
}

TEST(SettleTest, SettledOnlyWhenEveryAgentIsIdleWithAnAcceptedWorkload) {
  skein::v1::ModelStatus status;
  auto* app = status.add_applications();
  AddUnit(app, "a/0", "active", "idle");
  AddUnit(app, "a/1", "waiting", "executing", "running install hook");
  auto report = commands::EvaluateSettled(status, {"active"});
  EXPECT_FALSE(report.Settled());
  EXPECT_EQ(report.Summary(), "1/2 units settled; waiting for a/1 waiting (executing: running install hook)");
  app->mutable_units(1)->mutable_workload_status()->set_current("blocked");
  app->mutable_units(1)->mutable_agent_status()->set_current("idle");
  app->mutable_units(1)->mutable_agent_status()->clear_message();
  EXPECT_FALSE(commands::EvaluateSettled(status, {"active"}).Settled());
  EXPECT_TRUE(commands::EvaluateSettled(status, {"active", "blocked"}).Settled());
}

TEST(SettleTest, AFailedHookIsReportedNotWaitedFor) {
  skein::v1::ModelStatus status;
  auto* app = status.add_applications();
  AddUnit(app, "a/0", "error", "error", "hook failed: \"install\"");
  auto report = commands::EvaluateSettled(status, {"active"});
  EXPECT_FALSE(report.Settled());
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_EQ(report.errors[0], "a/0: hook failed: \"install\"");
}

TEST(SettleTest, UnitsOfAMachineWhoseAgentIsNotConnectedAreNotSettled) {
  skein::v1::ModelStatus status;
  auto* machine = status.add_machines();
  machine->set_id("0");
  machine->mutable_agent_status()->set_current("pending");
  auto* app = status.add_applications();
  AddUnit(app, "a/0", "active", "idle")->set_machine("0");
  // What the unit shows was true when its agent last reported; nobody confirms it now.
  auto report = commands::EvaluateSettled(status, {"active"});
  EXPECT_FALSE(report.Settled());
  EXPECT_EQ(report.Summary(), "0/1 units settled; waiting for a/0 active (machine 0 agent pending)");
  machine->mutable_agent_status()->set_current("started");
  EXPECT_TRUE(commands::EvaluateSettled(status, {"active"}).Settled());
}

// Right after a refresh a unit is still idle on its old charm: not settled until it reports the
// application's charm. A unit that never reported one (an older agent) is taken as it is.
TEST(SettleTest, AUnitStillOnItsOldCharmIsNotSettled) {
  skein::v1::ModelStatus status;
  auto* app = status.add_applications();
  app->set_charm_url("ch:kfp-api-3");
  AddUnit(app, "kfp-api/0", "active", "idle")->set_charm_url("ch:kfp-api-2");
  AddUnit(app, "kfp-api/1", "active", "idle");
  auto report = commands::EvaluateSettled(status, {"active"});
  EXPECT_FALSE(report.Settled());
  EXPECT_EQ(report.Summary(), "1/2 units settled; waiting for kfp-api/0 active (upgrading from ch:kfp-api-2)");
  app->mutable_units(0)->set_charm_url("ch:kfp-api-3");
  EXPECT_TRUE(commands::EvaluateSettled(status, {"active"}).Settled());
}

// Issue 14: a unit whose agent is gone, or whose machine's agent is down, was idle when its agent
// last spoke; nobody confirms it now, so waiting goes on.
TEST(SettleTest, AUnitWhoseAgentIsLostOrWhoseMachineIsDownIsNotSettled) {
  skein::v1::ModelStatus status;
  auto* machine = status.add_machines();
  machine->set_id("0");
  machine->mutable_agent_status()->set_current("started");
  auto* app = status.add_applications();
  AddUnit(app, "a/0", "unknown", "lost", "agent is not communicating with the server")->set_machine("0");
  AddUnit(app, "a/1", "active", "idle")->set_machine("0");
  auto report = commands::EvaluateSettled(status, {"active", "unknown"});
  EXPECT_FALSE(report.Settled());
  EXPECT_EQ(report.Summary(),
            "1/2 units settled; waiting for a/0 unknown (agent lost)");
  app->mutable_units(0)->mutable_agent_status()->set_current("idle");
  app->mutable_units(0)->mutable_agent_status()->clear_message();
  machine->mutable_agent_status()->set_current("down");
  report = commands::EvaluateSettled(status, {"active", "unknown"});
  EXPECT_FALSE(report.Settled());
  EXPECT_EQ(report.Summary(), "0/2 units settled; waiting for a/0 unknown (machine 0 agent down), a/1 active "
                              "(machine 0 agent down)");
}

TEST(SettleTest, AnEmptyModelIsSettled) {
  EXPECT_TRUE(commands::EvaluateSettled(skein::v1::ModelStatus(), {"active"}).Settled());
}

}  // namespace
}  // namespace skein::cli
