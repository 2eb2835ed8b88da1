// Golden tests of `skein status` output: the JSON document jubilant parses and the tabular text.

#include "gtest/gtest.h"
#include "lib/format/output.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/output/status_json.h"
#include "tools/cli/output/status_tabular.h"

namespace skein::cli::output {
namespace {

using nlohmann::json;

// No key anywhere in the document holds null (jubilant crashes on null maps and lists).
void ExpectNoNull(const json& v, const std::string& path) {
  ASSERT_FALSE(v.is_null()) << path;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) ExpectNoNull(it.value(), path + "." + it.key());
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) ExpectNoNull(v[i], path + "[" + std::to_string(i) + "]");
  }
}

TEST(StatusJsonTest, GoldenDocument) {
  json doc = StatusToJson(testing::SampleStatus(), "local");
  const std::string expected =
      R"({"applications":{"mysql":{"application-status":{"current":"maintenance","message":"installing","since":"23 Nov 2026 20:05:00Z"},)"
      R"("base":{"channel":"22.04","name":"ubuntu"},"charm":"local:mysql-0","charm-name":"mysql","charm-origin":"local","charm-rev":0,"exposed":false,)"
      R"("relations":{"cluster":[{"interface":"mysql-ha","related-application":"mysql","scope":"global"}],)"
      R"("db":[{"interface":"mysql","related-application":"wordpress","scope":"global"}]},)"
      R"("units":{"mysql/0":{"juju-status":{"current":"idle","since":"23 Nov 2026 20:05:00Z","version":"3.6.11"},"leader":true,"machine":"0",)"
      R"("open-ports":["3306/tcp"],"public-address":"127.0.0.1","workload-status":{"current":"active","message":"ready","since":"23 Nov 2026 20:05:00Z"}},)"
      R"("mysql/1":{"juju-status":{"current":"executing","message":"running install hook","since":"23 Nov 2026 20:05:00Z","version":"3.6.11"},)"
      R"("machine":"0","public-address":"127.0.0.1","workload-status":{"current":"maintenance","message":"installing","since":"23 Nov 2026 20:05:00Z"}}}},)"
      R"("wordpress":{"application-status":{"current":"error","message":"hook failed: \"db-relation-joined\"","since":"23 Nov 2026 20:05:00Z"},)"
      R"("base":{"channel":"22.04","name":"ubuntu"},"charm":"local:wordpress-2","charm-name":"wordpress","charm-origin":"local","charm-rev":2,"exposed":false,)"
      R"("relations":{"db":[{"interface":"mysql","related-application":"mysql","scope":"global"}]},)"
      R"("units":{"wordpress/0":{"juju-status":{"current":"error","message":"hook failed: \"db-relation-joined\"","since":"23 Nov 2026 20:05:00Z","version":"3.6.11"},)"
      R"("leader":true,"machine":"0","public-address":"127.0.0.1","workload-status":{"current":"error","message":"hook failed: \"db-relation-joined\"","since":"23 Nov 2026 20:05:00Z"}}},)"
      R"("version":"6.4.1"}},)"
      R"("controller":{"timestamp":"20:10:00Z"},)"
      R"("machines":{"0":{"base":{"channel":"22.04","name":"ubuntu"},"dns-name":"127.0.0.1","hostname":"host1","instance-id":"local-0","ip-addresses":["127.0.0.1"],)"
      R"("juju-status":{"current":"started","since":"23 Nov 2026 20:05:00Z","version":"3.6.11"},"machine-status":{"current":"running","message":"Running","since":"23 Nov 2026 20:05:00Z"}}},)"
      R"("model":{"cloud":"local","controller":"local","model-status":{"current":"available","since":"23 Nov 2026 20:05:00Z"},"name":"dev","region":"localhost","type":"iaas","version":"3.6.11"}})"
      "\n";
  EXPECT_EQ(skein::format::ToJson(doc), expected);
}

