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

// `skein config istio-pilot csr-domain-name=...` and the TLS secret option of the Charmed
// Kubeflow TLS guide are accepted on 1.17 because the options exist there with their types.
TEST(StoreFidelityTest, IstioPilot117IsReadFromItsSource) {
  auto store = OpenStore();
  auto pilot = store->ResolveCharm("istio-pilot", "1.17/stable", std::nullopt);
  ASSERT_TRUE(pilot.ok()) << pilot.status();
  auto domain = charm::ParseConfigValue(pilot->config, "csr-domain-name", "kubeflow.example.com");
  ASSERT_TRUE(domain.ok()) << domain.status();
  EXPECT_EQ(*domain, "kubeflow.example.com");
  EXPECT_EQ(pilot->config.at("tls-secret-id").type, "secret");
  EXPECT_TRUE(pilot->config.at("tls-secret-id").default_value.is_null());
  EXPECT_EQ(pilot->config.at("default-gateway").default_value, "istio-gateway");
  EXPECT_EQ(pilot->config.at("gateway-service-name").default_value, "istio-ingressgateway-workload");
  // The default image configuration installs the track's Istio release.
  const std::string images = pilot->config.at("image-configuration").default_value.get<std::string>();
  EXPECT_NE(images.find("global-tag: '1.17.3'"), std::string::npos) << images;
  YAML::Node meta = YAML::Load(pilot->files.at("metadata.yaml"));
  ASSERT_TRUE(meta["assumes"].IsSequence());
  EXPECT_EQ(meta["assumes"][0].as<std::string>(), "juju >= 3.5");
  EXPECT_TRUE(pilot->metadata.container_names.empty());
  EXPECT_EQ(pilot->metadata.FindEndpoint("certificates")->limit, 1);
  auto source = store->RevisionSource("istio-pilot", pilot->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->repo, "canonical/istio-operators");
  EXPECT_EQ(source->commits.at("charms/istio-pilot/config.yaml"), "0910574c563f5ba8e8d4783386dc28b8dcbf3ad8");
  EXPECT_FALSE(source->Missing(CharmFact::kContainers));
  EXPECT_TRUE(source->Missing(CharmFact::kActions));
}

TEST(StoreFidelityTest, IstioGateway116IsReadFromItsSource) {
  auto store = OpenStore();
  auto gateway = store->ResolveCharm("istio-gateway", "1.16/stable", std::nullopt);
  ASSERT_TRUE(gateway.ok()) << gateway.status();
  // `skein config istio-ingressgateway gateway_service_type=NodePort` (a cluster without a
  // load balancer) is accepted; the charm's own default is a LoadBalancer Service.
  auto service_type = charm::ParseConfigValue(gateway->config, "gateway_service_type", "NodePort");
  ASSERT_TRUE(service_type.ok()) << service_type.status();
  EXPECT_EQ(gateway->config.at("gateway_service_type").default_value, "LoadBalancer");
  EXPECT_EQ(gateway->config.at("proxy-image").default_value, "docker.io/istio/proxyv2:1.16.2");
  EXPECT_EQ(gateway->config.at("kind").default_value, "");
  auto source = store->RevisionSource("istio-gateway", gateway->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("charms/istio-gateway/config.yaml"), "00caaf9a67cae05d80681b37d046d7c793ec73fe");
  EXPECT_FALSE(source->Missing(CharmFact::kConfigDefaults));
  EXPECT_TRUE(source->Missing(CharmFact::kContainers));
}

// Every Istio track on the upgrade path either names the source it was read from or lists the
// config as missing: no track passes off another track's definition as its own.
TEST(StoreFidelityTest, EveryIstioTrackNamesItsSourceOrWhatIsMissing) {
  auto store = OpenStore();
  for (const char* charm : {"istio-pilot", "istio-gateway"}) {
    auto path = store->UpgradePathOf(charm);
    ASSERT_TRUE(path.ok() && path->has_value()) << charm;
    ASSERT_EQ((*path)->tracks.front(), "1.16");
    ASSERT_EQ((*path)->tracks.back(), "1.28");
    for (const std::string& track : (*path)->tracks) {
      auto resolved = store->ResolveCharm(charm, track + "/stable", std::nullopt);
      ASSERT_TRUE(resolved.ok()) << charm << " " << track << ": " << resolved.status();
      auto source = store->RevisionSource(charm, resolved->revision);
      ASSERT_TRUE(source.ok()) << source.status();
      EXPECT_TRUE(source->commits.count("charms/" + std::string(charm) + "/config.yaml") == 1 ||
                  source->Missing(CharmFact::kConfig))
          << charm << " " << track;
    }
  }
}

