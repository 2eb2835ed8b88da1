// Deploy by channel end to end (issue 5): `skein deploy kubeflow --channel X` against the real
// binaries and the embedded store; the catalog's application and relation counts, charm and
// channel of every application (from ../shared/reference/kubeflow-catalog.json when present),
// the risk fallback, the closed-channel error, dry-run, the no-op redeploy, and the malformed
// corpus leaving the model unchanged.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "yaml-cpp/yaml.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Regular relations in `status --format json`: each is listed from both of its ends.
size_t RelationCount(const json& status) {
  std::set<std::tuple<std::string, std::string, std::string>> ends;
  for (const auto& [app, spec] : status["applications"].items()) {
    if (!spec.contains("relations")) continue;
    for (const auto& [endpoint, related] : spec["relations"].items()) {
      for (const auto& r : related) {
        const std::string other = r.is_object() ? r.value("related-application", "") : r.get<std::string>();
        if (other != app) ends.emplace(app, endpoint, other);
      }
    }
  }
  return ends.size() / 2;
}

// What a deploy changes in a model (statuses move on by themselves as agents run).
json Shape(const json& status) {
  json out = json::object();
  for (const auto& [name, app] : status["applications"].items()) {
    json units = json::array();
    if (app.contains("units")) {
      for (const auto& [unit, u] : app["units"].items()) units.push_back(unit);
    }
    out[name] = {{"charm", app.value("charm", "")},
                 {"channel", app.value("charm-channel", "")},
                 {"relations", app.value("relations", json::object())},
                 {"units", units}};
  }
  return out;
}

class DeployBundleTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  Cluster cluster_;
};

