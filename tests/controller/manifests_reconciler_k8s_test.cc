// The manifests reconciler (controller/provisioner/manifests_reconciler.h) against the real test
// cluster (label `k8s`): what an application sends is applied with its field manager, what it
// stops sending is deleted, the user's objects get `skein-user`, and a resource-dispatcher
// decoration reaches every labelled namespace, including one created and labelled afterwards
// outside skein, and leaves them when it is no longer sent. Every wait is on a condition of the
// cluster with a deadline; retries move the simulated clock.

#include "controller/provisioner/manifests_reconciler.h"

#include <thread>

#include "controller/provisioner/manifests_store.h"
#include "controller/watch/hub.h"
#include "gtest/gtest.h"
#include "tests/k8s_cluster.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::substrate::Manifest;
using domain::substrate::SubstrateService;
using Json = nlohmann::ordered_json;


// A cloud store with one Kubernetes model: `test`, living in namespace `ns` of the test cluster.
class OneClusterClouds : public domain::cloud::CloudService {
 public:
  OneClusterClouds(std::shared_ptr<kube::Client> client, std::string ns) : client_(std::move(client)), ns_(std::move(ns)) {}
  absl::StatusOr<std::optional<domain::cloud::ModelCluster>> ClusterForModel(const std::string& model) override {
    if (model != "test") return std::optional<domain::cloud::ModelCluster>();
    domain::cloud::ModelCluster c;
    c.cloud = "test-cluster";
    c.ns = ns_;
    c.client = client_;
    return std::optional<domain::cloud::ModelCluster>(c);
  }

 private:
  std::shared_ptr<kube::Client> client_;
  std::string ns_;
};

Manifest Object(const std::string& api_version, const std::string& kind, const std::string& name, const std::string& ns,
                Json extra = Json::object(), const std::string& label = "") {
  Json o = {{"apiVersion", api_version}, {"kind", kind}, {"metadata", {{"name", name}}}};
  if (!ns.empty()) o["metadata"]["namespace"] = ns;
  for (auto it = extra.begin(); it != extra.end(); ++it) o[it.key()] = it.value();
  return {ns, api_version, kind, name, o.dump(), label};
}

