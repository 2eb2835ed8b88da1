// The built-in charms against the catalog's contracts (kubeflow-catalog §4): what each writes in
// its bags, what it applies, and the statuses the real charms set.

#include "agents/charms/charms.h"

#include "agents/charms/prometheus_config.h"
#include "agents/charms/profiles.h"
#include "agents/sdk/builtin_runner.h"
#include "bundles/store.h"
#include "fake_substrate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/charm/metadata.h"
#include "relations/interfaces/python_dump.h"
#include "tests/agents/hook/fake_hook_context.h"

namespace skein::charms {
namespace {

using agent::testing::FakeHookContext;
using ::testing::HasSubstr;
using json = nlohmann::ordered_json;

charm::Metadata Meta(const std::string& yaml) {
  auto m = charm::ParseMetadata(yaml);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : charm::Metadata{};
}

// The last unit status a charm set.
agent::StatusValue LastUnitStatus(const FakeHookContext& ctx) {
  for (auto it = ctx.status_sets.rbegin(); it != ctx.status_sets.rend(); ++it) {
    if (!it->first) return it->second;
  }
  return {};
}

class ContextAction : public FakeHookContext {
 public:
  using FakeHookContext::FakeHookContext;
  std::string ActionName() const override { return action; }
  absl::StatusOr<nlohmann::json> ActionParams() override { return params; }
  absl::Status SetActionResults(const nlohmann::json& r) override {
    results.update(r);
    return absl::OkStatus();
  }
  absl::Status ActionLog(const std::string&) override { return absl::OkStatus(); }
  absl::Status ActionFail(const std::string& m) override {
    failed = m;
    return absl::OkStatus();
  }
  std::string action;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json results = nlohmann::json::object();
  std::string failed;
};

constexpr char kMlflowMeta[] = R"(name: mlflow-server
provides:
  metrics-endpoint: {interface: prometheus_scrape}
  grafana-dashboard: {interface: grafana_dashboard}
requires:
  relational-db: {interface: mysql_client}
  object-storage: {interface: object-storage}
  dashboard-links: {interface: kubeflow_dashboard_links}
  ingress: {interface: ingress}
  logging: {interface: loki_push_api}
  secrets: {interface: kubernetes_manifest}
  pod-defaults: {interface: kubernetes_manifest}
)";

absl::Status RunHook(sdk::Charm& charm, FakeHookContext& ctx, testing::FakeSubstrate& substrate, const std::string& meta,
                 const std::string& hook = "config-changed", std::map<std::string, std::string> env = {}) {
  sdk::Model model(&ctx, &substrate, Meta(meta), "kubeflow");
  return sdk::RunCharmEvent(charm, sdk::EventFor(hook, env), model);
}

TEST(MlflowServerTest, BlocksWithoutADatabaseAndWaitsForItsData) {
  FakeHookContext ctx("mlflow-server/0", "config-changed");
  testing::FakeSubstrate substrate;
  auto charm = NewMlflowServer();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kMlflowMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "blocked");
  EXPECT_EQ(LastUnitStatus(ctx).message, "Please add relation to the database");

  ctx.AddRelation(1, "relational-db", "mlflow-mysql", {"mlflow-mysql/0"});
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kMlflowMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "waiting");
  EXPECT_EQ(LastUnitStatus(ctx).message, "Incorrect data found in relation relational-db");
  // It asked for its database, as data_interfaces' requirer does.
  EXPECT_EQ(ctx.app_writes[1]["database"], "mlflow");
}

