// Built-in charms end to end (issue 6), through the CLI against the real binaries:
// - kubeflow 1.7, 1.8 and 1.9 settle with every unit active/idle, and on 1.9 one relation per
//   interface carries the catalog's contract (kubeflow-catalog §4);
// - MLflow's Secrets and PodDefaults reach every labelled profile namespace through the resource
//   dispatcher (§4.3): profiles created later too, unlabelled namespaces never, gone with the
//   relation, and a duplicate name blocks the dispatcher with the upstream message;
// - kserve-controller's S3 Secret and ServiceAccount reach them the same way;
// - scaling kubeflow-profiles or the dispatcher to zero and back keeps the profile namespaces
//   and the dispatched objects (issue 13: a unit's removal is not its application's).

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class CharmsTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args, std::chrono::seconds(120));
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  json Json(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  json RemoteAppBag(const std::string& unit, const std::string& endpoint, const std::string& remote_app) {
    return e2e::RemoteAppBag(cluster_, unit, endpoint, remote_app);
  }
  // Objects in a namespace, as `skein manifests --namespace ns --format json` lists them.
  json Manifests(const std::string& ns) {
    json list = Json({"manifests", "--namespace", ns, "--format", "json"});
    return list.is_object() ? list.value("items", json::array()) : json::array();
  }
  static const json* Find(const json& items, const std::string& kind, const std::string& name) {
    for (const auto& o : items) {
      if (o.value("kind", "") == kind && o["metadata"].value("name", "") == name) return &o;
    }
    return nullptr;
  }
  // MLflow, the 2.0 dispatcher and kubeflow-profiles with the catalog's §3.2 commands, settled,
  // and the profile alice created.
  void DeployMlflowDispatchingToAlice() {
    Ok({"bootstrap"});
    Ok({"add-model", "kubeflow"});
    Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
    Ok({"deploy", "resource-dispatcher", "--channel", "2.0/stable"});
    Ok({"deploy", "kubeflow-profiles", "--channel", "1.9/stable"});
    Ok({"integrate", "mlflow-server:secrets", "resource-dispatcher:secrets"});
    Ok({"integrate", "mlflow-server:pod-defaults", "resource-dispatcher:pod-defaults"});
    ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(120)));
    Ok({"run", "kubeflow-profiles/0", "create-profile", "username=alice", "profilename=alice"});
  }
  Cluster cluster_;
};

