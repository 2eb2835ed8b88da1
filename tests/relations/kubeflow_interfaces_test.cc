// The Kubeflow interfaces' libraries against kubeflow-catalog §4.1, §4.6–§4.10: the bags skein's
// charms write are byte for byte what the upstream libraries write (the YAML and JSON texts
// below were produced by PyYAML's safe_dump and json.dumps), and each reader accepts the real
// charm's data and refuses what the upstream library refuses.

#include <string>

#include "gtest/gtest.h"
#include "relations/interfaces/dashboard_links.h"
#include "relations/interfaces/dex_oidc.h"
#include "relations/interfaces/gateway_info.h"
#include "relations/interfaces/ingress.h"
#include "relations/interfaces/k8s_service.h"
#include "relations/interfaces/loki_push_api.h"
#include "relations/interfaces/object_storage.h"
#include "relations/interfaces/sdi.h"

namespace skein::relations::interfaces {
namespace {

using Bag = std::map<std::string, std::string>;
using nlohmann::ordered_json;

TEST(ObjectStorageTest, MinioSendsTheCatalogsBagAndMlflowAndKserveBuildTheirEndpoints) {
  object_storage::Credentials c{"minio", "s3cr3tk3y", "mlflow-minio", 9000, "kubeflow", false};
  Bag provider = object_storage::ProviderAppBag(c);
  EXPECT_EQ(provider.at("_supported_versions"), "- v1\n");
  EXPECT_EQ(provider.at("data"),
            "access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: s3cr3tk3y\nsecure: false\nservice: mlflow-minio\n");
  EXPECT_EQ(object_storage::RequirerAppBag(), (Bag{{"_supported_versions", "- v1\n"}}));

  auto read = object_storage::ReadCredentials(provider);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->secret_key, "s3cr3tk3y");
  EXPECT_EQ(object_storage::S3Endpoint(*read, "other"), "http://mlflow-minio.kubeflow:9000");
  EXPECT_EQ(object_storage::S3Endpoint(*read, "other", false), "mlflow-minio.kubeflow:9000");

  // The schema allows a null namespace: the reader falls back to its own model.
  c.namespace_.clear();
  Bag no_namespace = object_storage::ProviderAppBag(c);
  EXPECT_EQ(no_namespace.at("data"),
            "access-key: minio\nnamespace: null\nport: 9000\nsecret-key: s3cr3tk3y\nsecure: false\nservice: mlflow-minio\n");
  EXPECT_EQ(object_storage::S3Endpoint(*object_storage::ReadCredentials(no_namespace), "kubeflow"),
            "http://mlflow-minio.kubeflow:9000");