// The full §4.3 example: mlflow-server with mlflow-mysql and mlflow-minio sends the rendered
// Secrets and PodDefaults, byte for byte.
TEST(MlflowServerTest, SendsTheCatalogsRenderedManifestsOnceReady) {
  FakeHookContext ctx("mlflow-server/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.config = {{"mlflow_port", 5000}};
  auto& db = ctx.AddRelation(1, "relational-db", "mlflow-mysql", {"mlflow-mysql/0"});
  db.bags["mlflow-mysql"] = {{"endpoints", "mlflow-mysql-primary.kubeflow.svc.cluster.local:3306"},
                             {"username", "relation-1_abc"},
                             {"password", "pw"},
                             {"database", "mlflow"}};
  auto& storage = ctx.AddRelation(2, "object-storage", "mlflow-minio", {"mlflow-minio/0"});
  storage.bags["mlflow-minio"] = {
      {"_supported_versions", "- v1\n"},
      {"data", "access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: SECRET123\nsecure: false\nservice: mlflow-minio\n"}};
  ctx.AddRelation(3, "secrets", "resource-dispatcher", {"resource-dispatcher/0"});
  ctx.AddRelation(4, "pod-defaults", "resource-dispatcher", {"resource-dispatcher/0"});
  auto charm = NewMlflowServer();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kMlflowMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "active") << LastUnitStatus(ctx).message;
  EXPECT_EQ(ctx.app_writes[3]["kubernetes_manifests"],
            R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mlflow-server-minio-artifact"}, "stringData": {"AWS_ACCESS_KEY_ID": "minio", "AWS_SECRET_ACCESS_KEY": "SECRET123"}}, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mlflow-server-seldon-rclone-secret"}, "stringData": {"RCLONE_CONFIG_S3_TYPE": "s3", "RCLONE_CONFIG_S3_PROVIDER": "minio", "RCLONE_CONFIG_S3_ENV_AUTH": "false", "RCLONE_CONFIG_S3_ACCESS_KEY_ID": "minio", "RCLONE_CONFIG_S3_SECRET_ACCESS_KEY": "SECRET123", "RCLONE_CONFIG_S3_ENDPOINT": "http://mlflow-minio.kubeflow:9000"}}])");
  EXPECT_EQ(ctx.app_writes[4]["kubernetes_manifests"],
            R"([{"apiVersion": "kubeflow.org/v1alpha1", "kind": "PodDefault", "metadata": {"name": "mlflow-server-access-minio"}, "spec": {"desc": "Allow access to Minio", "selector": {"matchLabels": {"access-minio": "true"}}, "env": [{"name": "AWS_ACCESS_KEY_ID", "valueFrom": {"secretKeyRef": {"name": "mlflow-server-minio-artifact", "key": "AWS_ACCESS_KEY_ID", "optional": false}}}, {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "mlflow-server-minio-artifact", "key": "AWS_SECRET_ACCESS_KEY", "optional": false}}}, {"name": "MINIO_ENDPOINT_URL", "value": "http://mlflow-minio.kubeflow:9000"}]}}, {"apiVersion": "kubeflow.org/v1alpha1", "kind": "PodDefault", "metadata": {"name": "mlflow-server-minio"}, "spec": {"desc": "Allow access to MLFlow", "env": [{"name": "MLFLOW_S3_ENDPOINT_URL", "value": "http://mlflow-minio.kubeflow:9000"}, {"name": "MLFLOW_TRACKING_URI", "value": "http://mlflow-server.kubeflow.svc.cluster.local:5000"}], "selector": {"matchLabels": {"mlflow-server-minio": "true"}}}}])");
  // Non-leaders send nothing.
  FakeHookContext minion("mlflow-server/1", "config-changed");
  minion.leader = false;
  minion.AddRelation(1, "relational-db", "mlflow-mysql", {}).bags = db.bags;
  minion.AddRelation(2, "object-storage", "mlflow-minio", {}).bags = storage.bags;
  minion.AddRelation(3, "secrets", "resource-dispatcher", {});
  ASSERT_TRUE(RunHook(*charm, minion, substrate, kMlflowMeta).ok());
  EXPECT_TRUE(minion.app_writes.empty());
}

TEST(MinioTest, WritesTheObjectStorageBagOfTheCatalog) {
  FakeHookContext ctx("mlflow-minio/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.config = {{"access-key", "minio"}, {"secret-key", "minio123"}, {"port", 9000}};
  ctx.AddRelation(5, "object-storage", "mlflow-server", {"mlflow-server/0"});
  auto charm = NewMinio();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, "name: minio\nprovides:\n  object-storage: {interface: object-storage}\n").ok());
  EXPECT_EQ(ctx.app_writes[5]["_supported_versions"], "- v1\n");
  EXPECT_EQ(ctx.app_writes[5]["data"],
            "access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: minio123\nsecure: false\nservice: mlflow-minio\n");
  // An empty secret-key makes the leader generate one and keep it for every later hook.
  FakeHookContext gen("minio/0", "config-changed");
  gen.config = {{"access-key", "minio"}, {"secret-key", ""}, {"port", 9000}};
  gen.AddRelation(5, "object-storage", "kfp-api", {"kfp-api/0"});
  ASSERT_TRUE(RunHook(*charm, gen, substrate, "name: minio\nprovides:\n  object-storage: {interface: object-storage}\n").ok());
  ASSERT_EQ(gen.leader_settings.count("secret-key"), 1u);
  EXPECT_GE(gen.leader_settings["secret-key"].size(), 8u);
  EXPECT_THAT(gen.app_writes[5]["data"], HasSubstr("secret-key: " + gen.leader_settings["secret-key"]));
}

