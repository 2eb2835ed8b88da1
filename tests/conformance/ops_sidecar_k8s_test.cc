// Issue 16 (label k8s): the sidecar ops charm on a model of a Kubernetes cloud reaches the
// cluster as a pod's processes do, with lightkube's in-cluster configuration: the token of its
// application's ServiceAccount under /var/run/secrets/kubernetes.io/serviceaccount (in the unit's
// own mount namespace) and KUBERNETES_SERVICE_HOST/PORT. Without `trust` its roles do not let it
// create a ConfigMap (403); after `skein trust` they do. Runs against the test cluster of the k8s
// stage (tests/k8s_cluster.h); without one it fails saying why.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/conformance/conformance_fixture.h"
#include "tests/k8s_cluster.h"

namespace skein::conformance {
namespace {

// Where tools/test installs lightkube from PyPI (SKEIN_LIGHTKUBE_DIR overrides).
std::string LightkubeDir(const std::string& bin_dir) {
  if (const char* v = getenv("SKEIN_LIGHTKUBE_DIR"); v != nullptr && *v != '\0') return v;
  if (const char* root = getenv("SKEIN_OPS_ROOT"); root != nullptr && *root != '\0') return std::string(root) + "/lightkube";
  return fs::path(bin_dir).parent_path().string() + "/lightkube";
}

TEST(OpsSidecarK8sTest, LightkubeIsRefusedAConfigMapBeforeTrustAndAllowedAfter) {
  const std::string kubeconfig = skein::testing::TestKubeconfigPath();
  ASSERT_FALSE(kubeconfig.empty()) << "no test cluster: the k8s stage of tools/test starts one (tools/k8s)";
  Cluster cluster;
  const std::string ops_dir = OpsDir("ops3", cluster.BinDir());
  const std::string lightkube_dir = LightkubeDir(cluster.BinDir());
  ASSERT_TRUE(fs::exists(ops_dir + "/ops/__init__.py")) << "ops 3.x is not installed in " << ops_dir;
  ASSERT_TRUE(fs::exists(lightkube_dir + "/lightkube/__init__.py"))
      << "lightkube is not installed in " << lightkube_dir << " (tools/test: pip install --target build/lightkube lightkube)";
  auto ok = [&](const std::vector<std::string>& args) {
    CliResult r = cluster.Skein(args);
    EXPECT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
    return r.code == 0;
  };
  const std::string model = skein::testing::UniqueK8sName("side");
  ASSERT_TRUE(ok({"bootstrap"}));
  ASSERT_TRUE(ok({"add-k8s", "k8s", "--kubeconfig", kubeconfig}));
  ASSERT_TRUE(ok({"add-model", model, "k8s"}));
  ASSERT_TRUE(ok({"deploy", e2e::TestCharm("sidecar-ops"), "sidecar", "--config",
                  "python-path=" + ops_dir + ":" + lightkube_dir}));
  json status;
  ASSERT_TRUE(cluster.WaitForStatus(
      [&](const json& s) {
        status = s;
        return e2e::UnitSettled(s, "sidecar/0", "active");
      },
      kSettleDeadline))
      << status.dump(2);

  // The application's own roles: no ConfigMaps.
  // event.fail() is a failed task with its message and, as under Juju, exit 0 (jubilant reads
  // the status from the JSON).
  CliResult refused = cluster.Skein({"run", "sidecar/0", "create-configmap", "name=before-trust", "--format", "json"});
  EXPECT_EQ(refused.code, 0) << refused.out << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.out, "\"failed\"")) << refused.out << refused.err;
  EXPECT_TRUE(absl::StrContains(refused.out, "code=403")) << refused.out << refused.err;

  // Trusted: the roles allow everything in the namespace (the provisioner replaces them).
  ASSERT_TRUE(ok({"trust", "sidecar"}));
  CliResult allowed;
  ASSERT_TRUE(e2e::WaitFor([&] {
    allowed = cluster.Skein({"run", "sidecar/0", "create-configmap", "name=after-trust"});
    return allowed.code == 0;
  })) << allowed.out << allowed.err;
  EXPECT_TRUE(absl::StrContains(allowed.out, "after-trust")) << allowed.out;
  EXPECT_TRUE(absl::StrContains(allowed.out, model)) << allowed.out;  // the namespace lightkube found
}

}  // namespace
}  // namespace skein::conformance