  EXPECT_EQ(object_storage::ReadCredentials({}).status().code(), absl::StatusCode::kNotFound);
  Bag text_port = {{"_supported_versions", "- v1\n"},
                   {"data", "access-key: minio\nport: '9000'\nsecret-key: k\nsecure: false\nservice: minio\n"}};
  EXPECT_EQ(object_storage::ReadCredentials(text_port).status().message(), "data key \"port\" is not a number");
  Bag no_secret = {{"_supported_versions", "- v1\n"}, {"data", "access-key: minio\nport: 9000\nsecure: false\nservice: minio\n"}};
  EXPECT_EQ(object_storage::ReadCredentials(no_secret).status().message(), "data misses required key \"secret-key\"");
}

TEST(IngressTest, MlflowsRouteReachesIstioPilotAsTheCatalogHasIt) {
  ingress::Route mlflow{"/mlflow/", "/", "mlflow-server", "kubeflow", 5000};
  Bag requirer = ingress::RequirerAppBag(mlflow);
  EXPECT_EQ(requirer.at("_supported_versions"), "- v1\n");
  EXPECT_EQ(requirer.at("data"), "namespace: kubeflow\nport: 5000\nprefix: /mlflow/\nrewrite: /\nservice: mlflow-server\n");
  Bag provider = ingress::ProviderAppBag();
  EXPECT_EQ(provider, (Bag{{"_supported_versions", "- v1\n- v2\n"}}));
  // istio-pilot lists v1 and v2, mlflow v1 only: they agree on v1.
  auto agreed = sdi::Negotiate(ingress::ProviderVersions(), requirer);
  EXPECT_EQ(agreed.outcome, sdi::Negotiation::kAgreed);
  EXPECT_EQ(agreed.version, "v1");

  auto route = ingress::ReadRoute(requirer);
  ASSERT_TRUE(route.ok()) << route.status();
  EXPECT_EQ(ingress::EffectiveRewrite(*route), "/");
  EXPECT_EQ(ingress::DestinationHost(*route, "istio-model"), "mlflow-server.kubeflow.svc.cluster.local");

  // kfp-ui sends no rewrite and no namespace: the prefix and istio-pilot's model stand in.
  auto kfp = ingress::ReadRoute(ingress::RequirerAppBag({"/pipeline", "", "kfp-ui", "", 3000}));
  ASSERT_TRUE(kfp.ok());
  EXPECT_EQ(ingress::EffectiveRewrite(*kfp), "/pipeline");
  EXPECT_EQ(ingress::DestinationHost(*kfp, "kubeflow"), "kfp-ui.kubeflow.svc.cluster.local");

  Bag no_port = {{"_supported_versions", "- v1\n"}, {"data", "prefix: /x\nservice: x\n"}};
  EXPECT_EQ(ingress::ReadRoute(no_port).status().message(), "data misses required key \"port\"");
  Bag text_port = {{"_supported_versions", "- v1\n"}, {"data", "port: '80'\nprefix: /x\nservice: x\n"}};
  EXPECT_EQ(ingress::ReadRoute(text_port).status().message(), "data key \"port\" is not an integer");
}

TEST(IngressAuthTest, OidcGatekeepersRequestIsTheCatalogs) {
  Bag requirer = ingress_auth::RequirerAppBag(ingress_auth::OidcGatekeeper("oidc-gatekeeper", 8080));
  EXPECT_EQ(requirer.at("data"),
            "allowed-request-headers:\n- cookie\n- X-Auth-Token\nallowed-response-headers:\n- kubeflow-userid\n"
            "port: 8080\nservice: oidc-gatekeeper\n");
  EXPECT_EQ(ingress_auth::ProviderAppBag(), (Bag{{"_supported_versions", "- v1\n"}}));
  auto auth = ingress_auth::ReadAuthService(requirer);
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->allowed_request_headers, (std::vector<std::string>{"cookie", "X-Auth-Token"}));
  EXPECT_EQ(auth->allowed_response_headers, (std::vector<std::string>{"kubeflow-userid"}));
  EXPECT_EQ(ingress_auth::ReadAuthService({{"data", "port: 8080\n"}}).status().message(),
            "data misses required key \"service\"");
}

TEST(K8sServiceTest, BothFormsCarryTheServiceAsStrings) {
  Bag profiles = k8s_service::ProviderSdiBag({"kubeflow-profiles", "8081"});
  EXPECT_EQ(profiles.at("data"), "service-name: kubeflow-profiles\nservice-port: '8081'\n");
  EXPECT_EQ(k8s_service::ProviderSdiBag({"istiod.kubeflow.svc", "15012"}).at("data"),
            "service-name: istiod.kubeflow.svc\nservice-port: '15012'\n");
  EXPECT_EQ(k8s_service::RequirerSdiBag(), (Bag{{"_supported_versions", "- v1\n"}}));
  auto read = k8s_service::ReadSdi(profiles);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->port, "8081");
  // The schema wants strings: a port sent as a YAML number is refused.
  EXPECT_EQ(k8s_service::ReadSdi({{"data", "service-name: x\nservice-port: 8081\n"}}).status().message(),
            "data key \"service-port\" is not a string");

  Bag info = k8s_service::ProviderInfoBag({"katib-db-manager", "6789"});
  EXPECT_EQ(info, (Bag{{"svc_name", "katib-db-manager"}, {"svc_port", "6789"}}));
  EXPECT_EQ(k8s_service::ReadInfo(info)->name, "katib-db-manager");
  EXPECT_EQ(k8s_service::ReadInfo({{"svc_name", "mlmd"}}).status().code(), absl::StatusCode::kNotFound);
}