TEST(MysqlK8sTest, AnswersADatabaseRequestWithCredentials) {
  FakeHookContext ctx("kfp-db/0", "database-relation-changed");
  testing::FakeSubstrate substrate;
  ctx.model_uuid = "5b2c6f0e-0000-4000-8000-000000000001";
  auto& rel = ctx.AddRelation(9, "database", "kfp-api", {"kfp-api/0"});
  auto charm = NewMysqlK8s();
  const std::string meta = "name: mysql-k8s\nprovides:\n  database: {interface: mysql_client}\n";
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  EXPECT_TRUE(ctx.app_writes[9].empty()) << "nothing before the requirer asks";
  rel.bags["kfp-api"]["database"] = "mlpipeline";
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  auto& bag = ctx.app_writes[9];
  EXPECT_EQ(bag["database"], "mlpipeline");
  EXPECT_EQ(bag["endpoints"], "kfp-db-primary.kubeflow.svc.cluster.local:3306");
  EXPECT_EQ(bag["username"], "relation-9_5b2c6f0e0000400");
  EXPECT_FALSE(bag["password"].empty());
  EXPECT_EQ(LastUnitStatus(ctx).status, "active");
  EXPECT_EQ(LastUnitStatus(ctx).message, kRenderedForKubernetes);
}

TEST(ResourceDispatcherTest, AppliesGatheredManifestsToLabelledNamespacesAndBlocksOnDuplicates) {
  FakeHookContext ctx("resource-dispatcher/0", "secrets-relation-changed");
  testing::FakeSubstrate substrate;
  ctx.config = {{"target_namespace_label", "user.kubeflow.org/enabled"}};
  const std::string meta =
      "name: resource-dispatcher\nprovides:\n  secrets: {interface: kubernetes_manifest}\n"
      "  service-accounts: {interface: kubernetes_manifest}\n  pod-defaults: {interface: kubernetes_manifest}\n";
  auto& a = ctx.AddRelation(1, "secrets", "mlflow-server", {"mlflow-server/0"});
  a.bags["mlflow-server"]["kubernetes_manifests"] =
      R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}}])";
  auto charm = NewResourceDispatcher();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  ASSERT_EQ(substrate.sets["secrets"].size(), 1u);
  EXPECT_EQ(substrate.sets["secrets"][0].target_namespace_label, "user.kubeflow.org/enabled");
  EXPECT_EQ(substrate.sets["secrets"][0].object["metadata"]["name"], "s1");
  EXPECT_TRUE(substrate.sets["pod-defaults"].empty());
  EXPECT_EQ(LastUnitStatus(ctx).status, "active");

  auto& b = ctx.AddRelation(2, "secrets", "kserve-controller", {"kserve-controller/0"});
  b.bags["kserve-controller"]["kubernetes_manifests"] =
      R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}}])";
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "blocked");
  EXPECT_EQ(LastUnitStatus(ctx).message, "Failed to process invalid manifest. See debug logs.");
  EXPECT_EQ(substrate.sets["secrets"].size(), 1u) << "what was applied stays";
}

TEST(KubeflowProfilesTest, CreateProfileMakesALabelledNamespaceAndRefusesBadNames) {
  ContextAction ctx("kubeflow-profiles/0", "");
  testing::FakeSubstrate substrate;
  ctx.action = "create-profile";
  ctx.params = {{"username", "alice@example.com"}, {"profilename", "alice"}};
  auto charm = NewKubeflowProfiles();
  const std::string meta = "name: kubeflow-profiles\nprovides:\n  kubeflow-profiles: {interface: k8s-service}\n";
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta, "actions/create-profile").ok());
  EXPECT_EQ(ctx.failed, "");
  ASSERT_EQ(substrate.sets["profile:alice"].size(), 2u);
  const json& ns = substrate.sets["profile:alice"][1].object;
  EXPECT_EQ(ns["kind"], "Namespace");
  EXPECT_EQ(ns["metadata"]["labels"]["user.kubeflow.org/enabled"], "true");
  EXPECT_EQ(ns["metadata"]["labels"]["app.kubernetes.io/part-of"], "kubeflow-profile");
  EXPECT_EQ(substrate.sets["profile:alice"][0].object["spec"]["owner"]["name"], "alice@example.com");
  ASSERT_EQ(substrate.sets["profile-config:alice"].size(), 2u);
  EXPECT_EQ(substrate.sets["profile-config:alice"][0].object["metadata"]["namespace"], "alice");

  ctx.params = {{"username", "bob"}, {"profilename", "Bob_Profile"}};
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta, "actions/create-profile").ok());
  EXPECT_THAT(ctx.failed, HasSubstr("not a valid namespace name"));
  EXPECT_EQ(substrate.sets.count("profile:Bob_Profile"), 0u);
}