// The Charmed Kubeflow 1.7 guide points the gatekeeper at the public address:
// `skein config oidc-gatekeeper public-url=http://10.64.140.43.nip.io`.
TEST(StoreFidelityTest, OidcGatekeeper17AcceptsThePublicUrl) {
  auto store = OpenStore();
  auto gatekeeper = store->ResolveCharm("oidc-gatekeeper", "ckf-1.7/stable", std::nullopt);
  ASSERT_TRUE(gatekeeper.ok()) << gatekeeper.status();
  for (const char* option : {"public-url", "client-name", "client-secret"}) {
    auto value = charm::ParseConfigValue(gatekeeper->config, option, "http://10.64.140.43.nip.io");
    ASSERT_TRUE(value.ok()) << option << ": " << value.status();
    EXPECT_EQ(*value, "http://10.64.140.43.nip.io");
    // No version of the track was read, so no default is claimed.
    EXPECT_TRUE(gatekeeper->config.at(option).default_value.is_null()) << option;
  }
  EXPECT_EQ(charm::ParseConfigValue(gatekeeper->config, "no-such-option", "x").status().message(),
            "unknown option \"no-such-option\"");
  auto source = store->RevisionSource("oidc-gatekeeper", gatekeeper->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("tests/integration/test_charm.py"), "08a707d253ebab54df61907515f2f9abd2323331");
  EXPECT_TRUE(source->Missing(CharmFact::kConfig));
  EXPECT_TRUE(source->Missing(CharmFact::kConfigDefaults));
  // The later tracks could not be read and say so.
  for (const char* channel : {"ckf-1.8/stable", "ckf-1.9/stable", "ckf-1.10/stable"}) {
    auto later = store->ResolveCharm("oidc-gatekeeper", channel, std::nullopt);
    ASSERT_TRUE(later.ok()) << later.status();
    auto later_source = store->RevisionSource("oidc-gatekeeper", later->revision);
    ASSERT_TRUE(later_source.ok());
    EXPECT_TRUE(later_source->Missing(CharmFact::kConfig)) << channel;
  }
}

// Small clusters run MySQL with `skein config kfp-db profile=testing`; a typo in an int option is
// refused the way Juju refuses it.
TEST(StoreFidelityTest, MysqlK8s80IsReadFromItsSource) {
  auto store = OpenStore();
  auto mysql = store->ResolveCharm("mysql-k8s", "8.0/stable", std::nullopt);
  ASSERT_TRUE(mysql.ok()) << mysql.status();
  EXPECT_EQ(mysql->config.at("profile").default_value, "production");
  auto profile = charm::ParseConfigValue(mysql->config, "profile", "testing");
  ASSERT_TRUE(profile.ok()) << profile.status();
  EXPECT_EQ(*profile, "testing");
  EXPECT_EQ(charm::ParseConfigValue(mysql->config, "profile-limit-memory", "2G").status().message(),
            "option \"profile-limit-memory\" expected int, got \"2G\"");
  EXPECT_EQ(mysql->config.at("binlog_retention_days").default_value, 7);
  EXPECT_TRUE(mysql->config.at("cluster-name").default_value.is_null());
  // The workload container keeps its data on the charm's storage.
  EXPECT_EQ(mysql->metadata.container_names, std::vector<std::string>{"mysql"});
  EXPECT_EQ(mysql->metadata.storage_names, std::vector<std::string>{"database"});
  YAML::Node meta = YAML::Load(mysql->files.at("metadata.yaml"));
  EXPECT_EQ(meta["containers"]["mysql"]["mounts"][0]["storage"].as<std::string>(), "database");
  EXPECT_EQ(meta["storage"]["database"]["type"].as<std::string>(), "filesystem");
  EXPECT_EQ(meta["assumes"][0].as<std::string>(), "k8s-api");
  EXPECT_EQ(meta["resources"]["mysql-image"]["upstream-source"].as<std::string>().rfind("ghcr.io/canonical/charmed-mysql@sha256:", 0), 0u);
  EXPECT_TRUE(mysql->metadata.FindEndpoint("certificates")->optional);
  auto source = store->RevisionSource("mysql-k8s", mysql->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("config.yaml"), "0f1fd7c38347354b393fbd796533781a51578393");
  EXPECT_EQ(source->missing, std::vector<CharmFact>{CharmFact::kActions});
}

