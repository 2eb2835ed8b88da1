// Store fidelity (issue 13): charm revisions carry the config options, containers and resources
// read from their track's source, name the commits they were read at, and list what could not
// be read; the store refuses malformed source records.

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/charm/config.h"
#include "tests/bundles/bundle_test_util.h"
#include "yaml-cpp/yaml.h"

namespace skein::bundles {
namespace {

namespace fs = std::filesystem;

using testing::OpenStore;

// The Charmed Kubeflow getting-started guides run `juju config dex-auth static-username=...
// static-password=...` on every release from 1.7 on.
TEST(StoreFidelityTest, DexAuthHasTheStaticLoginOptionsOnEveryTrack) {
  auto store = OpenStore();
  for (const char* channel : {"2.31/stable", "2.36/stable", "2.39/stable", "2.41/stable"}) {
    auto dex = store->ResolveCharm("dex-auth", channel, std::nullopt);
    ASSERT_TRUE(dex.ok()) << channel << ": " << dex.status();
    for (const char* option : {"static-username", "static-password"}) {
      ASSERT_EQ(dex->config.count(option), 1u) << channel << " lacks " << option;
      EXPECT_EQ(dex->config.at(option).type, "string") << channel << " " << option;
    }
  }
  // Where no version of the track was read, the defaults are not invented and say so.
  auto old = store->ResolveCharm("dex-auth", "2.39/stable", std::nullopt);
  EXPECT_TRUE(old->config.at("static-username").default_value.is_null());
  auto source = store->RevisionSource("dex-auth", old->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_TRUE(source->Missing(CharmFact::kConfigDefaults));
  EXPECT_TRUE(source->Missing(CharmFact::kResources));
  EXPECT_TRUE(source->commits.empty());
}

TEST(StoreFidelityTest, DexAuth241IsReadFromItsSource) {
  auto store = OpenStore();
  auto dex = store->ResolveCharm("dex-auth", "2.41/stable", std::nullopt);
  ASSERT_TRUE(dex.ok()) << dex.status();
  EXPECT_EQ(dex->config.at("port").type, "int");
  EXPECT_EQ(dex->config.at("port").default_value, 5556);
  EXPECT_EQ(dex->config.at("enable-password-db").type, "boolean");
  EXPECT_EQ(dex->config.at("enable-password-db").default_value, true);
  EXPECT_EQ(dex->config.at("static-password").default_value, "");
  EXPECT_EQ(dex->config.count("issuer-url"), 1u);
  EXPECT_EQ(dex->metadata.container_names, std::vector<std::string>{"dex"});
  // The charm's metadata.yaml, as the unit agent receives it, names the workload image.
  YAML::Node meta = YAML::Load(dex->files.at("metadata.yaml"));
  EXPECT_EQ(meta["resources"]["oci-image"]["upstream-source"].as<std::string>(), "charmedkubeflow/dex:2.41.1-1d3fe19");
  EXPECT_EQ(meta["containers"]["dex"]["resource"].as<std::string>(), "oci-image");
  // Relations the 1.10 and 1.11 bundles make still resolve.
  EXPECT_NE(dex->metadata.FindEndpoint("dex-oidc-config"), nullptr);
  auto source = store->RevisionSource("dex-auth", dex->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->repo, "canonical/dex-auth-operator");
  EXPECT_EQ(source->commits.at("metadata.yaml"), "4ae9875daf38df549535ea104d122227828a1687");
  EXPECT_EQ(source->commits.at("config.yaml"), "c863c32bb884dbdff23bf480e585985611e518e6");
  EXPECT_FALSE(source->Missing(CharmFact::kConfig));
  EXPECT_TRUE(source->Missing(CharmFact::kActions));
}

TEST(StoreFidelityTest, KubeflowDashboard110IsReadFromItsSource) {
  auto store = OpenStore();
  auto dashboard = store->ResolveCharm("kubeflow-dashboard", "1.10/stable", std::nullopt);
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  EXPECT_EQ(dashboard->metadata.container_names, std::vector<std::string>{"kubeflow-dashboard"});
  ASSERT_NE(dashboard->metadata.FindEndpoint("metrics-endpoint"), nullptr);
  EXPECT_EQ(dashboard->metadata.FindEndpoint("metrics-endpoint")->interface, "prometheus_scrape");
  auto source = store->RevisionSource("kubeflow-dashboard", dashboard->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("metadata.yaml"), "75f315bf28346714bd47953844d8a0012cc563db");
  EXPECT_TRUE(source->Missing(CharmFact::kConfig));
  // A revision that records nothing about its source has nothing listed.
  auto unrecorded = store->RevisionSource("katib-ui", 1);
  ASSERT_TRUE(unrecorded.ok());
  EXPECT_TRUE(unrecorded->repo.empty());
  EXPECT_TRUE(unrecorded->missing.empty());
  EXPECT_EQ(store->RevisionSource("kubeflow-dashboard", 99).status().message(),
            "charm \"kubeflow-dashboard\" has no revision 99");
}

// A charm revision as the store serves it on a channel, with what it records about its source
// and the metadata.yaml the unit agent receives.
struct ServedRevision {
  ResolvedCharm charm;
  CharmRevisionSource source;
  YAML::Node metadata;
};

absl::StatusOr<ServedRevision> Serve(const Store& store, const std::string& name, const std::string& channel) {
  auto charm = store.ResolveCharm(name, channel, std::nullopt);
  if (!charm.ok()) return charm.status();
  auto source = store.RevisionSource(name, charm->revision);
  if (!source.ok()) return source.status();
  ServedRevision served{*std::move(charm), *std::move(source), YAML::Node()};
  served.metadata = YAML::Load(served.charm.files.at("metadata.yaml"));
  return served;
}

// What `skein config <application> key=raw` would store (as JSON), or why it refuses the value.
std::string Set(const ServedRevision& served, const std::string& key, const std::string& raw) {
  auto value = charm::ParseConfigValue(served.charm.config, key, raw);
  return value.ok() ? value->dump() : std::string(value.status().message());
}

const nlohmann::json& Default(const ServedRevision& served, const std::string& key) {
  return served.charm.config.at(key).default_value;
}

// `skein config istio-pilot csr-domain-name=...` and the TLS secret option of the Charmed
// Kubeflow TLS guide are accepted on 1.17 because the options exist there with their types.
TEST(StoreFidelityTest, IstioPilot117IsReadFromItsSource) {
  auto store = OpenStore();
  auto pilot = Serve(*store, "istio-pilot", "1.17/stable");
  ASSERT_TRUE(pilot.ok()) << pilot.status();
  EXPECT_EQ(Set(*pilot, "csr-domain-name", "kubeflow.example.com"), R"("kubeflow.example.com")");
  EXPECT_EQ(pilot->charm.config.at("tls-secret-id").type, "secret");
  EXPECT_TRUE(Default(*pilot, "tls-secret-id").is_null());
  EXPECT_EQ(Default(*pilot, "default-gateway"), "istio-gateway");
  EXPECT_EQ(Default(*pilot, "gateway-service-name"), "istio-ingressgateway-workload");
  // The default image configuration installs the track's Istio release.
  const std::string images = Default(*pilot, "image-configuration").get<std::string>();
  EXPECT_NE(images.find("global-tag: '1.17.3'"), std::string::npos) << images;
  EXPECT_EQ(pilot->metadata["assumes"][0].as<std::string>(), "juju >= 3.5");
  EXPECT_TRUE(pilot->charm.metadata.container_names.empty());
  EXPECT_EQ(pilot->charm.metadata.FindEndpoint("certificates")->limit, 1);
  EXPECT_EQ(pilot->source.repo, "canonical/istio-operators");
  EXPECT_EQ(pilot->source.commits.at("charms/istio-pilot/config.yaml"), "0910574c563f5ba8e8d4783386dc28b8dcbf3ad8");
  EXPECT_FALSE(pilot->source.Missing(CharmFact::kContainers));
  EXPECT_TRUE(pilot->source.Missing(CharmFact::kActions));
}

TEST(StoreFidelityTest, IstioGateway116IsReadFromItsSource) {
  auto store = OpenStore();
  auto gateway = Serve(*store, "istio-gateway", "1.16/stable");
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  // `skein config istio-ingressgateway gateway_service_type=NodePort` (a cluster without a
  // load balancer) is accepted; the charm's own default is a LoadBalancer Service.
  EXPECT_EQ(Set(*gateway, "gateway_service_type", "NodePort"), R"("NodePort")");
  EXPECT_EQ(Default(*gateway, "gateway_service_type"), "LoadBalancer");
  EXPECT_EQ(Default(*gateway, "proxy-image"), "docker.io/istio/proxyv2:1.16.2");
  EXPECT_EQ(Default(*gateway, "kind"), "");
  EXPECT_EQ(gateway->source.commits.at("charms/istio-gateway/config.yaml"), "00caaf9a67cae05d80681b37d046d7c793ec73fe");
  EXPECT_FALSE(gateway->source.Missing(CharmFact::kConfigDefaults));
  EXPECT_TRUE(gateway->source.Missing(CharmFact::kContainers));
}

// The Charmed Kubeflow 1.7 guide points the gatekeeper at the public address:
// `skein config oidc-gatekeeper public-url=http://127.0.0.1.nip.io`.
TEST(StoreFidelityTest, OidcGatekeeper17AcceptsThePublicUrl) {
  auto store = OpenStore();
  auto gatekeeper = Serve(*store, "oidc-gatekeeper", "ckf-1.7/stable");
  ASSERT_TRUE(gatekeeper.ok()) << gatekeeper.status();
  for (const char* option : {"public-url", "client-name", "client-secret"}) {
    EXPECT_EQ(Set(*gatekeeper, option, "http://127.0.0.1.nip.io"), R"("http://127.0.0.1.nip.io")");
    // No version of the track was read, so no default is claimed.
    EXPECT_TRUE(Default(*gatekeeper, option).is_null()) << option;
  }
  EXPECT_EQ(Set(*gatekeeper, "no-such-option", "x"), R"(unknown option "no-such-option")");
  EXPECT_EQ(gatekeeper->source.commits.at("tests/integration/test_charm.py"), "08a707d253ebab54df61907515f2f9abd2323331");
  EXPECT_TRUE(gatekeeper->source.Missing(CharmFact::kConfig));
  EXPECT_TRUE(gatekeeper->source.Missing(CharmFact::kConfigDefaults));
}

// Small clusters run MySQL with `skein config kfp-db profile=testing`; a typo in an int option is
// refused the way Juju refuses it.
TEST(StoreFidelityTest, MysqlK8s80IsReadFromItsSource) {
  auto store = OpenStore();
  auto mysql = Serve(*store, "mysql-k8s", "8.0/stable");
  ASSERT_TRUE(mysql.ok()) << mysql.status();
  EXPECT_EQ(Default(*mysql, "profile"), "production");
  EXPECT_EQ(Set(*mysql, "profile", "testing"), R"("testing")");
  EXPECT_EQ(Set(*mysql, "profile-limit-memory", "2G"), R"(option "profile-limit-memory" expected int, got "2G")");
  EXPECT_EQ(Default(*mysql, "binlog_retention_days"), 7);
  EXPECT_TRUE(Default(*mysql, "cluster-name").is_null());
  // The workload container keeps its data on the charm's storage.
  EXPECT_EQ(mysql->charm.metadata.container_names, std::vector<std::string>{"mysql"});
  ASSERT_EQ(mysql->charm.metadata.storage.size(), 1u);
  EXPECT_EQ(mysql->charm.metadata.storage[0].name, "database");
  EXPECT_EQ(mysql->metadata["containers"]["mysql"]["mounts"][0]["storage"].as<std::string>(), "database");
  EXPECT_EQ(mysql->metadata["storage"]["database"]["type"].as<std::string>(), "filesystem");
  EXPECT_EQ(mysql->metadata["assumes"][0].as<std::string>(), "k8s-api");
  EXPECT_EQ(mysql->metadata["resources"]["mysql-image"]["upstream-source"].as<std::string>().rfind(
                "ghcr.io/canonical/charmed-mysql@sha256:", 0),
            0u);
  EXPECT_TRUE(mysql->charm.metadata.FindEndpoint("certificates")->optional);
  EXPECT_EQ(mysql->source.commits.at("config.yaml"), "0f1fd7c38347354b393fbd796533781a51578393");
  EXPECT_EQ(mysql->source.missing, std::vector<CharmFact>{CharmFact::kActions});
}

// The Charmed MLflow guides turn the NodePort off and point runs at another bucket:
// `skein config mlflow-server enable_mlflow_nodeport=false default_artifact_root=runs`.
TEST(StoreFidelityTest, MlflowServer215IsReadFromItsTrackBranch) {
  auto store = OpenStore();
  auto mlflow = Serve(*store, "mlflow-server", "2.15/stable");
  ASSERT_TRUE(mlflow.ok()) << mlflow.status();
  EXPECT_EQ(Set(*mlflow, "enable_mlflow_nodeport", "false"), "false");
  EXPECT_EQ(Default(*mlflow, "enable_mlflow_nodeport"), true);
  EXPECT_EQ(Default(*mlflow, "default_artifact_root"), "mlflow");
  EXPECT_EQ(Default(*mlflow, "mlflow_port"), 5000);
  auto actions = charm::ParseActions(mlflow->charm.files.at("actions.yaml"));
  ASSERT_TRUE(actions.ok()) << actions.status();
  EXPECT_EQ(actions->count("get-minio-credentials"), 1u);
  EXPECT_EQ(mlflow->charm.metadata.container_names,
            (std::vector<std::string>{"mlflow-server", "mlflow-prometheus-exporter"}));
  EXPECT_EQ(mlflow->metadata["resources"]["oci-image"]["upstream-source"].as<std::string>(),
            "docker.io/charmedkubeflow/mlflow:v2.15.1-d756ce7");
  EXPECT_EQ(mlflow->source.commits.at("config.yaml"), "6c2cd2e5cca8b04b26b1e3b886f220d9a3de3963");
  EXPECT_FALSE(mlflow->source.Missing(CharmFact::kConfigDefaults));
  EXPECT_TRUE(mlflow->source.Missing(CharmFact::kStorage));
  // Track 2.22 runs the MLflow 2.22 image; its config was not read and says so.
  auto newer = Serve(*store, "mlflow-server", "2.22/stable");
  ASSERT_TRUE(newer.ok()) << newer.status();
  EXPECT_EQ(newer->metadata["resources"]["oci-image"]["upstream-source"].as<std::string>().rfind(
                "docker.io/charmedkubeflow/mlflow:2.22.0-", 0),
            0u);
  EXPECT_TRUE(newer->source.Missing(CharmFact::kConfig));
  EXPECT_FALSE(newer->source.Missing(CharmFact::kContainers));
}

// Turning the pipeline step cache off is a `skein config kfp-api cache-enabled=false`; a value
// that is not a boolean is refused.
TEST(StoreFidelityTest, KfpApi25IsReadFromItsSource) {
  auto store = OpenStore();
  auto api = Serve(*store, "kfp-api", "2.5/stable");
  ASSERT_TRUE(api.ok()) << api.status();
  EXPECT_EQ(Set(*api, "cache-enabled", "false"), "false");
  EXPECT_EQ(Set(*api, "cache-enabled", "off"), R"(option "cache-enabled" expected boolean, got "off")");
  // Ports are strings in this charm, defaults included.
  EXPECT_EQ(api->charm.config.at("http-port").type, "string");
  EXPECT_EQ(Default(*api, "http-port"), "8888");
  EXPECT_EQ(Default(*api, "launcher-image"), "docker.io/charmedkubeflow/kfp-launcher:2.5.0-e91327e");
  EXPECT_EQ(api->charm.metadata.container_names, std::vector<std::string>{"apiserver"});
  EXPECT_EQ(api->charm.metadata.FindEndpoint("relational-db")->limit, 1);
  EXPECT_EQ(api->source.commits.at("charms/kfp-api/metadata.yaml"), "003bea82e20441207846c4eb9155fed0a2a87679");
  EXPECT_EQ(api->source.missing, std::vector<CharmFact>{CharmFact::kActions});
}

// Operators set their own object store credentials: `skein config minio secret-key=...`.
TEST(StoreFidelityTest, MinioCkf19NamesItsSource) {
  auto store = OpenStore();
  auto minio = Serve(*store, "minio", "ckf-1.9/stable");
  ASSERT_TRUE(minio.ok()) << minio.status();
  EXPECT_EQ(Set(*minio, "secret-key", "minio-secret-key"), R"("minio-secret-key")");
  EXPECT_EQ(Default(*minio, "access-key"), "minio");
  EXPECT_EQ(Default(*minio, "console-port"), 9001);
  // The default of mode was not read, so none is claimed.
  EXPECT_TRUE(Default(*minio, "mode").is_null());
  // The data survives pod restarts on the charm's storage.
  ASSERT_EQ(minio->charm.metadata.storage.size(), 1u);
  EXPECT_EQ(minio->charm.metadata.storage[0].name, "minio-data");
  EXPECT_EQ(minio->charm.metadata.storage[0].location, "/data");
  EXPECT_EQ(minio->metadata["storage"]["minio-data"]["location"].as<std::string>(), "/data");
  EXPECT_EQ(minio->source.commits.at("src/charm.py"), "9c1d621124df098c24e00329c0d2e1b12b9bc4fa");
  EXPECT_FALSE(minio->source.Missing(CharmFact::kStorage));
  EXPECT_TRUE(minio->source.Missing(CharmFact::kConfig));
}

// The Charmed Kubeflow guides create a user's namespace with
// `skein run kubeflow-profiles/0 create-profile username=admin profilename=admin`.
TEST(StoreFidelityTest, KubeflowProfiles19NamesItsSource) {
  auto store = OpenStore();
  auto profiles = Serve(*store, "kubeflow-profiles", "1.9/stable");
  ASSERT_TRUE(profiles.ok()) << profiles.status();
  auto actions = charm::ParseActions(profiles->charm.files.at("actions.yaml"));
  ASSERT_TRUE(actions.ok()) << actions.status();
  ASSERT_EQ(actions->count("create-profile"), 1u);
  EXPECT_EQ(actions->at("create-profile").required, (std::vector<std::string>{"username", "profilename"}));
  EXPECT_EQ(actions->count("initialise-profile"), 1u);
  EXPECT_EQ(Default(*profiles, "port"), 8081);
  EXPECT_EQ(Set(*profiles, "port", "kfam"), R"(option "port" expected int, got "kfam")");
  EXPECT_EQ(profiles->charm.metadata.container_names,
            (std::vector<std::string>{"kubeflow-profiles", "kubeflow-kfam"}));
  EXPECT_EQ(profiles->source.commits.at("metadata.yaml"), "c924b171db4d3679c4273ce3062e4d73ba419c43");
  EXPECT_FALSE(profiles->source.Missing(CharmFact::kContainers));
  EXPECT_TRUE(profiles->source.Missing(CharmFact::kResources));
  EXPECT_TRUE(profiles->source.Missing(CharmFact::kActions));
}

// Adding a sidebar link by hand is a `skein config kubeflow-dashboard additional-menu-links=...`.
TEST(StoreFidelityTest, KubeflowDashboard19NamesItsSource) {
  auto store = OpenStore();
  auto dashboard = Serve(*store, "kubeflow-dashboard", "1.9/stable");
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  const std::string link = R"([{"text": "Grafana", "link": "/grafana/", "type": "item", "icon": "book"}])";
  EXPECT_EQ(Set(*dashboard, "additional-menu-links", link), nlohmann::json(link).dump());
  EXPECT_TRUE(Default(*dashboard, "additional-menu-links").is_null());
  EXPECT_EQ(Default(*dashboard, "dashboard-configmap"), "centraldashboard-config");
  EXPECT_EQ(Default(*dashboard, "external-link-order"), R"(["MLflow"])");
  EXPECT_EQ(dashboard->source.commits.at("config.yaml"), "c9a5789fc8f967e4583c9af47b7eee926ab05ee3");
  EXPECT_TRUE(dashboard->source.Missing(CharmFact::kConfigDefaults));
}

// The charms a Charmed Kubeflow user touches first: no revision of theirs passes off a definition
// as read when it was not. Each names the files it was read from or lists its config as missing;
// Istio's upgrade path covers every track from 1.16 to 1.28.
TEST(StoreFidelityTest, EveryRevisionOfTheFirstCharmsNamesItsSourceOrWhatIsMissing) {
  auto store = OpenStore();
  for (const char* charm : {"dex-auth", "oidc-gatekeeper", "istio-pilot", "istio-gateway", "kubeflow-dashboard",
                            "kubeflow-profiles", "mlflow-server", "minio", "mysql-k8s", "jupyter-controller",
                            "kfp-api"}) {
    int revisions = 0;
    for (int64_t revision = 1;; ++revision) {
      auto source = store->RevisionSource(charm, revision);
      if (!source.ok()) break;
      ++revisions;
      EXPECT_TRUE(!source->commits.empty() || source->Missing(CharmFact::kConfig)) << charm << " revision " << revision;
    }
    EXPECT_GT(revisions, 0) << charm;
  }
  for (const char* charm : {"istio-pilot", "istio-gateway"}) {
    auto path = store->UpgradePathOf(charm);
    ASSERT_TRUE(path.ok() && path->has_value()) << charm;
    EXPECT_EQ((*path)->tracks.front(), "1.16");
    EXPECT_EQ((*path)->tracks.back(), "1.28");
    for (const std::string& track : (*path)->tracks) {
      auto served = Serve(*store, charm, track + "/stable");
      EXPECT_TRUE(served.ok()) << charm << " " << track << ": " << served.status();
    }
  }
}

TEST(StoreFidelityTest, FactNamesAreTheStoreFilesWords) {
  EXPECT_EQ(CharmFactName(CharmFact::kConfigDefaults), "config-defaults");
  EXPECT_EQ(CharmFactName(CharmFact::kAssumes), "assumes");
}

TEST(StoreFidelityTest, MalformedSourceRecordsAreRefused) {
  const std::string header = "name: x\nchannels:\n  1.0/stable: {revision: 1}\nrevisions:\n  1:\n    source: skein\n";
  const std::string commit = "4ae9875daf38df549535ea104d122227828a1687";
  for (const auto& [body, why] : std::vector<std::pair<std::string, std::string>>{
           {"    source-repo: o/r\n    source-commit: {metadata.yaml: 4ae9875}\n",
            "revision 1: source-commit of metadata.yaml must be a full 40-character commit id"},
           {"    source-repo: o/r\n    source-commit: " + commit + "\n",
            "revision 1: source-commit must map each file read to the commit it was read at"},
           {"    source-commit: {metadata.yaml: " + commit + "}\n", "revision 1: source-commit needs a source-repo"},
           {"    source-repo: o/r\n", "revision 1: source-repo needs a source-commit naming the files read"},
           {"    missing: config\n", "revision 1: missing must be a list of fact names"},
           {"    missing: [config, defaults]\n",
            "revision 1: missing names unknown fact \"defaults\" (known: config, config-defaults, actions, "
            "containers, resources, storage, assumes)"}}) {
    const std::string dir = ::testing::TempDir() + "/skein-store-fidelity-test";
    fs::remove_all(dir);
    fs::create_directories(dir + "/charms");
    std::ofstream(dir + "/charms/x.yaml") << header << body;
    auto store = Store::Open({dir});
    ASSERT_FALSE(store.ok()) << body;
    EXPECT_EQ(store.status().message(), "store file charms/x.yaml: " + why) << body;
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace skein::bundles