TEST(IstioPilotTest, RendersAVirtualServicePerRouteAndTheGatewayInfo) {
  FakeHookContext ctx("istio-pilot/0", "ingress-relation-changed");
  testing::FakeSubstrate substrate;
  ctx.config = {{"default-gateway", "kubeflow-gateway"}};
  auto& route = ctx.AddRelation(1, "ingress", "mlflow-server", {"mlflow-server/0"});
  route.bags["mlflow-server"] = {
      {"_supported_versions", "- v1\n"},
      {"data", "namespace: kubeflow\nport: 5000\nprefix: /mlflow/\nrewrite: /\nservice: mlflow-server\n"}};
  ctx.AddRelation(2, "gateway-info", "tensorboard-controller", {"tensorboard-controller/0"});
  const std::string meta =
      "name: istio-pilot\nprovides:\n  ingress: {interface: ingress}\n  gateway-info: {interface: istio-gateway-info}\n"
      "  ingress-auth: {interface: ingress-auth}\n  istio-pilot: {interface: k8s-service}\n";
  auto charm = NewIstioPilot();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  EXPECT_EQ(ctx.app_writes[1]["_supported_versions"], "- v1\n- v2\n");
  EXPECT_EQ(ctx.app_writes[2]["gateway_name"], "kubeflow-gateway");
  EXPECT_EQ(ctx.app_writes[2]["gateway_namespace"], "kubeflow");
  EXPECT_EQ(ctx.app_writes[2]["gateway_up"], "true");
  const auto& objects = substrate.sets["ingress"];
  ASSERT_EQ(objects.size(), 2u);
  const json& vs = objects[0].object;
  EXPECT_EQ(vs["kind"], "VirtualService");
  EXPECT_EQ(vs["metadata"]["name"], "mlflow-server");
  EXPECT_EQ(vs["spec"]["gateways"][0], "kubeflow/kubeflow-gateway");
  EXPECT_EQ(vs["spec"]["http"][0]["match"][0]["uri"]["prefix"], "/mlflow/");
  EXPECT_EQ(vs["spec"]["http"][0]["rewrite"]["uri"], "/");
  EXPECT_EQ(vs["spec"]["http"][0]["route"][0]["destination"]["host"], "mlflow-server.kubeflow.svc.cluster.local");
  EXPECT_EQ(vs["spec"]["http"][0]["route"][0]["destination"]["port"]["number"], 5000);
  EXPECT_EQ(objects[1].object["kind"], "Gateway");
}

TEST(StandardCharmTest, IngressRequirerSendsItsRouteAndDashboardLinks) {
  FakeHookContext ctx("kubeflow-volumes/0", "config-changed");
  testing::FakeSubstrate substrate;
  auto& ingress = ctx.AddRelation(1, "ingress", "istio-pilot", {"istio-pilot/0"});
  ingress.bags["istio-pilot"]["_supported_versions"] = "- v1\n- v2\n";
  ctx.AddRelation(2, "dashboard-links", "kubeflow-dashboard", {"kubeflow-dashboard/0"});
  StandardCharm charm(ProfileFor("kubeflow-volumes"));
  const std::string meta =
      "name: kubeflow-volumes\nrequires:\n  ingress: {interface: ingress}\n"
      "  dashboard-links: {interface: kubeflow_dashboard_links}\n";
  ASSERT_TRUE(RunHook(charm, ctx, substrate, meta).ok());
  EXPECT_EQ(ctx.app_writes[1]["data"], "port: 5000\nprefix: /volumes\nrewrite: /\nservice: kubeflow-volumes\n");
  EXPECT_EQ(ctx.app_writes[2]["dashboard_links"],
            R"([{"text": "Volumes", "link": "/volumes/", "location": "menu", "icon": "device:storage", "type": "item", "desc": ""}])");
  EXPECT_EQ(LastUnitStatus(ctx).status, "active");
  EXPECT_EQ(LastUnitStatus(ctx).message, kRenderedForKubernetes);
}

