// Issue 16 end to end on the real test cluster (label `k8s`, tools/k8s/with-cluster): models on a
// Kubernetes cloud, driven through the `skein` CLI with real unit agents, checked against the
// cluster's own objects with kubectl.
//
//  - Acceptance 2: kubeflow 1.9/stable on a Kubernetes model named `kubeflow` gets, for every
//    application, Juju's object set with Juju's names and labels, Running pods and settled units;
//    MLflow's credentials reach the real profile namespaces through the resource dispatcher, a
//    profile created afterwards gets them too, and removing the relation removes them.
//  - Acceptance 4: scale 1 -> 3 -> 1, mysql-k8s 1 -> 0 -> 1 keeping its PVC, refresh of
//    mlflow-server 2.15 -> 2.22 updating the StatefulSet's image, and remove-application leaving
//    nothing labelled for the application.
//
// The kubeflow test needs the fixed namespace `kubeflow`, so it holds the ctest RESOURCE_LOCK
// k8s_kubeflow_namespace and waits until its namespaces are gone before it ends; the other test
// works in a model of a unique name.

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/k8s_cluster.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

class K8sModelsTest : public ::testing::Test {
 public:
  // `kubectl get ARGS -o json`, parsed; null when kubectl fails (e.g. the object is gone).
  static json Get(std::vector<std::string> args) {
    args.insert(args.begin(), "get");
    args.insert(args.end(), {"-o", "json"});
    auto out = testing::Kubectl(args);
    if (!out.ok()) return nullptr;
    return json::parse(*out, nullptr, false);
  }

 protected:
  void SetUp() override {
    kubeconfig_ = testing::TestKubeconfigPath();
    if (kubeconfig_.empty()) GTEST_FAIL() << "no test cluster";
  }
  void Ok(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(120)) {
    CliResult r = cluster_.Skein(args, timeout);
    ASSERT_EQ(r.code, 0) << "skein " << absl::StrJoin(args, " ") << " failed:\n" << r.err << r.out;
  }
  // Bootstraps, registers the test cluster as cloud `test-k8s` and adds `model` on it.
  void ModelOnCluster(const std::string& model) {
    Ok({"bootstrap"});
    Ok({"add-k8s", "test-k8s", "--kubeconfig", kubeconfig_});
    Ok({"add-model", model, "test-k8s"});
  }
  // Names of the items of a kubectl list.
  static std::set<std::string> Names(const json& list) {
    std::set<std::string> names;
    if (!list.is_object()) return names;
    for (const json& item : list.value("items", json::array())) names.insert(item["metadata"].value("name", ""));
    return names;
  }
  static std::set<std::string> RunningPods(const std::string& ns, const std::string& app) {
    std::set<std::string> running;
    json pods = Get({"pods", "-n", ns, "-l", "app.kubernetes.io/name=" + app});
    if (!pods.is_object()) return running;
    for (const json& p : pods.value("items", json::array())) {
      if (p["status"].value("phase", "") == "Running" && !p["metadata"].contains("deletionTimestamp")) {
        running.insert(p["metadata"].value("name", ""));
      }
    }
    return running;
  }
  // Waits (with a deadline) until no namespace of `names` exists on the cluster.
  static bool NamespacesGone(const std::vector<std::string>& names, std::chrono::seconds deadline) {
    return WaitFor(
        [&] {
          for (const std::string& ns : names) {
            if (testing::Kubectl({"get", "namespace", ns}).ok()) return false;
          }
          return true;
        },
        deadline);
  }

  std::string kubeconfig_;
  Cluster cluster_;
};

// The object set of kubernetes-substrate.md §1 for `app` in namespace `ns`, with Juju's labels.
void ExpectJujuObjectSet(const std::string& ns, const std::string& model, const std::string& app) {
  SCOPED_TRACE("application " + app);
  json sts = K8sModelsTest::Get({"statefulset", app, "-n", ns});
  ASSERT_TRUE(sts.is_object()) << "no StatefulSet " << ns << "/" << app;
  EXPECT_EQ(sts["metadata"]["labels"].value("app.kubernetes.io/name", ""), app);
  EXPECT_EQ(sts["metadata"]["labels"].value("app.kubernetes.io/managed-by", ""), "juju");
  EXPECT_EQ(sts["spec"].value("serviceName", ""), app + "-endpoints");
  EXPECT_EQ(sts["spec"].value("podManagementPolicy", ""), "Parallel");
  EXPECT_EQ(sts["spec"]["template"]["spec"].value("serviceAccountName", ""), app);
  EXPECT_EQ(sts["spec"]["template"]["spec"]["containers"][0].value("name", ""), "charm");
  for (const std::vector<std::string>& kind_name : std::vector<std::vector<std::string>>{
           {"serviceaccount", app}, {"role", app}, {"rolebinding", app}, {"service", app},
           {"service", app + "-endpoints"}, {"secret", app + "-application-config"}}) {
    json o = K8sModelsTest::Get({kind_name[0], kind_name[1], "-n", ns});
    ASSERT_TRUE(o.is_object()) << "no " << kind_name[0] << " " << ns << "/" << kind_name[1];
    EXPECT_EQ(o["metadata"]["labels"].value("app.kubernetes.io/name", ""), app) << kind_name[0];
  }
  json headless = K8sModelsTest::Get({"service", app + "-endpoints", "-n", ns});
  EXPECT_EQ(headless["spec"].value("clusterIP", ""), "None");
  for (const std::string kind : {"clusterrole", "clusterrolebinding"}) {
    EXPECT_TRUE(K8sModelsTest::Get({kind, model + "-" + app}).is_object()) << "no " << kind << " " << model << "-" << app;
  }
}

