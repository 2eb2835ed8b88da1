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
#include "relations/interfaces/grafana_dashboard.h"
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

// minio's scrape job targets its configured S3 port, as upstream's `*:<port>` does.
TEST(MinioTest, ScrapeTargetFollowsThePortConfig) {
  FakeHookContext ctx("minio/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.config = {{"access-key", "minio"}, {"secret-key", "minio123"}, {"port", 9100}};
  ctx.AddRelation(6, "metrics-endpoint", "prometheus", {"prometheus/0"});
  auto charm = NewMinio();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, "name: minio\nprovides:\n  metrics-endpoint: {interface: prometheus_scrape}\n").ok());
  json jobs = json::parse(ctx.app_writes[6]["scrape_jobs"]);
  EXPECT_EQ(jobs[0]["job_name"], "minio_metrics");
  EXPECT_EQ(jobs[0]["static_configs"][0]["targets"], json::array({"*:9100"}));
}

// Upstream's kubeflow-dashboard refuses any model but `kubeflow`, with this text.
TEST(KubeflowDashboardTest, BlocksOutsideTheKubeflowModel) {
  const std::string meta = "name: kubeflow-dashboard\nprovides:\n  links: {interface: kubeflow_dashboard_links}\n";
  FakeHookContext ctx("kubeflow-dashboard/0", "config-changed");
  testing::FakeSubstrate substrate;
  auto charm = NewKubeflowDashboard();
  sdk::Model elsewhere(&ctx, &substrate, Meta(meta), "ml");
  ASSERT_TRUE(sdk::RunCharmEvent(*charm, sdk::EventFor("config-changed", {}), elsewhere).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "blocked");
  EXPECT_EQ(LastUnitStatus(ctx).message, "kubeflow-dashboard must be deployed to model named `kubeflow`: https://git.io/J6d35");
  EXPECT_TRUE(substrate.sets.empty());
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());  // in `kubeflow`
  EXPECT_EQ(LastUnitStatus(ctx).status, "active");
  EXPECT_EQ(substrate.sets["links"].size(), 1u);
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

// Issue 13, data safety: the last dispatcher unit's teardown runs secrets-relation-broken. When
// only the unit goes (scale to zero) the dispatched objects stay; only the application's removal
// takes them.
TEST(ResourceDispatcherTest, ScaleToZeroKeepsTheDispatchedObjectsApplicationRemovalDoesNot) {
  const std::string meta = "name: resource-dispatcher\nprovides:\n  secrets: {interface: kubernetes_manifest}\n";
  for (agent::RemovalReason reason : {agent::RemovalReason::kUnitRemoved, agent::RemovalReason::kApplicationRemoved}) {
    SCOPED_TRACE(agent::RemovalReasonName(reason));
    FakeHookContext ctx("resource-dispatcher/0", "secrets-relation-changed");
    testing::FakeSubstrate substrate;
    auto& rel = ctx.AddRelation(1, "secrets", "mlflow-server", {"mlflow-server/0"});
    rel.bags["mlflow-server"]["kubernetes_manifests"] =
        R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s1"}}])";
    auto charm = NewResourceDispatcher();
    ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
    ASSERT_EQ(substrate.sets["secrets"].size(), 1u);

    rel.broken = true;
    ctx.removal = reason;
    sdk::Model model(&ctx, &substrate, Meta(meta), "kubeflow");
    sdk::Event broken = sdk::EventFor("secrets-relation-broken", {{"JUJU_RELATION_ID", "secrets:1"}});
    broken.removal = reason;
    ASSERT_TRUE(sdk::RunCharmEvent(*charm, broken, model).ok());
    EXPECT_EQ(substrate.sets["secrets"].size(), reason == agent::RemovalReason::kUnitRemoved ? 1u : 0u);
  }
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

constexpr char kKserveMeta[] = R"(name: kserve-controller
provides:
  metrics-endpoint: {interface: prometheus_scrape}
requires:
  object-storage: {interface: object-storage}
  ingress-gateway: {interface: istio-gateway-info}
  local-gateway: {interface: serving-local-gateway}
  secrets: {interface: kubernetes_manifest}
  service-accounts: {interface: kubernetes_manifest}
  logging: {interface: loki_push_api}
)";