class ManifestsReconcilerK8sTest : public skein::testing::K8sTest {
 protected:
  void SetUp() override {
    skein::testing::K8sTest::SetUp();
    if (HasFatalFailure()) return;
    auto client = kube::Client::Create(cluster());
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::shared_ptr<kube::Client>(std::move(*client));
    // Unique names: the cluster is shared by the whole run.
    prefix_ = skein::testing::UniqueK8sName("mr") + "-";
    model_ns_ = prefix_ + "model";
    // The dispatcher's label of this test alone: other tests label namespaces of their own.
    label_ = prefix_ + "x.skein.test/enabled";
    ASSERT_TRUE(client_->Apply({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", model_ns_}}}}).ok());
    env_.db->SetListener(&hub_);
    env_.Deploy("dispatcher", testing::MakeCharm("name: dispatcher\n"), 0);
    env_.Deploy("istio", testing::MakeCharm("name: istio\n"), 0);
    clouds_ = std::make_unique<OneClusterClouds>(client_, model_ns_);
    reconciler_ = std::make_unique<provisioner::ManifestsReconciler>(*env_.db, substrate_, *clouds_, hub_, env_.clock);
    reconciler_->Start();
  }
  void TearDown() override {
    if (reconciler_) reconciler_->Stop();
    hub_.Shutdown();
    if (client_ == nullptr) return;
    for (const std::string& ns : created_) client_->Delete({"v1", "Namespace", "", ns});
    client_->Delete({"v1", "Namespace", "", model_ns_});
  }

  // Waits (moving the simulated clock so that retries happen) until `done` holds; prints the
  // reconciler's last result when it does not within the deadline.
  bool Eventually(const std::function<bool()>& done, std::chrono::seconds deadline = std::chrono::seconds(60)) {
    const auto end = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < end) {
      if (done()) return true;
      env_.clock.Advance(std::chrono::seconds(1));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // real time for the cluster to answer
    }
    std::cout << "last pass: " << reconciler_->LastResult("test") << "\n";
    return false;
  }
  bool Exists(const std::string& api_version, const std::string& kind, const std::string& ns, const std::string& name) {
    return client_->Get({api_version, kind, ns, name}).ok();
  }
  // The managers of an object's fields (metadata.managedFields), "" when it does not exist.
  std::string Managers(const std::string& api_version, const std::string& kind, const std::string& ns,
                       const std::string& name) {
    auto o = client_->Get({api_version, kind, ns, name});
    if (!o.ok()) return "";
    std::string out;
    for (const auto& f : (*o)["metadata"].value("managedFields", kube::Json::array())) {
      out += (out.empty() ? "" : ",") + f.value("manager", "");
    }
    return out;
  }
  void Send(const std::string& app, const std::string& set, const std::vector<Manifest>& manifests) {
    absl::Status s = substrate_.ApplyManifests("test", app, set, manifests);
    ASSERT_TRUE(s.ok()) << s;
  }
  std::string Ns(const std::string& name) {
    created_.push_back(prefix_ + name);
    return prefix_ + name;
  }

  testing::DomainEnv env_;
  watch::Hub hub_;
  SubstrateService substrate_{env_.db.get()};
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<OneClusterClouds> clouds_;
  std::unique_ptr<provisioner::ManifestsReconciler> reconciler_;
  std::string prefix_;
  std::string model_ns_;
  std::string label_;
  std::vector<std::string> created_;
};

TEST_F(ManifestsReconcilerK8sTest, AppliesWithTheOwnersFieldManagerAndPrunesWhatIsNoLongerSent) {
  Send("istio", "ingress",
       {Object("v1", "ConfigMap", "routes", model_ns_, {{"data", {{"a", "1"}}}}),
        Object("v1", "ConfigMap", "gateway", model_ns_, {{"data", {{"b", "2"}}}})});
  ASSERT_TRUE(Eventually([&] { return Managers("v1", "ConfigMap", model_ns_, "gateway") == "skein-istio"; }));
  EXPECT_EQ(Managers("v1", "ConfigMap", model_ns_, "routes"), "skein-istio");
  // (An object owning no field beyond its name would have no managedFields entry to check.)
  ASSERT_TRUE(
      substrate_.ApplyUserManifests("test", {Object("v1", "ConfigMap", "mine", model_ns_, {{"data", {{"c", "3"}}}})}).ok());
  ASSERT_TRUE(Eventually([&] { return Managers("v1", "ConfigMap", model_ns_, "mine") == "skein-user"; }))
      << "managers: " << Managers("v1", "ConfigMap", model_ns_, "mine");

  // The set without `gateway`: it goes from the cluster, `routes` stays and changes.
  Send("istio", "ingress", {Object("v1", "ConfigMap", "routes", model_ns_, {{"data", {{"a", "3"}}}})});
  ASSERT_TRUE(Eventually([&] { return !Exists("v1", "ConfigMap", model_ns_, "gateway"); }));
  auto routes = client_->Get({"v1", "ConfigMap", model_ns_, "routes"});
  ASSERT_TRUE(routes.ok());
  EXPECT_EQ((*routes)["data"]["a"], "3");
  EXPECT_TRUE(Exists("v1", "ConfigMap", model_ns_, "mine"));
  auto applied = provisioner::ListApplied(*env_.db, "test");
  ASSERT_TRUE(applied.ok());
  EXPECT_EQ(applied->size(), 2u);  // routes and mine
  EXPECT_TRUE(reconciler_->LastResult("test").ok()) << reconciler_->LastResult("test");
}

TEST_F(ManifestsReconcilerK8sTest, DecorationsFollowLabelledNamespacesIncludingOnesLabelledLaterOutsideSkein) {
  const std::string alice = Ns("alice");
  const std::string bob = Ns("bob");
  // alice exists labelled before anything is sent; bob comes later, unlabelled first.
  ASSERT_TRUE(client_
                  ->Apply({{"apiVersion", "v1"},
                           {"kind", "Namespace"},
                           {"metadata", {{"name", alice}, {"labels", {{label_, "true"}}}}}},
                          {"someone-else"})
                  .ok());
  Send("dispatcher", "secrets",
       {Object("v1", "Secret", "minio-artifact", "", {{"stringData", {{"k", "v"}}}}, label_)});
  ASSERT_TRUE(Eventually([&] { return Exists("v1", "Secret", alice, "minio-artifact"); }));
  EXPECT_EQ(Managers("v1", "Secret", alice, "minio-artifact"), "skein-dispatcher");

  ASSERT_TRUE(client_->Apply({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", bob}}}}, {"someone-else"})
                  .ok());
  ASSERT_TRUE(client_
                  ->Apply({{"apiVersion", "v1"},
                           {"kind", "Namespace"},
                           {"metadata", {{"name", bob}, {"labels", {{label_, "true"}}}}}},
                          {"someone-else"})
                  .ok());
  ASSERT_TRUE(Eventually([&] { return Exists("v1", "Secret", bob, "minio-artifact"); }));
  // `skein manifests` shows what was applied: the copies in both cluster namespaces.
  auto listed = substrate_.ListManifests("test");
  ASSERT_TRUE(listed.ok());
  std::set<std::string> where;
  for (const auto& l : *listed) {
    if (l.manifest.kind == "Secret") where.insert(l.manifest.ns);
  }
  EXPECT_EQ(where, (std::set<std::string>{alice, bob}));

  // Unlabelled: bob loses it. The relation gone (nothing sent): alice loses it too.
  ASSERT_TRUE(client_
                  ->Apply({{"apiVersion", "v1"},
                           {"kind", "Namespace"},
                           {"metadata", {{"name", bob}, {"labels", {{label_, "false"}}}}}},
                          {"someone-else"})
                  .ok());
  ASSERT_TRUE(Eventually([&] { return !Exists("v1", "Secret", bob, "minio-artifact"); }));
  EXPECT_TRUE(Exists("v1", "Secret", alice, "minio-artifact"));
  Send("dispatcher", "secrets", {});
  ASSERT_TRUE(Eventually([&] { return !Exists("v1", "Secret", alice, "minio-artifact"); }));
}

TEST_F(ManifestsReconcilerK8sTest, ACrdAndItsObjectsSentTogetherAreApplied) {
  const std::string group = prefix_ + "example.skein.test";
  Json crd = {{"apiVersion", "apiextensions.k8s.io/v1"},
              {"kind", "CustomResourceDefinition"},
              {"metadata", {{"name", "widgets." + group}}},
              {"spec",
               {{"group", group},
                {"names", {{"kind", "Widget"}, {"plural", "widgets"}, {"singular", "widget"}, {"listKind", "WidgetList"}}},
                {"scope", "Namespaced"},
                {"versions",
                 Json::array({Json{{"name", "v1"},
                                   {"served", true},
                                   {"storage", true},
                                   {"schema",
                                    {{"openAPIV3Schema",
                                      {{"type", "object"},
                                       {"properties",
                                        {{"spec", {{"type", "object"}, {"properties", {{"size", {{"type", "integer"}}}}}}}}}}}}}}})}}}};
  Send("istio", "crds",
       {{"", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets." + group, crd.dump(), ""},
        Object(group + "/v1", "Widget", "w", model_ns_, {{"spec", {{"size", 3}}}})});
  ASSERT_TRUE(Eventually([&] { return Exists(group + "/v1", "Widget", model_ns_, "w"); }));
  EXPECT_TRUE(reconciler_->LastResult("test").ok()) << reconciler_->LastResult("test");
  // A CRD no longer sent stays on the cluster (deleting it would delete every Widget anywhere).
  Send("istio", "crds", {});
  ASSERT_TRUE(Eventually([&] { return !Exists(group + "/v1", "Widget", model_ns_, "w"); }));
  EXPECT_TRUE(Exists("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets." + group));
  client_->Delete({"apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets." + group});
}

}  // namespace
}  // namespace skein::controller
