// Acceptance 1 of issue 16: every object `skein manifests` renders for kubeflow 1.9/stable,
// mlflow 2.15/stable and cos-lite (deployed on the local substrate, decorations expanded into
// a profile namespace) is accepted by a real kube-apiserver: the CRDs the built-in charms send
// are applied and Established first, then every other object passes a server-side dry-run
// apply with strict field validation (an unknown field is refused, not silently dropped).
//
// The objects go into namespaces prefixed with this run's own name, so that nothing of a fixed
// name (kubeflow, alice) is created on the shared test cluster; cluster-scoped objects are only
// ever dry-run, except the CRDs, which are the same for every run. Label `k8s`: it needs the
// test cluster (tools/k8s/with-cluster); without one it fails saying why.


#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/k8s_cluster.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

// `kubectl ARGS -f <object as a file>` against the test cluster: its output, or the error with
// the server's message.
absl::StatusOr<std::string> KubectlWith(const std::string& dir, const json& object, std::vector<std::string> args) {
  static int n = 0;
  const std::string path = dir + "/object-" + std::to_string(++n) + ".json";
  std::ofstream(path) << object.dump();
  args.insert(args.end(), {"-f", path});
  return testing::Kubectl(args);
}

class K8sManifestsAcceptedTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args, std::chrono::seconds timeout = std::chrono::seconds(120)) {
    CliResult r = cluster_.Skein(args, timeout);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  json Items(const std::string& model) {
    CliResult r = cluster_.Skein({"manifests", "-m", model, "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    json list = json::parse(r.out, nullptr, false);
    return list.is_object() ? list.value("items", json::array()) : json::array();
  }
  Cluster cluster_;
};

std::string Describe(const json& o) {
  const std::string ns = o["metadata"].value("namespace", "");
  return o.value("kind", "") + " \"" + (ns.empty() ? "" : ns + "/") + o["metadata"].value("name", "") + "\"";
}

TEST_F(K8sManifestsAcceptedTest, EveryRenderedObjectIsAcceptedAfterItsCrdsAreEstablished) {
  ASSERT_FALSE(testing::TestKubeconfigPath().empty());
  const std::string dir = cluster_.scratch_dir();

  // The three bundles, with what makes the charms render all they can: a profile, MLflow's and
  // KServe's objects dispatched into it, istio-pilot's routes and auth filter.
  Ok({"bootstrap"});
  Ok({"add-model", "kubeflow"});
  Ok({"deploy", "kubeflow", "--channel", "1.9/stable"});
  Ok({"deploy", "mlflow", "--channel", "2.15/stable"});
  Ok({"deploy", "resource-dispatcher", "--channel", "2.0/stable"});
  Ok({"integrate", "mlflow-server:secrets", "resource-dispatcher:secrets"});
  Ok({"integrate", "mlflow-server:pod-defaults", "resource-dispatcher:pod-defaults"});
  Ok({"integrate", "mlflow-minio:object-storage", "kserve-controller:object-storage"});
  Ok({"integrate", "kserve-controller:service-accounts", "resource-dispatcher:service-accounts"});
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(300)));
  Ok({"run", "kubeflow-profiles/0", "create-profile", "username=alice@example.com", "profilename=alice"});
  Ok({"add-model", "cos"});
  Ok({"deploy", "cos-lite", "--channel", "latest/stable"});
  ASSERT_TRUE(cluster_.WaitForStatus(EveryUnitSettled, std::chrono::seconds(300)));

  std::vector<json> objects;
  for (const std::string model : {"kubeflow", "cos"}) {
    for (const json& o : Items(model)) objects.push_back(o);
  }
  std::map<std::string, int> kinds;
  for (const json& o : objects) ++kinds[o.value("kind", "")];
  std::cout << "skein manifests renders " << objects.size() << " objects:";
  for (const auto& [kind, n] : kinds) std::cout << " " << kind << "=" << n;
  std::cout << "\n";
  // What the deploy must have rendered, or the test would check little.
  for (const char* kind : {"CustomResourceDefinition", "PodDefault", "Profile", "VirtualService", "Gateway",
                           "EnvoyFilter", "Secret", "ServiceAccount", "ConfigMap", "Namespace"}) {
    EXPECT_GT(kinds[kind], 0) << "nothing of kind " << kind << " was rendered";
  }

  // This run's namespaces: every namespace an object names or is, prefixed.
  const std::string prefix = testing::UniqueK8sName("acc") + "-";
  auto mapped = [&](const std::string& ns) { return ns.empty() ? ns : prefix + ns; };
  std::set<std::string> namespaces;
  for (json& o : objects) {
    std::string ns = o["metadata"].value("namespace", "");
    if (!ns.empty()) {
      namespaces.insert(mapped(ns));
      o["metadata"]["namespace"] = mapped(ns);
    }
    if (o.value("kind", "") == "Namespace") {
      o["metadata"]["name"] = mapped(o["metadata"].value("name", ""));
    }
  }

  // 1. The CRDs, for real, each Established within a deadline.
  std::vector<std::string> crds;
  for (const json& o : objects) {
    if (o.value("kind", "") != "CustomResourceDefinition") continue;
    auto r = KubectlWith(dir, o, {"apply", "--server-side", "--field-manager=skein-acceptance"});
    ASSERT_TRUE(r.ok()) << Describe(o) << " refused: " << r.status().message();
    crds.push_back(o["metadata"].value("name", ""));
  }
  for (const std::string& crd : crds) {
    auto r = testing::Kubectl({"wait", "--for=condition=Established", "--timeout=60s", "crd/" + crd});
    ASSERT_TRUE(r.ok()) << "CRD " << crd << " not Established within 60 s: " << r.status().message();
  }
  // 2. The namespaces the objects go into, for real.
  for (const std::string& ns : namespaces) {
    auto r = testing::Kubectl({"create", "namespace", ns});
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // 3. Everything else: a server-side dry-run apply each, with strict field validation.
  int accepted = 0;
  for (const json& o : objects) {
    if (o.value("kind", "") == "CustomResourceDefinition") continue;
    auto r = KubectlWith(dir, o,
                         {"apply", "--server-side", "--dry-run=server", "--validate=strict",
                          "--field-manager=skein-acceptance"});
    EXPECT_TRUE(r.ok()) << Describe(o) << " refused by the API server: " << r.status().message()
                        << "\nobject: " << o.dump(1);
    if (r.ok()) ++accepted;
  }
  std::cout << crds.size() << " CRDs established, " << accepted << " objects accepted by dry-run\n";
  for (const std::string& ns : namespaces) (void)testing::Kubectl({"delete", "namespace", ns, "--wait=false"});
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
