// export-bundle and diff-bundle: the pure functions of bundles/export.h and bundles/diff.h, and
// the two commands against the fake controller.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "bundles/bundle.h"
#include "bundles/diff.h"
#include "bundles/export.h"
#include "gtest/gtest.h"
#include "tests/tools/cli/fake_controller.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/commands/command.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {
namespace {

ModelDescription SampleModel() {
  ModelDescription m;
  ModelApplication mysql;
  mysql.name = "mysql";
  mysql.charm = "mysql-k8s";
  mysql.charm_origin = "charmhub";
  mysql.channel = "8.0/stable";
  mysql.revision = 99;
  mysql.num_units = 3;
  mysql.options["profile"] = "testing";
  mysql.options["max-connections"] = 100;
  mysql.options["plugin-audit-enabled"] = false;
  mysql.options["version"] = "8.0";  // a string YAML would read as a number
  ModelApplication wp;
  wp.name = "wordpress";
  wp.charm = "wordpress";
  wp.charm_origin = "local";
  wp.num_units = 1;
  m.applications = {wp, mysql};
  m.relations = {{"wordpress:db", "mysql:database"}};
  return m;
}

ResolvedBundle FromModel(const ModelDescription& m) {
  auto bundle = ParseBundle(SourceFile{ExportBundle(m), "/tmp"}, {});
  EXPECT_TRUE(bundle.ok()) << bundle.status();
  CharmResolver resolve = [&m](const Application& app) -> absl::StatusOr<ResolvedCharm> {
    ResolvedCharm c;
    // ParseBundle may or may not keep the `local:` schema of `charm: local:<name>`.
    bool local = app.charm.rfind("local:", 0) == 0;
    for (const auto& a : m.applications) {
      if (a.name == app.name && a.charm_origin == "local") local = true;
    }
    if (local) {
      c.name = app.charm.rfind("local:", 0) == 0 ? app.charm.substr(6) : app.charm;
      c.origin = "local";
    } else {
      c.name = app.charm;
      c.origin = "charmhub";
      c.channel = app.channel;
      c.revision = app.revision.value_or(0);
    }
    return c;
  };
  auto resolved = ResolveForDiff(*bundle, resolve);
  EXPECT_TRUE(resolved.ok()) << resolved.status();
  return *resolved;
}

TEST(ExportBundleTest, HandBuiltModel) {
  EXPECT_EQ(ExportBundle(SampleModel()),
            "applications:\n"
            "  mysql:\n"
            "    charm: mysql-k8s\n"
            "    channel: 8.0/stable\n"
            "    revision: 99\n"
            "    num_units: 3\n"
            "    options:\n"
            "      max-connections: 100\n"
            "      plugin-audit-enabled: false\n"
            "      profile: testing\n"
            "      version: \"8.0\"\n"
            "  wordpress:\n"
            "    charm: local:wordpress\n"
            "    num_units: 1\n"
            "relations:\n"
            "  - [mysql:database, wordpress:db]\n");
}

TEST(ExportBundleTest, EmptyModel) { EXPECT_EQ(ExportBundle(ModelDescription{}), "applications: {}\n"); }

TEST(DiffBundleTest, IdenticalIsEmpty) {
  ModelDescription m = SampleModel();
  BundleDiff d = DiffBundle(FromModel(m), m);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(DiffToYaml(d), "{}\n");
}

TEST(DiffBundleTest, RoundTripThroughParseBundle) {
  ModelDescription m = SampleModel();
  auto bundle = ParseBundle(SourceFile{ExportBundle(m), "/tmp"}, {});
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  const Application& mysql = bundle->applications.at("mysql");
  EXPECT_EQ(mysql.charm, "mysql-k8s");
  EXPECT_EQ(mysql.channel, "8.0/stable");
  EXPECT_EQ(mysql.revision, 99);
  EXPECT_EQ(mysql.num_units, 3);
  EXPECT_EQ(mysql.options.at("version"), "8.0");
  EXPECT_EQ(mysql.options.at("max-connections"), "100");
  EXPECT_EQ(bundle->applications.at("wordpress").num_units, 1);
  ASSERT_EQ(bundle->relations.size(), 1u);
  EXPECT_TRUE(DiffBundle(FromModel(m), m).empty()) << DiffToYaml(DiffBundle(FromModel(m), m));
}

TEST(DiffBundleTest, ChangedOptionScaleAndRevision) {
  ModelDescription m = SampleModel();
  ResolvedBundle b = FromModel(m);
  m.applications[1].options["profile"] = "production";
  m.applications[1].options.erase("version");
  m.applications[1].options["extra"] = "x";
  m.applications[1].num_units = 1;
  m.applications[1].revision = 100;
  BundleDiff d = DiffBundle(b, m);
  EXPECT_EQ(DiffToYaml(d),
            "applications:\n"
            "  mysql:\n"
            "    revision:\n"
            "      bundle: 99\n"
            "      model: 100\n"
            "    num_units:\n"
            "      bundle: 3\n"
            "      model: 1\n"
            "    options:\n"
            "      extra:\n"
            "        bundle: ~\n"
            "        model: x\n"
            "      profile:\n"
            "        bundle: testing\n"
            "        model: production\n"
            "      version:\n"
            "        bundle: 8.0\n"
            "        model: ~\n");
}

TEST(DiffBundleTest, TypedOptionsCompareByValue) {
  ModelDescription m = SampleModel();
  ResolvedBundle b = FromModel(m);
  b.bundle.applications.at("mysql").options["max-connections"] = "100.0";
  b.bundle.applications.at("mysql").options["plugin-audit-enabled"] = "False";
  EXPECT_TRUE(DiffBundle(b, m).empty());
}

TEST(DiffBundleTest, MissingApplicationOnEachSide) {
  ModelDescription m = SampleModel();
  ResolvedBundle b = FromModel(m);
  ModelApplication extra;
  extra.name = "redis";
  extra.charm = "redis-k8s";
  extra.charm_origin = "charmhub";
  extra.channel = "latest/edge";
  extra.revision = 7;
  m.applications.push_back(extra);
  m.applications.erase(m.applications.begin());  // wordpress only in the bundle now
  m.relations.clear();
  BundleDiff d = DiffBundle(b, m);
  EXPECT_EQ(d.applications.at("redis").missing, "bundle");
  EXPECT_EQ(d.applications.at("wordpress").missing, "model");
  EXPECT_EQ(DiffToYaml(d),
            "applications:\n"
            "  redis:\n"
            "    missing: bundle\n"
            "  wordpress:\n"
            "    missing: model\n"
            "relations:\n"
            "  bundle-additions:\n"
            "    - [mysql:database, wordpress:db]\n");
}

TEST(DiffBundleTest, ExtraRelationOnEachSide) {
  ModelDescription m = SampleModel();
  ResolvedBundle b = FromModel(m);
  b.relations.push_back(RelationPlan{"wordpress:cache", "mysql:cache"});
  m.relations.push_back(ModelRelation{"mysql:monitoring", "wordpress:metrics"});
  BundleDiff d = DiffBundle(b, m);
  ASSERT_EQ(d.bundle_additions.size(), 1u);
  EXPECT_EQ(d.bundle_additions[0], std::make_pair(std::string("mysql:cache"), std::string("wordpress:cache")));
  ASSERT_EQ(d.model_additions.size(), 1u);
  EXPECT_EQ(d.model_additions[0], std::make_pair(std::string("mysql:monitoring"), std::string("wordpress:metrics")));
  EXPECT_EQ(DiffToYaml(d),
            "relations:\n"
            "  bundle-additions:\n"
            "    - [mysql:cache, wordpress:cache]\n"
            "  model-additions:\n"
            "    - [mysql:monitoring, wordpress:metrics]\n");
}

TEST(DiffBundleTest, CharmAndChannel) {
  ModelDescription m = SampleModel();
  ResolvedBundle b = FromModel(m);
  m.applications[1].channel = "8.0/edge";
  m.applications[0].charm = "wordpress-k8s";
  BundleDiff d = DiffBundle(b, m);
  ASSERT_TRUE(d.applications.at("mysql").channel.has_value());
  EXPECT_EQ(*d.applications.at("mysql").channel->bundle, "8.0/stable");
  EXPECT_EQ(*d.applications.at("mysql").channel->model, "8.0/edge");
  ASSERT_TRUE(d.applications.at("wordpress").charm.has_value());
  EXPECT_EQ(*d.applications.at("wordpress").charm->bundle, "local:wordpress");
  EXPECT_EQ(*d.applications.at("wordpress").charm->model, "local:wordpress-k8s");
}

}  // namespace
}  // namespace skein::bundles