// The Charmed MLflow guides turn the NodePort off and point runs at another bucket:
// `skein config mlflow-server enable_mlflow_nodeport=false default_artifact_root=runs`.
TEST(StoreFidelityTest, MlflowServer215IsReadFromItsTrackBranch) {
  auto store = OpenStore();
  auto mlflow = store->ResolveCharm("mlflow-server", "2.15/stable", std::nullopt);
  ASSERT_TRUE(mlflow.ok()) << mlflow.status();
  auto nodeport = charm::ParseConfigValue(mlflow->config, "enable_mlflow_nodeport", "false");
  ASSERT_TRUE(nodeport.ok()) << nodeport.status();
  EXPECT_EQ(*nodeport, false);
  EXPECT_EQ(mlflow->config.at("enable_mlflow_nodeport").default_value, true);
  EXPECT_EQ(mlflow->config.at("default_artifact_root").default_value, "mlflow");
  EXPECT_EQ(mlflow->config.at("mlflow_port").default_value, 5000);
  auto actions = charm::ParseActions(mlflow->files.at("actions.yaml"));
  ASSERT_TRUE(actions.ok()) << actions.status();
  ASSERT_EQ(actions->count("get-minio-credentials"), 1u);
  EXPECT_EQ(mlflow->metadata.container_names,
            (std::vector<std::string>{"mlflow-server", "mlflow-prometheus-exporter"}));
  YAML::Node meta = YAML::Load(mlflow->files.at("metadata.yaml"));
  EXPECT_EQ(meta["resources"]["oci-image"]["upstream-source"].as<std::string>(),
            "docker.io/charmedkubeflow/mlflow:v2.15.1-d756ce7");
  auto source = store->RevisionSource("mlflow-server", mlflow->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("config.yaml"), "6c2cd2e5cca8b04b26b1e3b886f220d9a3de3963");
  EXPECT_FALSE(source->Missing(CharmFact::kConfigDefaults));
  EXPECT_TRUE(source->Missing(CharmFact::kStorage));
  // Track 2.22 runs the MLflow 2.22 image; its config was not read and says so.
  auto newer = store->ResolveCharm("mlflow-server", "2.22/stable", std::nullopt);
  ASSERT_TRUE(newer.ok()) << newer.status();
  YAML::Node newer_meta = YAML::Load(newer->files.at("metadata.yaml"));
  EXPECT_EQ(newer_meta["resources"]["oci-image"]["upstream-source"].as<std::string>().rfind(
                "docker.io/charmedkubeflow/mlflow:2.22.0-", 0),
            0u);
  auto newer_source = store->RevisionSource("mlflow-server", newer->revision);
  ASSERT_TRUE(newer_source.ok());
  EXPECT_TRUE(newer_source->Missing(CharmFact::kConfig));
  EXPECT_FALSE(newer_source->Missing(CharmFact::kContainers));
}

// Turning the pipeline step cache off is a `skein config kfp-api cache-enabled=false`; a value
// that is not a boolean is refused.
TEST(StoreFidelityTest, KfpApi25IsReadFromItsSource) {
  auto store = OpenStore();
  auto api = store->ResolveCharm("kfp-api", "2.5/stable", std::nullopt);
  ASSERT_TRUE(api.ok()) << api.status();
  auto cache = charm::ParseConfigValue(api->config, "cache-enabled", "false");
  ASSERT_TRUE(cache.ok()) << cache.status();
  EXPECT_EQ(*cache, false);
  EXPECT_EQ(charm::ParseConfigValue(api->config, "cache-enabled", "off").status().message(),
            "option \"cache-enabled\" expected boolean, got \"off\"");
  // Ports are strings in this charm, defaults included.
  EXPECT_EQ(api->config.at("http-port").type, "string");
  EXPECT_EQ(api->config.at("http-port").default_value, "8888");
  EXPECT_EQ(api->config.at("launcher-image").default_value, "docker.io/charmedkubeflow/kfp-launcher:2.5.0-e91327e");
  EXPECT_EQ(api->metadata.container_names, std::vector<std::string>{"apiserver"});
  EXPECT_EQ(api->metadata.FindEndpoint("relational-db")->limit, 1);
  auto source = store->RevisionSource("kfp-api", api->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("charms/kfp-api/metadata.yaml"), "003bea82e20441207846c4eb9155fed0a2a87679");
  EXPECT_EQ(source->missing, std::vector<CharmFact>{CharmFact::kActions});
  auto older = store->ResolveCharm("kfp-api", "2.3/stable", std::nullopt);
  ASSERT_TRUE(older.ok());
  EXPECT_TRUE(store->RevisionSource("kfp-api", older->revision)->Missing(CharmFact::kConfig));
}