TEST_F(DeployBundleTest, KubeflowReleasesByChannel) {
  Ok({"bootstrap"});
  const fs::path catalog_path = fs::path(SKEIN_SHARED_DIR) / "reference" / "kubeflow-catalog.json";
  json catalog;
  if (fs::exists(catalog_path)) {
    catalog = json::parse(std::ifstream(catalog_path));
  } else {
    std::cout << "../shared/reference/kubeflow-catalog.json is absent: checking counts only\n";
  }
  for (const auto& [track, apps, relations, revision] : std::vector<std::tuple<std::string, size_t, size_t, int>>{
           {"1.7", 35, 23, 409}, {"1.8", 38, 32, 414}, {"1.9", 37, 35, 432}}) {
    const std::string model = "kf-" + track.substr(2);
    Ok({"add-model", model});
    CliResult r = cluster_.Skein({"deploy", "kubeflow", "--channel", track + "/stable"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("Located bundle \"kubeflow\" in the store, revision " + std::to_string(revision)),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.out.rfind("Executing changes:\n", 0), 0u) << r.out;
    EXPECT_NE(r.err.find("Deploy of bundle completed."), std::string::npos) << r.err;
    json status = cluster_.Status();
    EXPECT_EQ(status["applications"].size(), apps) << track;
    EXPECT_EQ(RelationCount(status), relations) << track;
    for (const auto& [name, app] : status["applications"].items()) {
      EXPECT_EQ(app.value("charm-origin", ""), "charmhub") << name;
      EXPECT_GT(app.value("charm-rev", 0), 0) << name;
      if (catalog.is_null()) continue;
      const json& expected = catalog[track]["applications"][name];
      EXPECT_EQ(app.value("charm-name", ""), expected.value("charm", "?")) << track << " " << name;
      EXPECT_EQ(app.value("charm-channel", ""), expected.value("channel", "?")) << track << " " << name;
    }
    // Store charms run their built-in charm: on the local substrate a Kubernetes workload is
    // rendered, never pretended to run, and the unit says so. Checked on the first release only:
    // three releases' worth of agents (110) settle slowly on 2 cores.
    if (track == "1.7") {
      ASSERT_TRUE(cluster_.WaitForStatus(
          [&](const json& st) { return WorkloadMessage(st, "admission-webhook/0") == "workload rendered for Kubernetes"; },
          std::chrono::seconds(180)));
      EXPECT_EQ(WorkloadStatus(cluster_.Status(), "admission-webhook/0"), "active");
    }
    // The same bundle again: nothing to do.
    r = cluster_.Skein({"deploy", "kubeflow", "--channel", track + "/stable"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("Nothing to do."), std::string::npos) << r.err;
  }

  // 1.9/edge has its own revision; dry-run prints the plan and changes nothing.
  Ok({"add-model", "edge"});
  CliResult dry = cluster_.Skein({"deploy", "kubeflow", "--channel", "1.9/edge", "--dry-run"});
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_NE(dry.err.find("Located bundle \"kubeflow\" in the store, revision 431"), std::string::npos) << dry.err;
  EXPECT_EQ(dry.out.rfind("Changes to deploy bundle:\n- upload charm admission-webhook from charm-hub", 0), 0u)
      << dry.out;
  EXPECT_NE(dry.out.find("\n- add relation "), std::string::npos);
  EXPECT_TRUE(cluster_.Status()["applications"].empty());

  // latest/stable is closed: the error lists the channels that have a release.
  CliResult closed = cluster_.Skein({"deploy", "kubeflow", "--channel", "latest/stable"});
  EXPECT_EQ(closed.code, 1);
  EXPECT_EQ(closed.err.rfind("ERROR bundle \"kubeflow\" has no release in channel \"latest/stable\"; channels with a "
                             "release: latest/candidate, latest/beta, latest/edge, 1.11/stable, 1.11/candidate, 1.11/beta, "
                             "1.11/edge, 1.10/stable, 1.10/candidate, 1.10/edge, 1.9/stable",
                             0),
            0u)
      << closed.err;
  EXPECT_TRUE(cluster_.Status()["applications"].empty());
  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(DeployBundleTest, ExportThenDiffIsCleanUntilTheModelChanges) {
  Ok({"bootstrap"});
  Ok({"add-model", "ml"});
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  const std::string exported = cluster_.scratch_dir() + "/exported.yaml";
  Ok({"export-bundle", "--filename", exported});
  CliResult same = cluster_.Skein({"diff-bundle", exported, "--exit-code"});
  EXPECT_EQ(same.code, 0) << same.err << same.out;
  EXPECT_EQ(same.out, "{}\n");
  // The store bundle itself matches the model it deployed.
  CliResult store = cluster_.Skein({"diff-bundle", "mlflow", "--channel", "2.15/stable", "--exit-code"});
  EXPECT_EQ(store.code, 0) << store.err << store.out;

  Ok({"config", "mlflow-server", "mlflow_port=5001"});
  CliResult changed = cluster_.Skein({"diff-bundle", exported, "--exit-code"});
  EXPECT_EQ(changed.code, 1) << changed.err;
  EXPECT_EQ(changed.err, "");
  EXPECT_NE(changed.out.find("mlflow-server"), std::string::npos) << changed.out;
  EXPECT_NE(changed.out.find("mlflow_port"), std::string::npos) << changed.out;
  Ok({"config", "mlflow-server", "--reset", "mlflow_port"});
  EXPECT_EQ(cluster_.Skein({"diff-bundle", exported, "--exit-code"}).code, 0);

  Ok({"remove-relation", "mlflow-server", "mlflow-minio"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) {
    return !st["applications"]["mlflow-server"].contains("relations") ||
           !st["applications"]["mlflow-server"]["relations"].contains("object-storage");
  }));
  CliResult removed = cluster_.Skein({"diff-bundle", exported, "--exit-code"});
  EXPECT_EQ(removed.code, 1) << removed.err;
  EXPECT_NE(removed.out.find("bundle-additions"), std::string::npos) << removed.out;
  EXPECT_NE(removed.out.find("mlflow-server:object-storage"), std::string::npos) << removed.out;
  // Errors exit 2 with --exit-code.
  CliResult error = cluster_.Skein({"diff-bundle", cluster_.scratch_dir() + "/missing.yaml", "--exit-code"});
  EXPECT_EQ(error.code, 2) << error.err;
  Ok({"kill-controller", "--no-prompt"});
}

// A bundle file with local charm paths relative to it, endpoints inferred, and an overlay file
// setting an option: deployed in one step, and the charms really run and relate.
TEST_F(DeployBundleTest, LocalBundleFileWithRelativeCharmsAndAnOverlay) {
  const fs::path dir = fs::path(cluster_.scratch_dir()) / "bundle";
  fs::create_directories(dir);
  const std::string charms = fs::relative(fs::path(SKEIN_TESTDATA_DIR) / "charms", dir).string();
  std::ofstream(dir / "bundle.yaml") << "name: kv-demo\n"
                                        "applications:\n"
                                        "  provider: {charm: ./" << charms << "/kv-provider, num_units: 1}\n"
                                        "  requirer: {charm: ./" << charms << "/kv-requirer, num_units: 2}\n"
                                        "relations:\n"
                                        "  - [requirer, provider]\n";
  std::ofstream(dir / "overlay.yaml") << "applications:\n  provider:\n    options: {greeting: bonjour}\n";
  Ok({"bootstrap"});
  Ok({"add-model", "local"});
  CliResult r = cluster_.Skein({"deploy", (dir / "bundle.yaml").string(), "--overlay", (dir / "overlay.yaml").string()});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("- deploy application requirer from local with 2 units using kv-requirer\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("- add relation requirer:kv - provider:kv\n"), std::string::npos) << r.out;
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) {
    return UnitSettled(st, "requirer/0", "active") && WorkloadMessage(st, "requirer/0") == "answer: bonjour world, bonjour world" &&
           UnitSettled(st, "requirer/1", "active");
  })) << "the bundle's applications never related";
  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(DeployBundleTest, MalformedBundlesLeaveTheModelAsItWas) {
  const std::string corpus = std::string(SKEIN_TESTDATA_DIR) + "/../bundles/corpus";
  YAML::Node cases = YAML::LoadFile(corpus + "/cases.yaml");
  Ok({"bootstrap"});
  Ok({"add-model", "corpus"});
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  const json before = Shape(cluster_.Status());
  ASSERT_EQ(before.size(), 3u);
  int run = 0;
  for (const auto& c : cases["cases"]) {
    std::vector<std::string> args = {"deploy", corpus + "/" + c["bundle"].as<std::string>()};
    if (c["overlays"]) {
      for (const auto& o : c["overlays"]) {
        args.push_back("--overlay");
        args.push_back(corpus + "/" + o.as<std::string>());
      }
    }
    CliResult r = cluster_.Skein(args);
    const std::string name = c["name"].as<std::string>();
    EXPECT_EQ(r.code, c["exit"].as<int>()) << name << ": " << r.err;
    const std::string expected = c["error"].as<std::string>();
    const std::string first_line = r.err.substr(0, r.err.find('\n'));
    const auto yaml_at = expected.find(" yaml: ");
    EXPECT_EQ(first_line.substr(0, yaml_at == std::string::npos ? std::string::npos : yaml_at + 7),
              expected.substr(0, yaml_at == std::string::npos ? std::string::npos : yaml_at + 7))
        << name;
    ++run;
  }
  EXPECT_GE(run, 40);
  EXPECT_EQ(Shape(cluster_.Status()), before) << "a malformed bundle changed the model";
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