namespace skein::cli::commands {
namespace {

using testing::CliRun;

class BundleCommandsTest : public ::testing::Test {
 protected:
  BundleCommandsTest() : server_(testing::TestAdminHash()) {
    testing::RegisterController(dir_.path(), server_.address());
    fake().models.insert("dev");
    skein::v1::ModelStatus& s = fake().status;
    auto* g = s.add_applications();
    g->set_name("grafana");
    g->set_charm_name("grafana-k8s");
    g->set_charm_origin("charmhub");
    g->set_charm_channel("latest/stable");
    g->set_charm_rev(1);
    g->set_scale(1);
    auto* p = s.add_applications();
    p->set_name("prometheus");
    p->set_charm_name("prometheus-k8s");
    p->set_charm_origin("charmhub");
    p->set_charm_channel("latest/stable");
    p->set_charm_rev(1);
    p->set_scale(2);
    auto* r = s.add_relations();
    r->set_type("regular");
    r->set_provider("prometheus:grafana-source");
    r->set_requirer("grafana:grafana-source");
    auto* peer = s.add_relations();
    peer->set_type("peer");
    peer->set_provider("grafana:grafana");
    peer->set_requirer("grafana:grafana");
  }
  testing::FakeController& fake() { return server_.fake(); }
  CliRun Skein(const std::vector<std::string>& args) { return testing::RunSkein(dir_.path(), args); }