class KubeflowSettlesTest : public CharmsTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(KubeflowSettlesTest, EveryUnitActiveAndIdle) {
  const std::string track = GetParam();
  Ok({"bootstrap"});
  Ok({"add-model", "kubeflow"});
  const auto start = Clock::now();
  Ok({"deploy", "kubeflow", "--channel", track + "/stable"});
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(240)));
  std::cout << "kubeflow " << track << "/stable settled in "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s\n";
  json status = cluster_.Status();
  for (const auto& [name, app] : status["applications"].items()) {
    for (const auto& [unit, u] : app["units"].items()) {
      // Nothing here runs its workload on the local substrate, and each unit says so.
      EXPECT_EQ(WorkloadMessage(status, unit), "workload rendered for Kubernetes") << unit;
    }
  }
  if (track != "1.9") return;

  // One relation per interface against the catalog's contracts (§4). Each bag is read from the
  // other side, as the reading charm sees it.
  json minio = RemoteAppBag("kfp-api/0", "object-storage", "minio");  // object-storage, SDI
  EXPECT_EQ(minio.value("_supported_versions", ""), "- v1\n");
  EXPECT_TRUE(std::regex_match(minio.value("data", ""),
                               std::regex("access-key: minio\nnamespace: kubeflow\nport: 9000\nsecret-key: "
                                          "[a-z0-9]{8,}\nsecure: false\nservice: minio\n")))
      << minio.dump();
  json volumes = RemoteAppBag("istio-pilot/0", "ingress", "kubeflow-volumes");  // ingress, SDI
  EXPECT_EQ(volumes.value("data", ""), "port: 5000\nprefix: /volumes\nrewrite: /\nservice: kubeflow-volumes\n");
  json auth = RemoteAppBag("istio-pilot/0", "ingress-auth", "oidc-gatekeeper");  // ingress-auth
  EXPECT_NE(auth.value("data", "").find("allowed-response-headers:\n- kubeflow-userid\n"), std::string::npos)
      << auth.dump();
  json profiles = RemoteAppBag("kubeflow-dashboard/0", "kubeflow-profiles", "kubeflow-profiles");  // k8s-service
  EXPECT_EQ(profiles.value("data", ""), "service-name: kubeflow-profiles\nservice-port: '8081'\n");
  json istiod = RemoteAppBag("istio-ingressgateway/0", "istio-pilot", "istio-pilot");
  EXPECT_EQ(istiod.value("data", ""), "service-name: istiod.kubeflow.svc\nservice-port: '15012'\n");
  json dbm = RemoteAppBag("katib-controller/0", "k8s-service-info", "katib-db-manager");  // k8s_service_info
  EXPECT_EQ(dbm.value("svc_name", ""), "katib-db-manager");
  EXPECT_EQ(dbm.value("svc_port", ""), "6789");
  json mlmd = RemoteAppBag("envoy/0", "grpc", "mlmd");
  EXPECT_EQ(mlmd.value("svc_name", ""), "mlmd");
  json links = RemoteAppBag("kubeflow-dashboard/0", "links", "jupyter-ui");  // kubeflow_dashboard_links
  EXPECT_EQ(links.value("dashboard_links", ""),
            R"([{"text": "Notebooks", "link": "/jupyter/", "location": "menu", "icon": "book", "type": "item", "desc": ""}])");
  json gateway = RemoteAppBag("tensorboard-controller/0", "gateway-info", "istio-pilot");  // istio-gateway-info
  EXPECT_EQ(gateway.value("gateway_name", ""), "kubeflow-gateway");
  EXPECT_EQ(gateway.value("gateway_namespace", ""), "kubeflow");
  EXPECT_EQ(gateway.value("gateway_up", ""), "true");
  json request = RemoteAppBag("kfp-db/0", "database", "kfp-api");  // mysql_client, requirer side
  EXPECT_EQ(request.value("database", ""), "mlpipeline");
  json credentials = RemoteAppBag("kfp-api/0", "relational-db", "kfp-db");  // mysql_client, provider side
  EXPECT_EQ(credentials.value("endpoints", ""), "kfp-db-primary.kubeflow.svc.cluster.local:3306");
  EXPECT_EQ(credentials.value("database", ""), "mlpipeline");
  EXPECT_EQ(credentials.value("username", "").rfind("relation-", 0), 0u);
  json oidc = RemoteAppBag("dex-auth/0", "oidc-client", "oidc-gatekeeper");  // oidc-client, SDI
  EXPECT_NE(oidc.value("data", "").find("id: authservice-oidc\n"), std::string::npos) << oidc.dump();
  json issuer = RemoteAppBag("oidc-gatekeeper/0", "dex-oidc-config", "dex-auth");  // dex-oidc-config
  EXPECT_EQ(issuer.value("issuer-url", ""), "http://dex-auth.kubeflow.svc:5556/dex");
  json local = RemoteAppBag("kserve-controller/0", "local-gateway", "knative-serving");  // serving-local-gateway
  EXPECT_EQ(local.value("gateway_name", ""), "knative-local-gateway");
  EXPECT_EQ(local.value("gateway_namespace", ""), "knative-serving");

  // What istio-pilot and kubeflow-dashboard render into the model's namespace.
  json objects = Manifests("kubeflow");
  const json* vs = Find(objects, "VirtualService", "kubeflow-volumes");
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ((*vs)["spec"]["http"][0]["match"][0]["uri"]["prefix"], "/volumes");
  EXPECT_NE(Find(objects, "Gateway", "kubeflow-gateway"), nullptr);
  EXPECT_NE(Find(objects, "EnvoyFilter", "istio-pilot-authn-filter"), nullptr);
  const json* cm = Find(objects, "ConfigMap", "centraldashboard-config");
  ASSERT_NE(cm, nullptr);
  json menu = json::parse((*cm)["data"].value("links", "{}"))["menuLinks"];
  ASSERT_FALSE(menu.empty());
  EXPECT_EQ(menu[0].value("text", ""), "Notebooks");  // menu-link-order puts Notebooks first
  Ok({"kill-controller", "--no-prompt"});
}

INSTANTIATE_TEST_SUITE_P(Releases, KubeflowSettlesTest, ::testing::Values("1.7", "1.8", "1.9"),
                         [](const auto& info) { return "kubeflow_" + std::string(1, info.param[2]); });

// A charm that sends one Secret with mlflow's name on `secrets`, to collide in the dispatcher.
std::string WriteCollidingCharm(const std::string& dir) {
  fs::create_directories(dir);
  std::ofstream(dir + "/metadata.yaml") << "name: collider\nrequires:\n  secrets:\n    interface: kubernetes_manifest\n";
  std::ofstream(dir + "/dispatch")
      << "#!/bin/sh\n"
         "case \"$JUJU_HOOK_NAME\" in secrets-relation-created|secrets-relation-joined)\n"
         "  relation-set --app -r \"$JUJU_RELATION_ID\" kubernetes_manifests='[{\"apiVersion\": \"v1\", \"kind\": "
         "\"Secret\", \"metadata\": {\"name\": \"mlflow-server-minio-artifact\"}}]';;\nesac\n"
         "status-set active\n";
  fs::permissions(dir + "/dispatch", fs::perms::owner_all);
  return dir;
}