// kserve-controller 0.13 in serverless mode: Blocked until both gateways are related, Waiting
// for their data, then Active; with an object store it sends the `<app>-s3` Secret and
// ServiceAccount exactly as its templates render them (the expected texts are Python's
// json.dumps of the rendered templates).
TEST(KserveControllerTest, NeedsBothGatewaysAndSendsItsS3ObjectsToTheDispatcher) {
  FakeHookContext ctx("kserve-controller/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.config = {{"deployment-mode", "serverless"}};
  auto charm = NewKserveController();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kKserveMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "blocked");

  auto& ingress = ctx.AddRelation(1, "ingress-gateway", "istio-pilot", {"istio-pilot/0"});
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kKserveMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).message, "Please relate to knative-serving:local-gateway");
  ingress.bags["istio-pilot"] = {{"gateway_name", "kubeflow-gateway"}, {"gateway_namespace", "kubeflow"}, {"gateway_up", "true"}};
  auto& local = ctx.AddRelation(2, "local-gateway", "knative-serving", {"knative-serving/0"});
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kKserveMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "waiting");
  EXPECT_EQ(LastUnitStatus(ctx).message, "Waiting for local gateway data.");
  local.bags["knative-serving"] = {{"gateway_name", "knative-local-gateway"}, {"gateway_namespace", "knative-serving"}, {"gateway_up", "true"}};
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kKserveMeta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "active") << LastUnitStatus(ctx).message;

  // RawDeployment needs no local gateway; an unknown mode blocks with upstream's text.
  FakeHookContext raw("kserve-controller/0", "config-changed");
  raw.config = {{"deployment-mode", "RawDeployment"}};
  raw.AddRelation(1, "ingress-gateway", "istio-pilot", {"istio-pilot/0"}).bags = ingress.bags;
  ASSERT_TRUE(RunHook(*charm, raw, substrate, kKserveMeta).ok());
  EXPECT_EQ(LastUnitStatus(raw).status, "active") << LastUnitStatus(raw).message;
  raw.config = {{"deployment-mode", "knative"}};
  ASSERT_TRUE(RunHook(*charm, raw, substrate, kKserveMeta).ok());
  EXPECT_EQ(LastUnitStatus(raw).message, "Please set deployment-mode to either Serverless or RawDeployment");

  EXPECT_TRUE(ctx.app_writes[3].empty());
  auto& storage = ctx.AddRelation(3, "object-storage", "mlflow-minio", {"mlflow-minio/0"});
  storage.bags["mlflow-minio"] = {
      {"_supported_versions", "- v1\n"},
      {"data", "access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: SECRET123\nsecure: false\nservice: mlflow-minio\n"}};
  ctx.AddRelation(4, "secrets", "resource-dispatcher", {"resource-dispatcher/0"});
  ctx.AddRelation(5, "service-accounts", "resource-dispatcher", {"resource-dispatcher/0"});
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kKserveMeta).ok());
  EXPECT_EQ(ctx.app_writes[3]["_supported_versions"], "- v1\n");
  EXPECT_EQ(ctx.app_writes[4]["kubernetes_manifests"],
            R"([{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "kserve-controller-s3", "annotations": {"serving.kserve.io/s3-endpoint": "mlflow-minio.kubeflow:9000", "serving.kserve.io/s3-usehttps": "0", "serving.kserve.io/s3-region": "us-east-1", "serving.kserve.io/s3-useanoncredential": "false"}}, "type": "Opaque", "stringData": {"AWS_ACCESS_KEY_ID": "minio", "AWS_SECRET_ACCESS_KEY": "SECRET123"}}])");
  EXPECT_EQ(ctx.app_writes[5]["kubernetes_manifests"],
            R"([{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kserve-controller-s3"}, "secrets": [{"name": "kserve-controller-s3"}]}])");
}

