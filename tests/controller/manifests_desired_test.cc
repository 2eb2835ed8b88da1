// What the objects charms send become on a Kubernetes model's cluster
// (controller/provisioner/manifests_desired.h): field managers per owner, namespaced objects
// without a namespace put in the model's, decorations copied into every namespace labelled for
// them (the cluster's and the ones skein creates in the same pass), CRDs first.

#include "controller/provisioner/manifests_desired.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::controller::provisioner {
namespace {

using domain::substrate::ListedManifest;
using ::testing::ElementsAre;
using Json = nlohmann::ordered_json;

ListedManifest Stored(const std::string& owner, const std::string& api_version, const std::string& kind,
                      const std::string& name, const std::string& ns = "", const std::string& label = "",
                      Json labels = nullptr) {
  Json o = {{"apiVersion", api_version}, {"kind", kind}, {"metadata", {{"name", name}}}};
  if (!ns.empty()) o["metadata"]["namespace"] = ns;
  if (!labels.is_null()) o["metadata"]["labels"] = labels;
  return {{ns, api_version, kind, name, o.dump(), label}, owner, "set"};
}

std::vector<std::string> Ids(const std::vector<DesiredObject>& objects) {
  std::vector<std::string> out;
  for (const auto& d : objects) {
    out.push_back(d.key.ns + "/" + d.key.kind + "/" + d.key.name + "@" + d.field_manager);
    EXPECT_EQ(d.object["metadata"].value("namespace", ""), d.key.ns);
  }
  return out;
}

bool ClusterScoped(const std::string& api_version, const std::string& kind) {
  return kind == "Namespace" || kind == "CustomResourceDefinition" || kind == "Profile";
}

TEST(ManifestsDesiredTest, OwnersBecomeFieldManagersAndCrdsComeFirst) {
  const std::vector<ListedManifest> stored = {
      Stored("istio-pilot", "networking.istio.io/v1alpha3", "VirtualService", "vs", "kubeflow"),
      Stored("istio-pilot", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "virtualservices.networking.istio.io"),
      Stored("", "v1", "ConfigMap", "mine"),
      Stored("kubeflow-profiles", "kubeflow.org/v1", "Profile", "alice"),
      Stored("kubeflow-profiles", "v1", "Namespace", "alice"),
  };
  EXPECT_THAT(Ids(DesiredObjects(stored, {}, "kubeflow", ClusterScoped)),
              ElementsAre("/CustomResourceDefinition/virtualservices.networking.istio.io@skein-istio-pilot",
                          "/Namespace/alice@skein-kubeflow-profiles", "/Profile/alice@skein-kubeflow-profiles",
                          "kubeflow/ConfigMap/mine@skein-user", "kubeflow/VirtualService/vs@skein-istio-pilot"));
}

TEST(ManifestsDesiredTest, DecorationsGoToEveryLabelledNamespaceOfTheClusterAndOfThePass) {
  const std::string label = "user.kubeflow.org/enabled";
  const std::vector<ListedManifest> stored = {
      Stored("resource-dispatcher", "v1", "Secret", "s3", "", label),
      Stored("kubeflow-profiles", "v1", "Namespace", "alice", "", "", Json{{label, "true"}}),
  };
  const NamespaceLabels cluster = {
      {"bob", {{label, "true"}}}, {"carol", {{label, "false"}}}, {"kube-system", {}}, {"dave", {{label, "true"}}}};
  EXPECT_THAT(Ids(DesiredObjects(stored, cluster, "kubeflow", ClusterScoped)),
              ElementsAre("/Namespace/alice@skein-kubeflow-profiles", "alice/Secret/s3@skein-resource-dispatcher",
                          "bob/Secret/s3@skein-resource-dispatcher", "dave/Secret/s3@skein-resource-dispatcher"));
  EXPECT_EQ(TargetLabels(stored), std::set<std::string>{label});
  // skein's own Namespace object is what the cluster will hold: its labels win.
  const NamespaceLabels unlabelled = {{"alice", {}}};
  EXPECT_THAT(Ids(DesiredObjects(stored, unlabelled, "kubeflow", ClusterScoped)),
              ElementsAre("/Namespace/alice@skein-kubeflow-profiles", "alice/Secret/s3@skein-resource-dispatcher"));
}

}  // namespace
}  // namespace skein::controller::provisioner