TEST(StatusJsonTest, CarriesEveryKeyJubilantRequires) {
  json doc = json::parse(skein::format::ToJson(StatusToJson(testing::SampleStatus(), "local")));
  ExpectNoNull(doc, "$");
  for (const char* key : {"name", "type", "controller", "cloud", "version"}) {
    EXPECT_TRUE(doc["model"][key].is_string()) << key;
  }
  EXPECT_TRUE(doc["machines"].is_object());
  ASSERT_TRUE(doc["applications"].is_object());
  for (auto& [name, app] : doc["applications"].items()) {
    EXPECT_TRUE(app["charm"].is_string()) << name;
    EXPECT_TRUE(app["charm-origin"].is_string()) << name;
    EXPECT_TRUE(app["charm-name"].is_string()) << name;
    EXPECT_TRUE(app["charm-rev"].is_number_integer()) << name;
    EXPECT_TRUE(app["exposed"].is_boolean()) << name;
    EXPECT_TRUE(app["application-status"]["current"].is_string()) << name;
    for (auto& [endpoint, list] : app["relations"].items()) {
      ASSERT_TRUE(list.is_array()) << endpoint;
      for (auto& r : list) {
        EXPECT_TRUE(r.is_object());
        EXPECT_TRUE(r["related-application"].is_string());
        EXPECT_TRUE(r["interface"].is_string());
        EXPECT_TRUE(r["scope"].is_string());
      }
    }
    for (auto& [unit, u] : app["units"].items()) {
      EXPECT_TRUE(u["workload-status"]["current"].is_string()) << unit;
      EXPECT_TRUE(u["juju-status"]["current"].is_string()) << unit;
    }
  }
  EXPECT_EQ(doc["applications"]["mysql"]["units"]["mysql/0"]["leader"], true);
  // Non-leaders leave the key out, as Juju does.
  EXPECT_FALSE(doc["applications"]["mysql"]["units"]["mysql/1"].contains("leader"));
  // The peer relation is listed under its endpoint with the application itself.
  EXPECT_EQ(doc["applications"]["mysql"]["relations"]["cluster"][0]["related-application"], "mysql");
}

TEST(StatusJsonTest, EmptyModelHasEmptyMapsNotNull) {
  skein::v1::ModelStatus s;
  s.mutable_model()->set_name("controller");
  s.mutable_model()->set_type("iaas");
  s.set_controller_timestamp("2026-11-23T20:10:00Z");
  json doc = StatusToJson(s, "local");
  EXPECT_EQ(skein::format::ToJson(doc),
            R"({"applications":{},"controller":{"timestamp":"20:10:00Z"},"machines":{},)"
            R"("model":{"cloud":"local","controller":"local","name":"controller","type":"iaas","version":"3.6.11"}})"
            "\n");
  EXPECT_TRUE(IsEmptyModel(s));
}

TEST(StatusJsonTest, RemovedRelationLeavesNoRelationsKey) {
  skein::v1::ModelStatus s = testing::SampleStatus();
  for (auto& app : *s.mutable_applications()) app.clear_relations();
  json doc = StatusToJson(s, "local");
  EXPECT_FALSE(doc["applications"]["mysql"].contains("relations"));
  EXPECT_FALSE(doc["applications"]["wordpress"].contains("relations"));
}

TEST(StatusJsonTest, DyingUnitsAndApplicationsSayTheirLife) {
  skein::v1::ModelStatus s = testing::SampleStatus();
  s.mutable_applications(0)->set_life(skein::v1::LIFE_DYING);
  s.mutable_applications(0)->mutable_units(0)->set_life(skein::v1::LIFE_DYING);
  json doc = StatusToJson(s, "local");
  EXPECT_EQ(doc["applications"]["wordpress"]["life"], "dying");
  EXPECT_EQ(doc["applications"]["wordpress"]["units"]["wordpress/0"]["juju-status"]["life"], "dying");
  EXPECT_FALSE(doc["applications"]["mysql"].contains("life"));
}

TEST(StatusTabularTest, GoldenText) {
  TabularOptions o;
  o.controller_name = "local";
  o.relations = true;
  const std::string expected =
      "Model  Controller  Cloud/Region     Version  Timestamp\n"
      "dev    local       local/localhost  3.6.11   20:10:00Z\n"
      "\n"
      "App        Version  Status       Scale  Charm      Channel  Rev  Exposed  Message\n"
      "mysql               maintenance      2  mysql                 0  no       installing\n"
      "wordpress  6.4.1    error          0/1  wordpress             2  no       hook failed: \"db-relation-joined\"\n"
      "\n"
      "Unit          Workload     Agent      Machine  Public address  Ports     Message\n"
      "mysql/0*      active       idle       0        127.0.0.1       3306/tcp  ready\n"
      "mysql/1       maintenance  executing  0        127.0.0.1                 (install) installing\n"
      "wordpress/0*  error        error      0        127.0.0.1                 hook failed: \"db-relation-joined\"\n"
      "\n"
      "Machine  State    Address    Inst id  Base          AZ  Message\n"
      "0        started  127.0.0.1  local-0  ubuntu@22.04      Running\n"
      "\n"
      "Integration provider  Requirer       Interface  Type     Message\n"
      "mysql:cluster         mysql:cluster  mysql-ha   peer\n"
      "mysql:db              wordpress:db   mysql      regular\n";
  EXPECT_EQ(StatusToTabular(testing::SampleStatus(), o), expected);
}

TEST(StatusTabularTest, IntegrationsOnlyWithTheFlag) {
  TabularOptions o;
  o.controller_name = "local";
  std::string text = StatusToTabular(testing::SampleStatus(), o);
  EXPECT_EQ(text.find("Integration provider"), std::string::npos);
}

