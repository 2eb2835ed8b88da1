// The object set the provisioner renders for an application of a Kubernetes model (issue 16,
// kubernetes-substrate.md §1): Juju's names, labels, annotations and shapes, without a cluster.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/provisioner/application_pods.h"
#include "controller/provisioner/application_render.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skein::controller::provisioner {
namespace {

using kube::Json;
using ::testing::ElementsAre;

ApplicationSpec Spec() {
  ApplicationSpec spec;
  spec.model = "kf";
  spec.model_uuid = "model-uuid";
  spec.controller_uuid = "controller-uuid";
  spec.agent_version = "3.6.11";
  spec.app = "mlflow";
  spec.replicas = 2;
  spec.charm_image = "charm-base";
  // Given out of order: the StatefulSet sorts them by name.
  spec.containers = {{"mlflow-server", "oci-image", {{"data", "/mlruns"}}, 584792, 584792},
                     {"exporter", "exporter-image", {}, std::nullopt, std::nullopt}};
  spec.images = {{"mlflow-server", "docker.io/charmedkubeflow/mlflow:v2.15.1"}, {"exporter", "exporter:1.0"}};
  spec.storage = {{"data", "/var/lib/mlflow", 2048}};
  return spec;
}

const Json* Find(const std::vector<Json>& objects, const std::string& kind, const std::string& name) {
  for (const Json& o : objects) {
    if (o["kind"] == kind && o["metadata"]["name"] == name) return &o;
  }
  return nullptr;
}

std::vector<std::string> Names(const Json& list) {
  std::vector<std::string> names;
  for (const Json& item : list) names.push_back(item["name"].get<std::string>());
  return names;
}

TEST(K8sRenderTest, TheObjectSetHasJujusNamesLabelsAndAnnotations) {
  const std::vector<Json> objects = RenderApplication(Spec());
  std::vector<std::string> kinds;
  for (const Json& o : objects) kinds.push_back(absl::StrCat(o["kind"].get<std::string>(), " ", o["metadata"]["name"].get<std::string>()));
  EXPECT_THAT(kinds, ElementsAre("Secret mlflow-application-config", "ServiceAccount mlflow", "Role mlflow",
                                 "RoleBinding mlflow", "ClusterRole kf-mlflow", "ClusterRoleBinding kf-mlflow",
                                 "Service mlflow", "Service mlflow-endpoints", "StatefulSet mlflow"));
  for (const Json& o : objects) {
    const Json& meta = o["metadata"];
    EXPECT_EQ(meta["labels"]["app.kubernetes.io/name"], "mlflow") << meta["name"];
    EXPECT_EQ(meta["labels"]["app.kubernetes.io/managed-by"], "juju") << meta["name"];
    EXPECT_EQ(meta["annotations"]["juju.is/version"], "3.6.11");
    EXPECT_EQ(meta["annotations"]["controller.juju.is/id"], "controller-uuid");
    EXPECT_EQ(meta["annotations"]["model.juju.is/id"], "model-uuid");
    const bool cluster_scoped = o["kind"] == "ClusterRole" || o["kind"] == "ClusterRoleBinding";
    EXPECT_EQ(meta.contains("namespace"), !cluster_scoped) << meta["name"];
    if (!cluster_scoped) EXPECT_EQ(meta["namespace"], "kf");
  }
  const Json* binding = Find(objects, "ClusterRoleBinding", "kf-mlflow");
  ASSERT_NE(binding, nullptr);
  EXPECT_EQ((*binding)["roleRef"]["name"], "kf-mlflow");
  EXPECT_EQ((*binding)["subjects"][0], (Json{{"kind", "ServiceAccount"}, {"name", "mlflow"}, {"namespace", "kf"}}));
}

TEST(K8sRenderTest, TrustWidensTheRoleAndClusterRoleToEverything) {
  ApplicationSpec spec = Spec();
  const Json everything = Json::array({{{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}}});
  std::vector<Json> objects = RenderApplication(spec);
  EXPECT_NE((*Find(objects, "Role", "mlflow"))["rules"], everything);
  EXPECT_NE((*Find(objects, "ClusterRole", "kf-mlflow"))["rules"], everything);
  spec.trust = true;
  objects = RenderApplication(spec);
  EXPECT_EQ((*Find(objects, "Role", "mlflow"))["rules"], everything);
  EXPECT_EQ((*Find(objects, "ClusterRole", "kf-mlflow"))["rules"], everything);
}

TEST(K8sRenderTest, ServicesHaveThePlaceholderPortUntilPortsAreOpened) {
  ApplicationSpec spec = Spec();
  std::vector<Json> objects = RenderApplication(spec);
  const Json& service = *Find(objects, "Service", "mlflow");
  EXPECT_EQ(service["spec"]["type"], "ClusterIP");
  EXPECT_EQ(service["spec"]["selector"], (Json{{"app.kubernetes.io/name", "mlflow"}}));
  ASSERT_EQ(service["spec"]["ports"].size(), 1u);
  EXPECT_EQ(service["spec"]["ports"][0]["port"], 65535);
  const Json& headless = *Find(objects, "Service", "mlflow-endpoints");
  EXPECT_EQ(headless["spec"]["clusterIP"], "None");
  EXPECT_EQ(headless["spec"]["publishNotReadyAddresses"], true);

  spec.opened_ports = {{"tcp", 5000, 5000}, {"udp", 53, 53}, {"icmp", 0, 0}};
  objects = RenderApplication(spec);
  EXPECT_THAT(Names(Find(objects, "Service", "mlflow")->at("spec")["ports"]), ElementsAre("juju-5000-tcp", "juju-53-udp"));
  // Opened ports are copied onto the workload containers.
  const Json& pod = (*Find(objects, "StatefulSet", "mlflow"))["spec"]["template"]["spec"];
  EXPECT_THAT(Names(pod["containers"][1]["ports"]), ElementsAre("juju-5000-tcp", "juju-53-udp"));
}

TEST(K8sRenderTest, TheStatefulSetRunsTheCharmAndOneContainerPerWorkloadSortedByName) {
  const std::vector<Json> objects = RenderApplication(Spec());
  const Json& sts = *Find(objects, "StatefulSet", "mlflow");
  EXPECT_EQ(sts["spec"]["replicas"], 2);
  EXPECT_EQ(sts["spec"]["podManagementPolicy"], "Parallel");
  EXPECT_EQ(sts["spec"]["serviceName"], "mlflow-endpoints");
  EXPECT_EQ(sts["spec"]["selector"]["matchLabels"], (Json{{"app.kubernetes.io/name", "mlflow"}}));
  const Json& pod = sts["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "mlflow");
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 30);
  EXPECT_THAT(Names(pod["initContainers"]), ElementsAre("charm-init"));
  EXPECT_THAT(Names(pod["containers"]), ElementsAre("charm", "exporter", "mlflow-server"));
  EXPECT_EQ(pod["containers"][1]["image"], "exporter:1.0");
  EXPECT_EQ(pod["containers"][2]["image"], "docker.io/charmedkubeflow/mlflow:v2.15.1");
  // Each workload's Pebble listens on its own port and is reached by the charm through the
  // shared volume.
  EXPECT_EQ(pod["containers"][1]["args"], (Json{"run", "--create-dirs", "--hold", "--http", ":38813", "--verbose"}));
  EXPECT_EQ(pod["containers"][2]["args"][4], ":38814");
  EXPECT_EQ(pod["containers"][2]["env"][0], (Json{{"name", "JUJU_CONTAINER_NAME"}, {"value", "mlflow-server"}}));
  EXPECT_EQ(pod["containers"][2]["securityContext"], (Json{{"runAsUser", 584792}, {"runAsGroup", 584792}}));
  EXPECT_EQ(pod["containers"][0]["resources"]["limits"]["memory"], "1Gi");
  EXPECT_EQ(pod["volumes"][0]["name"], "charm-data");
}

TEST(K8sRenderTest, FilesystemStorageBecomesLabelledVolumeClaimTemplatesMountedWhereTheCharmSays) {
  const std::vector<Json> objects = RenderApplication(Spec());
  const Json& sts = *Find(objects, "StatefulSet", "mlflow");
  ASSERT_EQ(sts["spec"]["volumeClaimTemplates"].size(), 1u);
  const Json& claim = sts["spec"]["volumeClaimTemplates"][0];
  EXPECT_EQ(claim["metadata"]["name"], "mlflow-data");
  EXPECT_EQ(claim["metadata"]["labels"]["storage.juju.is/name"], "data");
  EXPECT_EQ(claim["metadata"]["labels"]["app.kubernetes.io/name"], "mlflow");
  EXPECT_EQ(claim["spec"]["resources"]["requests"]["storage"], "2048Mi");
  const Json& pod = sts["spec"]["template"]["spec"];
  const Json& charm_mounts = pod["containers"][0]["volumeMounts"];
  EXPECT_EQ(charm_mounts.back(), (Json{{"name", "mlflow-data"}, {"mountPath", "/var/lib/mlflow"}}));
  const Json& workload_mounts = pod["containers"][2]["volumeMounts"];
  EXPECT_EQ(workload_mounts.back(), (Json{{"name", "mlflow-data"}, {"mountPath", "/mlruns"}}));
  // Without storage there are no templates at all (an empty list would be a change on apply).
  ApplicationSpec bare = Spec();
  bare.storage.clear();
  EXPECT_FALSE((*Find(RenderApplication(bare), "StatefulSet", "mlflow"))["spec"].contains("volumeClaimTemplates"));
}

TEST(K8sRenderTest, DeletionOrderStartsWithTheStatefulSetAndCoversEveryRenderedObject) {
  const std::vector<kube::ObjectRef> refs = ApplicationObjectRefs("kf", "mlflow");
  ASSERT_FALSE(refs.empty());
  EXPECT_EQ(refs.front().kind, "StatefulSet");
  const std::vector<Json> objects = RenderApplication(Spec());
  EXPECT_EQ(refs.size(), objects.size());
  for (const Json& o : objects) {
    const kube::ObjectRef r = kube::RefOf(o);
    bool found = false;
    for (const kube::ObjectRef& ref : refs) {
      found = found || (ref.kind == r.kind && ref.name == r.name && ref.ns == r.ns && ref.api_version == r.api_version);
    }
    EXPECT_TRUE(found) << r.kind << " " << r.name;
  }
}

TEST(K8sRenderTest, PodsNameTheirUnits) {
  EXPECT_EQ(UnitNumberOfPod("mlflow", "mlflow-0"), 0);
  EXPECT_EQ(UnitNumberOfPod("mlflow", "mlflow-12"), 12);
  EXPECT_EQ(UnitNumberOfPod("mlflow", "mlflow-server-0"), std::nullopt);
  EXPECT_EQ(UnitNumberOfPod("mlflow", "mlflow-"), std::nullopt);
  EXPECT_EQ(UnitNumberOfPod("mlflow", "other-0"), std::nullopt);
}

TEST(K8sRenderTest, PodStatesSayWhyAPodDoesNotRun) {
  const Json labels = {{"app.kubernetes.io/name", "mlflow"}};
  Json pending = {{"metadata", {{"name", "mlflow-1"}, {"labels", labels}}},
                  {"status",
                   {{"phase", "Pending"},
                    {"conditions",
                     {{{"type", "PodScheduled"},
                       {"status", "False"},
                       {"reason", "Unschedulable"},
                       {"message", "0/1 nodes are available: 1 Insufficient memory."}}}}}}};
  auto state = PodStateOf(pending);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->unit, "mlflow/1");
  EXPECT_EQ(state->status, "unschedulable");
  EXPECT_EQ(state->message, "pod not scheduled: 0/1 nodes are available: 1 Insufficient memory.");

  Json running = {{"metadata", {{"name", "mlflow-0"}, {"labels", labels}}},
                  {"status", {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  state = PodStateOf(running);
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->status, "running");
  EXPECT_EQ(state->message, "");

  running["status"]["conditions"][0]["status"] = "False";
  EXPECT_EQ(PodStateOf(running)->message, "pod running (not ready)");
  EXPECT_FALSE(PodStateOf({{"metadata", {{"name", "x-0"}}}}).has_value());
}

}  // namespace
}  // namespace skein::controller::provisioner