TEST(DashboardLinksTest, MlflowsLinkIsTheCatalogsAndTheDashboardOrdersLinks) {
  Bag mlflow = dashboard_links::RequirerAppBag({{"MLflow", "/mlflow/", "external", "device:data-usage"}});
  EXPECT_EQ(mlflow.at("dashboard_links"),
            R"([{"text": "MLflow", "link": "/mlflow/", "location": "external", "icon": "device:data-usage", "type": "item", "desc": ""}])");
  // A link sent with only the required keys gets the library's defaults.
  auto read = dashboard_links::ReadLinks({{"dashboard_links", R"([{"text": "Docs", "link": "https://x", "location": "documentation"}])"}});
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ((*read)[0].icon, "icons:link");
  EXPECT_EQ((*read)[0].type, "item");
  EXPECT_TRUE(dashboard_links::ReadLinks({})->empty());
  EXPECT_EQ(dashboard_links::ReadLinks({{"dashboard_links", "{}"}}).status().code(), absl::StatusCode::kInvalidArgument);

  std::vector<ordered_json> menu = {{{"text", "Pipelines"}}, {{"text", "Custom"}}, {{"text", "Notebooks"}}};
  auto ordered = dashboard_links::Ordered(menu, dashboard_links::DefaultMenuOrder());
  ASSERT_EQ(ordered.size(), 3u);
  EXPECT_EQ(ordered[0]["text"], "Notebooks");
  EXPECT_EQ(ordered[1]["text"], "Pipelines");
  EXPECT_EQ(ordered[2]["text"], "Custom");
}

TEST(GatewayInfoTest, IstioPilotAndKnativeServingSendTheirGateways) {
  Bag istio = gateway_info::ProviderAppBag({"kubeflow-gateway", "kubeflow", true});
  EXPECT_EQ(istio, (Bag{{"gateway_name", "kubeflow-gateway"}, {"gateway_namespace", "kubeflow"}, {"gateway_up", "true"}}));
  Bag knative = gateway_info::ProviderAppBag({gateway_info::kKnativeLocalGateway, "knative-serving", true});
  auto local = gateway_info::Read(knative);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->name, "knative-local-gateway");
  EXPECT_EQ(local->namespace_, "knative-serving");
  EXPECT_FALSE(gateway_info::Read({{"gateway_name", "g"}, {"gateway_namespace", "n"}, {"gateway_up", "false"}})->up);
  EXPECT_EQ(gateway_info::Read({{"gateway_name", "g"}}).status().code(), absl::StatusCode::kNotFound);
}

TEST(LokiPushApiTest, ProviderUnitsSendTheirPushUrlAndRequirersTheirTopology) {
  Bag unit = loki_push_api::ProviderUnitBag("loki-0.loki-endpoints.cos.svc.cluster.local");
  EXPECT_EQ(unit.at("endpoint"), R"({"url": "http://loki-0.loki-endpoints.cos.svc.cluster.local:3100/loki/api/v1/push"})");
  EXPECT_EQ(unit.at("public_address"), "loki-0.loki-endpoints.cos.svc.cluster.local");
  auto urls = loki_push_api::PushUrls({{"loki/0", unit}, {"loki/1", {}}});
  ASSERT_TRUE(urls.ok());
  EXPECT_EQ(*urls, (std::vector<std::string>{"http://loki-0.loki-endpoints.cos.svc.cluster.local:3100/loki/api/v1/push"}));
  EXPECT_FALSE(loki_push_api::PushUrls({{"loki/0", {{"endpoint", "http://x"}}}}).ok());

  ordered_json topology = {{"model", "kubeflow"}, {"model_uuid", "u"}, {"application", "mlflow-server"},
                           {"unit", "mlflow-server/0"}, {"charm_name", "mlflow-server"}};
  ordered_json rules = {{"groups", ordered_json::array({{{"rules", ordered_json::array()}, {"name", "g"}}})}};
  Bag requirer = loki_push_api::RequirerAppBag(topology, rules);
  EXPECT_EQ(requirer.at("metadata"),
            R"({"model": "kubeflow", "model_uuid": "u", "application": "mlflow-server", "unit": "mlflow-server/0", "charm_name": "mlflow-server"})");
  EXPECT_EQ(requirer.at("alert_rules"), R"({"groups": [{"name": "g", "rules": []}]})");
}

TEST(DexOidcTest, OidcGatekeeperRegistersWithDexAndDexSendsItsIssuer) {
  Bag client = oidc_client::ProviderAppBag(oidc_client::OidcGatekeeper("s3cr3t"));
  EXPECT_EQ(client.at("data"),
            "id: authservice-oidc\nname: Ambassador Auth OIDC\nredirectURIs:\n- /authservice/oidc/callback\nsecret: s3cr3t\n");
  EXPECT_EQ(oidc_client::RequirerAppBag(), (Bag{{"_supported_versions", "- v1\n"}}));
  auto read = oidc_client::ReadClient(client);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->redirect_uris, (std::vector<std::string>{"/authservice/oidc/callback"}));
  EXPECT_EQ(oidc_client::ReadClient({{"data", "id: x\nsecret: y\n"}}).status().message(),
            "data misses required key \"redirectURIs\"");

  Bag dex = dex_oidc_config::ProviderAppBag(dex_oidc_config::IssuerUrl("dex-auth", "kubeflow"));
  EXPECT_EQ(dex, (Bag{{"issuer-url", "http://dex-auth.kubeflow.svc:5556/dex"}}));
  EXPECT_EQ(*dex_oidc_config::ReadIssuerUrl(dex), "http://dex-auth.kubeflow.svc:5556/dex");
  EXPECT_EQ(dex_oidc_config::ReadIssuerUrl({}).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace skein::relations::interfaces
