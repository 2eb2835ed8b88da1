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

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

// The test cluster's kubeconfig and kubectl, as tools/k8s/with-cluster exports them.
struct TestCluster {
  std::string kubeconfig;
  std::string kubectl;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// Empty kubeconfig when there is no cluster (the caller fails with the reason).
TestCluster FindTestCluster(std::string& why) {
  TestCluster c;
  c.kubeconfig = Env("SKEIN_TEST_KUBECONFIG");
  if (c.kubeconfig.empty()) c.kubeconfig = Env("KUBECONFIG");
  std::string bin = Env("SKEIN_K8S_BIN");
  if (bin.empty() && !Env("HOME").empty()) bin = Env("HOME") + "/.cache/skein/k8s/bin";
  c.kubectl = bin + "/kubectl";
  if (c.kubeconfig.empty()) {
    why = "no test cluster: SKEIN_TEST_KUBECONFIG (or KUBECONFIG) is unset; run the k8s tests through "
          "tools/k8s/with-cluster (ctest -L k8s under tools/test)";
  } else if (::access(c.kubectl.c_str(), X_OK) != 0) {
    why = "no kubectl at " + c.kubectl + ": build the test cluster's binaries with tools/k8s/build";
    c.kubeconfig.clear();
  }
  return c;
}

struct Kubectl {
  TestCluster cluster;
  std::string dir;  // scratch for object files

  process::RunResult Run(std::vector<std::string> args, const std::string& input_json = "") const {
    args.insert(args.begin(), {cluster.kubectl, "--kubeconfig", cluster.kubeconfig});
    process::SpawnOptions spawn;
    spawn.argv = args;
    if (!input_json.empty()) {
      static int n = 0;
      spawn.stdin_path = dir + "/object-" + std::to_string(++n) + ".json";
      std::ofstream(spawn.stdin_path) << input_json;
    }
    auto r = process::Run(spawn, std::chrono::milliseconds(120000));
    if (!r.ok()) {
      process::RunResult failed;
      failed.exit_code = -1;
      failed.stderr_text = r.status().ToString();
      return failed;
    }
    return *r;
  }
};

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
  std::string why;
  Kubectl kubectl{FindTestCluster(why), cluster_.scratch_dir()};
  ASSERT_FALSE(kubectl.cluster.kubeconfig.empty()) << why;

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
  const std::string prefix = "acc" + std::to_string(::getpid()) + "-";
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
    auto r = kubectl.Run({"apply", "--server-side", "--field-manager=skein-acceptance", "-f", "-"}, o.dump());
    ASSERT_EQ(r.exit_code, 0) << Describe(o) << " refused:\n" << r.stderr_text << r.stdout_text;
    crds.push_back(o["metadata"].value("name", ""));
  }
  for (const std::string& crd : crds) {
    auto r = kubectl.Run({"wait", "--for=condition=Established", "--timeout=60s", "crd/" + crd});
    ASSERT_EQ(r.exit_code, 0) << "CRD " << crd << " not Established:\n" << r.stderr_text;
  }
  // 2. The namespaces the objects go into, for real.
  for (const std::string& ns : namespaces) {
    auto r = kubectl.Run({"create", "namespace", ns});
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }
  // 3. Everything else: a server-side dry-run apply each, with strict field validation.
  int accepted = 0;
  for (const json& o : objects) {
    if (o.value("kind", "") == "CustomResourceDefinition") continue;
    auto r = kubectl.Run({"apply", "--server-side", "--dry-run=server", "--validate=strict",
                          "--field-manager=skein-acceptance", "-f", "-"},
                         o.dump());
    EXPECT_EQ(r.exit_code, 0) << Describe(o) << " refused by the API server:\n"
                              << r.stderr_text << r.stdout_text << "\nobject: " << o.dump(1);
    if (r.exit_code == 0) ++accepted;
  }
  std::cout << crds.size() << " CRDs established, " << accepted << " objects accepted by dry-run\n";
  for (const std::string& ns : namespaces) kubectl.Run({"delete", "namespace", ns, "--wait=false"});
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