TEST(KnativeServingTest, SharesItsLocalGatewayAndBlocksWithoutANamespace) {
  const std::string meta =
      "name: knative-serving\nprovides:\n  ingress-gateway: {interface: istio-ingress-gateway}\n"
      "  local-gateway: {interface: serving-local-gateway}\n";
  FakeHookContext ctx("knative-serving/0", "config-changed");
  testing::FakeSubstrate substrate;
  auto charm = NewKnativeServing();
  ctx.AddRelation(1, "local-gateway", "kserve-controller", {"kserve-controller/0"});
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "blocked");
  EXPECT_EQ(LastUnitStatus(ctx).message, "Config item `namespace` must be set");
  EXPECT_TRUE(ctx.app_writes[1].empty());

  ctx.config = {{"namespace", "knative-serving"}, {"istio.gateway.namespace", "kubeflow"}, {"istio.gateway.name", "kubeflow-gateway"}};
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, meta).ok());
  EXPECT_EQ(LastUnitStatus(ctx).status, "active");
  EXPECT_EQ(ctx.app_writes[1]["gateway_name"], "knative-local-gateway");
  EXPECT_EQ(ctx.app_writes[1]["gateway_namespace"], "knative-serving");
  EXPECT_EQ(ctx.app_writes[1]["gateway_up"], "true");
}

// mlflow-server sends its dashboard under the upstream file's id; grafana-k8s reads it back and
// reports nothing; a later hook keeps the same uuid (no needless change event); an invalid
// dashboard is reported in grafana's `event` key as the upstream consumer does.
TEST(GrafanaDashboardTest, MlflowSendsItsDashboardAndGrafanaReadsIt) {
  namespace gd = relations::interfaces::grafana_dashboard;
  FakeHookContext ctx("mlflow-server/0", "config-changed");
  testing::FakeSubstrate substrate;
  ctx.AddRelation(7, "grafana-dashboard", "grafana", {"grafana/0"});
  auto charm = NewMlflowServer();
  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kMlflowMeta).ok());
  const std::string sent = ctx.app_writes[7]["dashboards"];
  json dashboards = json::parse(sent);
  ASSERT_TRUE(dashboards["templates"].contains("file:mlflow-server.json")) << sent;
  const json& t = dashboards["templates"]["file:mlflow-server.json"];
  EXPECT_EQ(t["charm"], "mlflow-server");
  EXPECT_EQ(t["inject_dropdowns"], true);
  EXPECT_EQ(t["dashboard_alt_uid"], "9eb6f1da1205c5b9");  // hashlib.shake_256(b"mlflow-server-file:mlflow-server.json").hexdigest(8)
  EXPECT_EQ(t["juju_topology"]["application"], "mlflow-server");
  EXPECT_EQ(t["juju_topology"]["unit"], "mlflow-server/0");
  EXPECT_EQ(dashboards["uuid"].get<std::string>().size(), 36u);

  ASSERT_TRUE(RunHook(*charm, ctx, substrate, kMlflowMeta).ok());
  EXPECT_EQ(ctx.app_writes[7]["dashboards"], sent);

  const std::string grafana_meta =
      "name: grafana-k8s\nrequires:\n  grafana-dashboard: {interface: grafana_dashboard}\n";
  FakeHookContext grafana("grafana/0", "grafana-dashboard-relation-changed");
  auto& rel = grafana.AddRelation(7, "grafana-dashboard", "mlflow-server", {"mlflow-server/0"});
  rel.bags["mlflow-server"] = {{"dashboards", sent}};
  StandardCharm consumer(ProfileFor("grafana-k8s"));
  ASSERT_TRUE(RunHook(consumer, grafana, substrate, grafana_meta).ok());
  EXPECT_EQ(grafana.app_writes[7]["event"], "");
  auto received = gd::ConsumerDashboards(rel.bags["mlflow-server"]);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  EXPECT_THAT((*received)[0].content["title"].get<std::string>(), HasSubstr("mlflow-server"));
  EXPECT_EQ((*received)[0].content["panels"][0]["datasource"], "${prometheusds}");

  json broken = dashboards;
  broken["templates"]["file:mlflow-server.json"]["content"] = gd::LzmaBase64Compress("{not json");
  rel.bags["mlflow-server"] = {{"dashboards", broken.dump()}};
  ASSERT_TRUE(RunHook(consumer, grafana, substrate, grafana_meta).ok());
  json event = json::parse(grafana.app_writes[7]["event"]);
  EXPECT_EQ(event["errors"][0]["dashboard_id"], "file:mlflow-server.json");
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