TEST(StandardCharmTest, WaitsUntilTheOtherSideListsItsVersions) {
  FakeHookContext ctx("kfp-ui/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.AddRelation(1, "object-storage", "minio", {"minio/0"});
  StandardCharm charm(ProfileFor("kfp-ui"));
  const std::string meta = "name: kfp-ui\nrequires:\n  object-storage: {interface: object-storage}\n";
  ASSERT_TRUE(RunHook(charm, ctx, substrate, meta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "waiting");
  EXPECT_EQ(LastUnitStatus(ctx).message, "List of object-storage versions not found for apps: minio");
}

TEST(StandardCharmTest, ScrapeProviderPublishesJobsUnitAddressAndItsAgent) {
  FakeHookContext ctx("kubeflow-profiles/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.private_address = "10.1.2.3";
  ctx.AddRelation(7, "metrics-endpoint", "prometheus", {"prometheus/0"});
  StandardCharm charm(ProfileFor("kubeflow-profiles"));
  const std::string meta = "name: kubeflow-profiles\nprovides:\n  metrics-endpoint: {interface: prometheus_scrape}\n";
  ASSERT_TRUE(RunHook(charm, ctx, substrate, meta).ok());
  EXPECT_EQ(ctx.app_writes[7]["scrape_jobs"],
            R"([{"metrics_path": "/metrics", "static_configs": [{"targets": ["*:8080", "*:8081"]}]}])");
  EXPECT_THAT(ctx.app_writes[7]["scrape_metadata"], HasSubstr(R"("application": "kubeflow-profiles")"));
  EXPECT_EQ(ctx.unit_writes[7]["prometheus_scrape_unit_address"], "10.1.2.3");
  EXPECT_EQ(ctx.unit_writes[7]["prometheus_scrape_unit_name"], "kubeflow-profiles/0");
  EXPECT_EQ(ctx.unit_writes[7][kAgentMetricsKey], "127.0.0.1:45001");
}

TEST(PrometheusConfigTest, RendersRelatedJobsAndUnitAgentJobs) {
  ScrapedApplication app;
  app.name = "minio";
  app.app_bag = {{"scrape_metadata", R"({"model": "kubeflow", "model_uuid": "5b2c6f0e-0000", "application": "minio", "unit": "minio/0", "charm_name": "minio"})"},
                 {"scrape_jobs", R"([{"job_name": "minio_metrics", "metrics_path": "/minio/v2/metrics/cluster", "static_configs": [{"targets": ["*:9000"]}]}])"}};
  app.unit_bags["minio/0"] = {{"prometheus_scrape_unit_address", "10.0.0.9"}, {kAgentMetricsKey, "127.0.0.1:4000"}};
  std::vector<std::string> errors;
  std::string yaml = RenderPrometheusConfig("127.0.0.1:9090", "5s", {app}, &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_THAT(yaml, HasSubstr("job_name: juju_kubeflow_5b2c6f0_minio_prometheus_scrape_minio_metrics\n"));
  EXPECT_THAT(yaml, HasSubstr("- 10.0.0.9:9000\n"));
  EXPECT_THAT(yaml, HasSubstr("job_name: skein_unit_agent_minio\n"));
  EXPECT_THAT(yaml, HasSubstr("- 127.0.0.1:4000\n"));
  EXPECT_THAT(yaml, HasSubstr("juju_unit: minio/0\n"));
  EXPECT_THAT(yaml, HasSubstr("- 127.0.0.1:9090\n"));
  app.app_bag["scrape_jobs"] = "not json";
  RenderPrometheusConfig("127.0.0.1:9090", "5s", {app}, &errors);
  ASSERT_EQ(errors.size(), 1u);
}

TEST(RegistryTest, EveryStoreCharmHasABuiltinCharm) {
  sdk::CharmRegistry registry;
  RegisterBuiltinCharms(registry);
  auto store = bundles::Store::Open({});
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_GT((*store)->CharmNames().size(), 40u);
  for (const auto& name : (*store)->CharmNames()) EXPECT_TRUE(registry.Has(name)) << name;
}

}  // namespace
}  // namespace skein::charms