TEST_F(CharmsTest, MlflowCredentialsReachEveryLabelledProfileNamespace) {
  ASSERT_NO_FATAL_FAILURE(DeployMlflowDispatchingToAlice());

  // The two Secrets and two PodDefaults with the rendered example's content (§4.3), in alice.
  const std::string secret_key = [&] {
    json minio = RemoteAppBag("mlflow-server/0", "object-storage", "mlflow-minio");
    std::smatch m;
    std::string data = minio.value("data", "");
    return std::regex_search(data, m, std::regex("secret-key: (\\S+)")) ? m[1].str() : std::string();
  }();
  ASSERT_FALSE(secret_key.empty());
  ASSERT_TRUE(WaitFor([&] { return Find(Manifests("alice"), "PodDefault", "mlflow-server-minio") != nullptr; }));
  json alice = Manifests("alice");
  const json* artifact = Find(alice, "Secret", "mlflow-server-minio-artifact");
  ASSERT_NE(artifact, nullptr);
  EXPECT_EQ(*artifact, json::parse(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "mlflow-server-minio-artifact", "namespace": "alice"}, "stringData": {"AWS_ACCESS_KEY_ID": "minio", "AWS_SECRET_ACCESS_KEY": ")" + secret_key + R"("}})"));
  const json* rclone = Find(alice, "Secret", "mlflow-server-seldon-rclone-secret");
  ASSERT_NE(rclone, nullptr);
  EXPECT_EQ((*rclone)["stringData"]["RCLONE_CONFIG_S3_ENDPOINT"], "http://mlflow-minio.kubeflow:9000");
  const json* access = Find(alice, "PodDefault", "mlflow-server-access-minio");
  ASSERT_NE(access, nullptr);
  EXPECT_EQ((*access)["spec"]["desc"], "Allow access to Minio");
  EXPECT_EQ((*access)["spec"]["env"][2], json::parse(R"({"name": "MINIO_ENDPOINT_URL", "value": "http://mlflow-minio.kubeflow:9000"})"));
  const json* tracking = Find(alice, "PodDefault", "mlflow-server-minio");
  ASSERT_NE(tracking, nullptr);
  EXPECT_EQ((*tracking)["spec"]["env"][1],
            json::parse(R"({"name": "MLFLOW_TRACKING_URI", "value": "http://mlflow-server.kubeflow.svc.cluster.local:5000"})"));
  EXPECT_EQ((*tracking)["spec"]["selector"]["matchLabels"]["mlflow-server-minio"], "true");
  // Nothing lands in the model's own namespace.
  EXPECT_EQ(Find(Manifests("kubeflow"), "Secret", "mlflow-server-minio-artifact"), nullptr);

  // A profile created afterwards gets them; a namespace without the label never does.
  Ok({"run", "kubeflow-profiles/0", "create-profile", "username=bob", "profilename=bob"});
  EXPECT_NE(Find(Manifests("bob"), "Secret", "mlflow-server-minio-artifact"), nullptr);
  const std::string ns_file = cluster_.scratch_dir() + "/scratch-namespace.yaml";
  std::ofstream(ns_file) << "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scratch\n";
  Ok({"apply", "-f", ns_file});
  EXPECT_TRUE(Manifests("scratch").empty());

  // Removing the relation removes the Secrets from every namespace; PodDefaults stay.
  Ok({"remove-relation", "mlflow-server:secrets", "resource-dispatcher:secrets"});
  ASSERT_TRUE(WaitFor([&] { return Find(Manifests("alice"), "Secret", "mlflow-server-minio-artifact") == nullptr; }));
  EXPECT_EQ(Find(Manifests("bob"), "Secret", "mlflow-server-seldon-rclone-secret"), nullptr);
  EXPECT_NE(Find(Manifests("bob"), "PodDefault", "mlflow-server-minio"), nullptr);

  // A second application sending an object of the same name blocks the dispatcher.
  Ok({"integrate", "mlflow-server:secrets", "resource-dispatcher:secrets"});
  Ok({"deploy", WriteCollidingCharm(cluster_.scratch_dir() + "/collider")});
  Ok({"integrate", "collider:secrets", "resource-dispatcher:secrets"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) {
    return WorkloadMessage(st, "resource-dispatcher/0") == "Failed to process invalid manifest. See debug logs.";
  }));
  EXPECT_EQ(WorkloadStatus(cluster_.Status(), "resource-dispatcher/0"), "blocked");
  Ok({"kill-controller", "--no-prompt"});
}

// `kind/name` of every object in a manifests listing, sorted.
std::vector<std::string> ObjectNames(const json& items) {
  std::vector<std::string> names;
  for (const auto& o : items) names.push_back(o.value("kind", "") + "/" + o["metadata"].value("name", ""));
  std::sort(names.begin(), names.end());
  return names;
}

// Issue 13, acceptance 2b: remove-unit of the last unit is not remove-application. The dying
// unit's teardown (relation-broken, stop, remove) must not delete what its application shares:
// the profile namespaces kubeflow-profiles made, the manifests the dispatcher sent to them.
TEST_F(CharmsTest, ScalingToZeroAndBackKeepsProfileNamespacesAndDispatchedObjects) {
  ASSERT_NO_FATAL_FAILURE(DeployMlflowDispatchingToAlice());
  ASSERT_TRUE(WaitFor([&] { return Find(Manifests("alice"), "Secret", "mlflow-server-minio-artifact") != nullptr; }));
  const std::vector<std::string> alice = ObjectNames(Manifests("alice"));
  auto namespace_alice = [&] {
    json all = Json({"manifests", "--format", "json"});
    return all.is_object() && Find(all.value("items", json::array()), "Namespace", "alice") != nullptr;
  };
  ASSERT_TRUE(namespace_alice());
  ASSERT_TRUE(Find(Manifests("alice"), "PodDefault", "mlflow-server-minio") != nullptr);

  for (const std::string app : {"kubeflow-profiles", "resource-dispatcher"}) {
    SCOPED_TRACE(app);
    Ok({"remove-unit", app + "/0"});
    ASSERT_TRUE(cluster_.WaitForStatus([&](const json& st) { return !HasUnit(st, app + "/0"); },
                                       std::chrono::seconds(60)));
    EXPECT_TRUE(HasApplication(cluster_.Status(), app));
    EXPECT_TRUE(namespace_alice()) << "scaled to zero";
    EXPECT_EQ(ObjectNames(Manifests("alice")), alice) << "scaled to zero";
    Ok({"add-unit", app});
    ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(120)));
    EXPECT_TRUE(namespace_alice()) << "scaled back to one";
    EXPECT_EQ(ObjectNames(Manifests("alice")), alice) << "scaled back to one";
  }
  Ok({"kill-controller", "--no-prompt"});
}