TEST(StatusTabularTest, EmptyModelShowsOnlyTheModelLine) {
  skein::v1::ModelStatus s;
  s.mutable_model()->set_name("controller");
  s.mutable_model()->set_cloud("local");
  s.mutable_model()->set_region("localhost");
  s.set_controller_timestamp("2026-11-23T20:10:00Z");
  TabularOptions o;
  o.controller_name = "local";
  EXPECT_EQ(StatusToTabular(s, o),
            "Model       Controller  Cloud/Region     Version  Timestamp\n"
            "controller  local       local/localhost  3.6.11   20:10:00Z\n");
}

TEST(StatusTabularTest, ColourOnlyWhenAsked) {
  TabularOptions o;
  o.controller_name = "local";
  EXPECT_EQ(StatusToTabular(testing::SampleStatus(), o).find('\x1b'), std::string::npos);
  o.color = true;
  std::string coloured = StatusToTabular(testing::SampleStatus(), o);
  EXPECT_NE(coloured.find("\x1b[1mModel\x1b[0m"), std::string::npos);
  EXPECT_NE(coloured.find("\x1b[31merror\x1b[0m"), std::string::npos);
}

TEST(StatusTabularTest, AgentDoingNamesTheHookOrAction) {
  skein::v1::StatusInfo s;
  s.set_current("executing");
  s.set_message("running db-relation-joined hook for wordpress/0");
  EXPECT_EQ(AgentDoing(s), "db-relation-joined");
  s.set_message("running action backup");
  EXPECT_EQ(AgentDoing(s), "backup");
  s.set_current("idle");
  EXPECT_EQ(AgentDoing(s), "");
}

// Issue 13: a unit whose upgrade-charm was skipped is flagged in its line and in the document
// until a later upgrade succeeds; a unit still on an older charm than its application says so.
skein::v1::ModelStatus UpgradeStatus() {
  skein::v1::ModelStatus s = testing::SampleStatus();
  for (auto& app : *s.mutable_applications()) {
    if (app.name() == "mysql") {
      app.set_charm_url("local:mysql-1");
      app.set_charm_rev(1);
    }
    for (auto& u : *app.mutable_units()) {
      u.set_charm_url(app.charm_url());
      u.set_charm_rev(app.charm_rev());
      if (u.name() == "mysql/1") {
        u.set_charm_url("local:mysql-0");
        u.set_charm_rev(0);
      }
      if (u.name() == "wordpress/0") u.set_upgrade_charm_skipped(true);
    }
  }
  return s;
}

TEST(StatusTabularTest, SkippedUpgradeCharmAndOlderCharmShowInTheUnitLine) {
  TabularOptions o;
  o.controller_name = "local";
  const std::string text = StatusToTabular(UpgradeStatus(), o);
  EXPECT_NE(text.find("mysql/0*      active       idle       0        127.0.0.1       3306/tcp  ready\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("upgrading from rev 0; (install) installing\n"), std::string::npos) << text;
  EXPECT_NE(text.find("upgrade-charm skipped: charm wordpress rev 2 not upgraded cleanly; run skein refresh again; "
                      "hook failed"),
            std::string::npos)
      << text;
}

TEST(StatusJsonTest, SkippedUpgradeCharmAndOlderCharmAreUnitKeys) {
  json doc = StatusToJson(UpgradeStatus(), "local");
  const json& wordpress = doc["applications"]["wordpress"]["units"]["wordpress/0"];
  EXPECT_EQ(wordpress["upgrade-charm-skipped"], true);
  EXPECT_EQ(wordpress["upgrade-charm-message"],
            "upgrade-charm skipped: charm wordpress rev 2 not upgraded cleanly; run skein refresh again");
  EXPECT_FALSE(wordpress.contains("upgrading-from"));
  EXPECT_EQ(doc["applications"]["mysql"]["units"]["mysql/1"]["upgrading-from"], "local:mysql-0");
  EXPECT_FALSE(doc["applications"]["mysql"]["units"]["mysql/0"].contains("upgrading-from"));
  EXPECT_FALSE(doc["applications"]["mysql"]["units"]["mysql/0"].contains("upgrade-charm-skipped"));
  EXPECT_EQ(doc["applications"]["mysql"]["charm-rev"], 1);
}

TEST(StatusTabularTest, OnelineFormat) {
  EXPECT_EQ(StatusToOneline(testing::SampleStatus()),
            "- mysql/0: 127.0.0.1 (agent:idle, workload:active) 3306/tcp\n"
            "- mysql/1: 127.0.0.1 (agent:executing, workload:maintenance)\n"
            "- wordpress/0: 127.0.0.1 (agent:error, workload:error)\n");
}

}  // namespace
}  // namespace skein::cli::output