TEST_F(K8sModelsTest, KubeflowOnAKubernetesModelGetsJujusObjectsAndDispatchesMlflowCredentials) {
  ASSERT_NO_FATAL_FAILURE(ModelOnCluster("kubeflow"));
  json ns = Get({"namespace", "kubeflow"});
  ASSERT_TRUE(ns.is_object());
  EXPECT_EQ(ns["metadata"]["labels"].value("model.juju.is/name", ""), "kubeflow");
  EXPECT_FALSE(ns["metadata"]["labels"].value("model.juju.is/id", "").empty());

  Ok({"deploy", "kubeflow", "--channel", "1.9/stable"}, std::chrono::seconds(300));
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  Ok({"deploy", "resource-dispatcher", "--channel", "2.0/stable"});
  Ok({"integrate", "mlflow-server:secrets", "resource-dispatcher:secrets"});
  Ok({"integrate", "mlflow-server:pod-defaults", "resource-dispatcher:pod-defaults"});
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(600)));

  const json status = cluster_.Status();
  ASSERT_TRUE(status.contains("applications"));
  int apps = 0;
  for (const auto& [app, _] : status["applications"].items()) {
    ++apps;
    ExpectJujuObjectSet("kubeflow", "kubeflow", app);
    EXPECT_TRUE(WaitFor([&] { return RunningPods("kubeflow", app).count(app + "-0") == 1; }, std::chrono::seconds(60)))
        << "pod " << app << "-0 is not Running";
  }
  std::cout << apps << " applications, each with Juju's object set and a Running pod\n";
  EXPECT_GT(apps, 20);

  // Profiles of this run's own names: their namespaces are real, labelled for the dispatcher.
  const std::string first = testing::UniqueK8sName("p1");
  const std::string later = testing::UniqueK8sName("p2");
  Ok({"run", "kubeflow-profiles/0", "create-profile", "username=" + first, "profilename=" + first});
  auto has = [](const std::string& ns, const std::string& kind, const std::string& name) {
    return testing::Kubectl({"get", kind, name, "-n", ns}).ok();
  };
  EXPECT_TRUE(WaitFor([&] { return has(first, "secret", "mlflow-server-minio-artifact"); }, std::chrono::seconds(60)));
  EXPECT_TRUE(WaitFor([&] { return has(first, "poddefaults.kubeflow.org", "mlflow-server-minio"); },
                      std::chrono::seconds(60)));
  Ok({"run", "kubeflow-profiles/0", "create-profile", "username=" + later, "profilename=" + later});
  EXPECT_TRUE(WaitFor([&] { return has(later, "secret", "mlflow-server-seldon-rclone-secret"); }, std::chrono::seconds(60)));
  EXPECT_TRUE(WaitFor([&] { return has(later, "poddefaults.kubeflow.org", "mlflow-server-access-minio"); },
                      std::chrono::seconds(60)));
  EXPECT_FALSE(has("kubeflow", "secret", "mlflow-server-minio-artifact")) << "nothing lands in the model's namespace";

  // Removing the relation removes the Secrets from every profile namespace.
  Ok({"remove-relation", "mlflow-server:secrets", "resource-dispatcher:secrets"});
  EXPECT_TRUE(WaitFor([&] {
    return !has(first, "secret", "mlflow-server-minio-artifact") && !has(later, "secret", "mlflow-server-minio-artifact");
  }, std::chrono::seconds(60)));

  // The model's namespace and its RBAC go with destroy-model; the profile namespaces are
  // cluster-scoped objects of the model, which destroy-model does not clean up yet (README).
  Ok({"destroy-model", "kubeflow", "--no-prompt", "--destroy-storage"}, std::chrono::seconds(300));
  for (const std::string& profile : {first, later}) (void)testing::Kubectl({"delete", "namespace", profile, "--wait=false"});
  EXPECT_TRUE(NamespacesGone({"kubeflow", first, later}, std::chrono::seconds(180)));
  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(K8sModelsTest, ScaleRefreshAndRemoveAreSeenOnTheCluster) {
  const std::string model = testing::UniqueK8sName("scale");
  ASSERT_NO_FATAL_FAILURE(ModelOnCluster(model));
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(300)));

  // Scale 1 -> 3 -> 1: pods follow the units, the highest ordinals go.
  Ok({"scale-application", "mlflow-minio", "3"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) {
    return UnitSettled(st, "mlflow-minio/2", "active") && EveryUnitSettled(st);
  }, std::chrono::seconds(120)));
  EXPECT_TRUE(WaitFor([&] {
    return RunningPods(model, "mlflow-minio") == std::set<std::string>{"mlflow-minio-0", "mlflow-minio-1", "mlflow-minio-2"};
  }, std::chrono::seconds(60)));
  EXPECT_EQ(Get({"statefulset", "mlflow-minio", "-n", model})["spec"].value("replicas", -1), 3);
  Ok({"scale-application", "mlflow-minio", "1"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) {
    return !HasUnit(st, "mlflow-minio/1") && !HasUnit(st, "mlflow-minio/2") && EveryUnitSettled(st);
  }, std::chrono::seconds(120)));
  EXPECT_TRUE(WaitFor([&] { return RunningPods(model, "mlflow-minio") == std::set<std::string>{"mlflow-minio-0"}; },
                      std::chrono::seconds(60)));

  // mysql-k8s 1 -> 0 -> 1: the claim of its `database` storage survives with the same uid. The
  // claim is found by its labels (the StatefulSet controller names it after the template).
  const std::vector<std::string> claim_query = {
      "pvc", "-n", model, "-l", "storage.juju.is/name=database,app.kubernetes.io/name=mlflow-mysql"};
  json claims;
  ASSERT_TRUE(WaitFor([&] {
    claims = Get(claim_query);
    return Names(claims).size() == 1;
  }, std::chrono::seconds(60))) << "no single PVC of mlflow-mysql's database storage: " << claims.dump();
  const std::string pvc = *Names(claims).begin();
  const std::string uid = claims["items"][0]["metadata"].value("uid", "");
  Ok({"scale-application", "mlflow-mysql", "0"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) { return !HasUnit(st, "mlflow-mysql/0"); },
                                     std::chrono::seconds(120)));
  EXPECT_TRUE(WaitFor([&] { return RunningPods(model, "mlflow-mysql").empty(); }, std::chrono::seconds(60)));
  EXPECT_EQ(Get({"pvc", pvc, "-n", model})["metadata"].value("uid", ""), uid) << "the claim must survive scale 0";
  Ok({"scale-application", "mlflow-mysql", "1"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) { return UnitSettled(st, "mlflow-mysql/0", "active"); },
                                     std::chrono::seconds(120)));
  EXPECT_TRUE(WaitFor([&] { return RunningPods(model, "mlflow-mysql").count("mlflow-mysql-0") == 1; },
                      std::chrono::seconds(60)));
  EXPECT_EQ(Get({"pvc", pvc, "-n", model})["metadata"].value("uid", ""), uid) << "the same claim is used again";

  // refresh 2.15 -> 2.22: the workload container's image follows the new revision's resource.
  auto image_of = [&](const std::string& container) {
    json sts = Get({"statefulset", "mlflow-server", "-n", model});
    if (!sts.is_object()) return std::string();
    for (const json& c : sts["spec"]["template"]["spec"]["containers"]) {
      if (c.value("name", "") == container) return c.value("image", "");
    }
    return std::string();
  };
  EXPECT_EQ(image_of("mlflow-server"), "docker.io/charmedkubeflow/mlflow:v2.15.1-d756ce7");
  Ok({"refresh", "mlflow-server", "--channel", "2.22/stable"});
  EXPECT_TRUE(WaitFor([&] { return image_of("mlflow-server") == "docker.io/charmedkubeflow/mlflow:2.22.0-2db94f5"; },
                      std::chrono::seconds(60)))
      << "image now " << image_of("mlflow-server");
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(120)));

  // remove-application leaves nothing labelled for the application.
  Ok({"remove-application", "mlflow-minio"});
  EXPECT_TRUE(WaitFor([&] {
    for (const std::string kind : {"statefulsets", "services", "serviceaccounts", "roles", "rolebindings", "secrets"}) {
      if (!Names(Get({kind, "-n", model, "-l", "app.kubernetes.io/name=mlflow-minio"})).empty()) return false;
    }
    return Names(Get({"clusterroles", "-l", "app.kubernetes.io/name=mlflow-minio"})).empty();
  }, std::chrono::seconds(120)));

  Ok({"destroy-model", model, "--no-prompt", "--destroy-storage"}, std::chrono::seconds(300));
  EXPECT_TRUE(NamespacesGone({model}, std::chrono::seconds(180)));
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