// The catalog's KServe commands (§3.2) on kubeflow 1.9 with MLflow beside it: kserve-controller
// reads mlflow-minio's credentials and every profile namespace gets its `kserve-controller-s3`
// Secret (with the S3 annotations KServe reads) and ServiceAccount.
TEST_F(CharmsTest, KserveCredentialsReachProfileNamespaces) {
  Ok({"bootstrap"});
  Ok({"add-model", "kubeflow"});
  Ok({"deploy", "kubeflow", "--channel", "1.9/stable"});
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  Ok({"deploy", "resource-dispatcher", "--channel", "2.0/stable"});
  Ok({"integrate", "mlflow-minio:object-storage", "kserve-controller:object-storage"});
  Ok({"integrate", "kserve-controller:service-accounts", "resource-dispatcher:service-accounts"});
  Ok({"integrate", "kserve-controller:secrets", "resource-dispatcher:secrets"});
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(240)));
  Ok({"run", "kubeflow-profiles/0", "create-profile", "username=alice", "profilename=alice"});

  ASSERT_TRUE(WaitFor([&] { return Find(Manifests("alice"), "ServiceAccount", "kserve-controller-s3") != nullptr; }));
  json alice = Manifests("alice");
  const json* secret = Find(alice, "Secret", "kserve-controller-s3");
  ASSERT_NE(secret, nullptr);
  const json& annotations = (*secret)["metadata"]["annotations"];
  EXPECT_EQ(annotations.value("serving.kserve.io/s3-endpoint", ""), "mlflow-minio.kubeflow:9000");
  EXPECT_EQ(annotations.value("serving.kserve.io/s3-usehttps", ""), "0");
  EXPECT_EQ(annotations.value("serving.kserve.io/s3-region", ""), "us-east-1");
  EXPECT_EQ((*secret)["stringData"].value("AWS_ACCESS_KEY_ID", ""), "minio");
  EXPECT_EQ((*secret).value("type", ""), "Opaque");
  const json* account = Find(alice, "ServiceAccount", "kserve-controller-s3");
  EXPECT_EQ((*account)["secrets"], json::parse(R"([{"name": "kserve-controller-s3"}])"));
  EXPECT_EQ(Find(Manifests("kubeflow"), "Secret", "kserve-controller-s3"), nullptr);
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