  testing::TempDir dir_;
  testing::FakeControllerServer server_;
};

constexpr char kExported[] =
    "applications:\n"
    "  grafana:\n"
    "    charm: grafana-k8s\n"
    "    channel: latest/stable\n"
    "    revision: 1\n"
    "    num_units: 1\n"
    "  prometheus:\n"
    "    charm: prometheus-k8s\n"
    "    channel: latest/stable\n"
    "    revision: 1\n"
    "    num_units: 2\n"
    "relations:\n"
    "  - [grafana:grafana-source, prometheus:grafana-source]\n";

TEST_F(BundleCommandsTest, ExportBundleToStdoutAndFile) {
  CliRun r = Skein({"export-bundle", "-m", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kExported);
  const std::string file = dir_.path() + "/exported.yaml";
  r = Skein({"export-bundle", "-m", "dev", "--filename", file});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), kExported);
}

TEST_F(BundleCommandsTest, ExportBundleOnlyUserOptions) {
  auto* o = fake().config.add_options();
  o->set_name("port");
  o->set_type("int");
  o->set_value_json("8080");
  o->set_source("user");
  auto* d = fake().config.add_options();
  d->set_name("log-level");
  d->set_type("string");
  d->set_value_json("\"info\"");
  d->set_source("default");
  CliRun r = Skein({"export-bundle", "-m", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("    options:\n      port: 8080\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("log-level"), std::string::npos) << r.out;
}

TEST_F(BundleCommandsTest, DiffBundleSameAndDifferent) {
  const std::string same = dir_.path() + "/same.yaml";
  testing::WriteFile(same, kExported);
  CliRun r = Skein({"diff-bundle", same, "-m", "dev", "--exit-code"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "{}\n");

  // Endpoints inferred from the store's metadata; one unit fewer than the model.
  const std::string inferred = dir_.path() + "/inferred.yaml";
  testing::WriteFile(inferred,
                     "applications:\n"
                     "  grafana: {charm: grafana-k8s, channel: latest/stable, num_units: 1}\n"
                     "  prometheus: {charm: prometheus-k8s, num_units: 1}\n"
                     "relations:\n- [grafana:grafana-source, prometheus]\n");
  r = Skein({"diff-bundle", inferred, "-m", "dev"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "applications:\n"
            "  prometheus:\n"
            "    num_units:\n"
            "      bundle: 1\n"
            "      model: 2\n");
  r = Skein({"diff-bundle", inferred, "-m", "dev", "--exit-code"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "");
}

TEST_F(BundleCommandsTest, DiffBundleErrors) {
  CliRun r = Skein({"diff-bundle", "-m", "dev"});
  EXPECT_EQ(r.code, 2);
  r = Skein({"diff-bundle", "no-such-bundle", "-m", "dev"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("no-such-bundle"), std::string::npos) << r.err;
}

TEST(ExitCodeTest, PayloadRoundTrip) {
  EXPECT_FALSE(ExitCodeOf(absl::InternalError("x")).has_value());
  EXPECT_EQ(ExitCodeOf(WithExitCode(absl::InternalError("x"), 2)), 2);
}

}  // namespace
}  // namespace skein::cli::commands