// Operators set their own object store credentials: `skein config minio secret-key=...`.
TEST(StoreFidelityTest, MinioCkf19NamesItsSource) {
  auto store = OpenStore();
  auto minio = store->ResolveCharm("minio", "ckf-1.9/stable", std::nullopt);
  ASSERT_TRUE(minio.ok()) << minio.status();
  auto secret = charm::ParseConfigValue(minio->config, "secret-key", "minio-secret-key");
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(minio->config.at("access-key").default_value, "minio");
  EXPECT_EQ(minio->config.at("console-port").default_value, 9001);
  // The data survives pod restarts on the charm's storage.
  EXPECT_EQ(minio->metadata.storage_names, std::vector<std::string>{"minio-data"});
  YAML::Node meta = YAML::Load(minio->files.at("metadata.yaml"));
  EXPECT_EQ(meta["storage"]["minio-data"]["location"].as<std::string>(), "/data");
  auto source = store->RevisionSource("minio", minio->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("src/charm.py"), "9c1d621124df098c24e00329c0d2e1b12b9bc4fa");
  EXPECT_FALSE(source->Missing(CharmFact::kStorage));
  EXPECT_TRUE(source->Missing(CharmFact::kConfig));
  // The default of mode was not read, so none is claimed.
  EXPECT_TRUE(minio->config.at("mode").default_value.is_null());
}

// The Charmed Kubeflow guides create a user's namespace with
// `skein run kubeflow-profiles/0 create-profile username=admin profilename=admin`.
TEST(StoreFidelityTest, KubeflowProfiles19NamesItsSource) {
  auto store = OpenStore();
  auto profiles = store->ResolveCharm("kubeflow-profiles", "1.9/stable", std::nullopt);
  ASSERT_TRUE(profiles.ok()) << profiles.status();
  auto actions = charm::ParseActions(profiles->files.at("actions.yaml"));
  ASSERT_TRUE(actions.ok()) << actions.status();
  ASSERT_EQ(actions->count("create-profile"), 1u);
  EXPECT_EQ(actions->at("create-profile").required, (std::vector<std::string>{"username", "profilename"}));
  EXPECT_EQ(actions->count("initialise-profile"), 1u);
  EXPECT_EQ(profiles->config.at("port").default_value, 8081);
  EXPECT_EQ(charm::ParseConfigValue(profiles->config, "port", "kfam").status().message(),
            "option \"port\" expected int, got \"kfam\"");
  EXPECT_EQ(profiles->metadata.container_names, (std::vector<std::string>{"kubeflow-profiles", "kubeflow-kfam"}));
  auto source = store->RevisionSource("kubeflow-profiles", profiles->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("metadata.yaml"), "c924b171db4d3679c4273ce3062e4d73ba419c43");
  EXPECT_FALSE(source->Missing(CharmFact::kContainers));
  EXPECT_TRUE(source->Missing(CharmFact::kResources));
  EXPECT_TRUE(source->Missing(CharmFact::kActions));
}

// Adding a sidebar link by hand is a `skein config kubeflow-dashboard additional-menu-links=...`.
TEST(StoreFidelityTest, KubeflowDashboard19NamesItsSource) {
  auto store = OpenStore();
  auto dashboard = store->ResolveCharm("kubeflow-dashboard", "1.9/stable", std::nullopt);
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  const std::string link = R"([{"text": "Grafana", "link": "/grafana/", "type": "item", "icon": "book"}])";
  auto menu = charm::ParseConfigValue(dashboard->config, "additional-menu-links", link);
  ASSERT_TRUE(menu.ok()) << menu.status();
  EXPECT_EQ(*menu, link);
  EXPECT_TRUE(dashboard->config.at("additional-menu-links").default_value.is_null());
  EXPECT_EQ(dashboard->config.at("dashboard-configmap").default_value, "centraldashboard-config");
  EXPECT_EQ(dashboard->config.at("external-link-order").default_value, R"(["MLflow"])");
  auto source = store->RevisionSource("kubeflow-dashboard", dashboard->revision);
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->commits.at("config.yaml"), "c9a5789fc8f967e4583c9af47b7eee926ab05ee3");
  EXPECT_TRUE(source->Missing(CharmFact::kConfigDefaults));
  // Tracks 1.7 and 1.8 were not read and say so.
  for (const char* channel : {"1.7/stable", "1.8/stable"}) {
    auto older = store->ResolveCharm("kubeflow-dashboard", channel, std::nullopt);
    ASSERT_TRUE(older.ok()) << older.status();
    EXPECT_TRUE(store->RevisionSource("kubeflow-dashboard", older->revision)->Missing(CharmFact::kConfig)) << channel;
  }
}

// The charms a Charmed Kubeflow user touches first: no revision of theirs passes off a definition
// as read when it was not. Each names the files it was read from or lists its config as missing.
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
