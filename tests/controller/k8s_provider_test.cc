// The Kubernetes provider against the real test cluster (issue 16, label k8s): add-k8s, a model
// as its labelled namespace, Juju's object set for a deployed application, scale, removal and
// destroy-model. The controller runs in-process; the test plays the unit agents where a unit
// must finish dying (MarkUnitDead), and checks the cluster with kubectl as a user would.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/unit/unit_service.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kube/kubeconfig.h"
#include "nlohmann/json.hpp"
#include "skein/v1/clouds.grpc.pb.h"
#include "skein/v1/models.grpc.pb.h"
#include "tests/controller/api_fixture.h"
#include "tests/k8s_cluster.h"

namespace skein::controller::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCharm[] =
    "name: tiny\n"
    "containers:\n  web:\n    resource: web-image\n"
    "resources:\n  web-image:\n    type: oci-image\n    upstream-source: registry.example/web:1.0\n";

// Kinds an application's objects may have in its namespace, for "nothing labelled is left".
constexpr char kNamespacedKinds[] =
    "statefulsets,services,serviceaccounts,roles,rolebindings,secrets,pods,configmaps";

class K8sProviderTest : public ApiTest {
 protected:
  void SetUp() override {
    const std::string path = skein::testing::TestKubeconfigPath();
    if (path.empty()) GTEST_FAIL() << "no test cluster";
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    auto channel = rpc::MakeChannel(server_->address(), skein::testing::TestCaPem());
    clouds_ = v1::Clouds::NewStub(channel);
    models_ = v1::ModelManager::NewStub(channel);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    // As `skein add-k8s` sends it: one context, the files it names inline.
    auto config = kube::ParseKubeconfig(text.str(), "", std::filesystem::path(path).parent_path().string());
    ASSERT_TRUE(config.ok()) << config.status();
    v1::AddK8sRequest req;
    req.set_name("k8s");
    req.set_kubeconfig(kube::RenderKubeconfig(*config, "k8s"));
    v1::AddK8sResponse resp;
    grpc::Status s = Call(clouds_.get(), &v1::Clouds::Stub::AddK8s, Admin(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    model_ = skein::testing::UniqueK8sName("m");
  }
  void TearDown() override {
    if (!model_.empty()) (void)skein::testing::Kubectl({"delete", "namespace", model_, "--wait=false", "--ignore-not-found"});
    ApiTest::TearDown();
  }

  grpc::Status CreateModel(std::string* uuid = nullptr) {
    v1::CreateModelRequest req;
    req.set_name(model_);
    req.set_cloud("k8s");
    v1::CreateModelResponse resp;
    grpc::Status s = Call(models_.get(), &v1::ModelManager::Stub::CreateModel, Admin(), req, &resp);
    if (uuid != nullptr) *uuid = resp.uuid();
    return s;
  }
  grpc::Status Scale(const std::string& app, int n) {
    v1::ScaleApplicationRequest req;
    req.set_model(model_);
    req.set_application(app);
    req.set_scale(n);
    v1::ScaleApplicationResponse resp;
    return Call(clouds_.get(), &v1::Clouds::Stub::ScaleApplication, Admin(), req, &resp);
  }
  // What a unit's agent does once its dying hooks ran.
  void UnitDone(const std::string& unit) {
    int64_t id = 0;
    ASSERT_TRUE(server_->db()
                    ->Read([&](domain::Tx& tx) -> absl::Status {
                      auto m = domain::FindModel(tx, model_);
                      if (!m.ok()) return m.status();
                      auto u = domain::FindUnit(tx, m->id, unit);
                      if (!u.ok()) return u.status();
                      id = u->id;
                      return absl::OkStatus();
                    })
                    .ok());
    domain::unit::UnitService units(server_->db());
    absl::Status s = units.MarkUnitDead(id);
    ASSERT_TRUE(s.ok()) << unit << ": " << s;
  }
  // kubectl, failing the test on error.
  std::string K(const std::vector<std::string>& args) {
    auto out = skein::testing::Kubectl(args);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : "";
  }
  nlohmann::json Get(const std::string& kind, const std::string& name, const std::string& ns = "") {
    std::vector<std::string> args = {"get", kind, name, "-o", "json"};
    if (!ns.empty()) args.insert(args.end(), {"-n", ns});
    std::string out = K(args);
    return out.empty() ? nlohmann::json::object() : nlohmann::json::parse(out);
  }
  // Waits (kubectl wait, 90 s) for the StatefulSet to have `n` ready pods.
  // `kubectl wait` fails at once on an object that does not exist yet, and the provisioner
  // applies the StatefulSet a moment after the deploy: wait for it to exist first.
  void WaitReady(const std::string& app, int n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!skein::testing::Kubectl({"get", "-n", model_, "statefulset/" + app}).ok() &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    K({"wait", "-n", model_, absl::StrCat("--for=jsonpath={.status.readyReplicas}=", n), "statefulset/" + app,
       "--timeout=90s"});
  }
  std::vector<std::string> Pods(const std::string& app) {
    std::string out = K({"get", "pods", "-n", model_, "-l", "app.kubernetes.io/name=" + app, "-o",
                         "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}"});
    std::vector<std::string> names = absl::StrSplit(out, '\n', absl::SkipEmpty());
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<v1::Clouds::Stub> clouds_;
  std::unique_ptr<v1::ModelManager::Stub> models_;
  std::string model_;
};

TEST_F(K8sProviderTest, AddModelCreatesTheLabelledNamespaceAndDestroyModelRemovesIt) {
  std::string uuid;
  grpc::Status s = CreateModel(&uuid);
  ASSERT_TRUE(s.ok()) << s.error_message();
  nlohmann::json ns = Get("namespace", model_);
  EXPECT_EQ(ns["metadata"]["labels"]["model.juju.is/name"], model_);
  EXPECT_EQ(ns["metadata"]["labels"]["model.juju.is/id"], uuid);

  v1::ListCloudsResponse clouds;
  s = Call(clouds_.get(), &v1::Clouds::Stub::ListClouds, Admin(), v1::ListCloudsRequest(), &clouds);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(clouds.clouds_size(), 2);
  EXPECT_EQ(clouds.clouds(1).name(), "k8s");
  EXPECT_EQ(clouds.clouds(1).type(), "kubernetes");

  v1::DestroyModelRequest destroy;
  destroy.set_model(model_);
  v1::DestroyModelResponse destroyed;
  s = Call(models_.get(), &v1::ModelManager::Stub::DestroyModel, Admin(), destroy, &destroyed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  K({"wait", "--for=delete", "namespace/" + model_, "--timeout=120s"});
  EXPECT_FALSE(skein::testing::Kubectl({"get", "namespace", model_}).ok());
}

TEST_F(K8sProviderTest, DeployCreatesJujusObjectsScaleFollowsAndRemovalLeavesNothingLabelled) {
  grpc::Status s = CreateModel();
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = Deploy("tiny", MakeCharm(kCharm), 1, model_);
  ASSERT_TRUE(s.ok()) << s.error_message();
  WaitReady("tiny", 1);

  nlohmann::json sts = Get("statefulset", "tiny", model_);
  EXPECT_EQ(sts["metadata"]["labels"]["app.kubernetes.io/managed-by"], "juju");
  EXPECT_EQ(sts["spec"]["serviceName"], "tiny-endpoints");
  EXPECT_EQ(sts["spec"]["podManagementPolicy"], "Parallel");
  const nlohmann::json& containers = sts["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[1]["name"], "web");
  EXPECT_EQ(containers[1]["image"], "registry.example/web:1.0");
  for (const auto& [kind, name] : std::vector<std::pair<std::string, std::string>>{
           {"secret", "tiny-application-config"}, {"serviceaccount", "tiny"}, {"role", "tiny"},
           {"rolebinding", "tiny"}, {"service", "tiny"}, {"service", "tiny-endpoints"}}) {
    EXPECT_EQ(Get(kind, name, model_)["metadata"]["labels"]["app.kubernetes.io/name"], "tiny") << kind << " " << name;
  }
  EXPECT_EQ(Get("clusterrole", model_ + "-tiny")["metadata"]["labels"]["app.kubernetes.io/name"], "tiny");
  EXPECT_EQ(Get("clusterrolebinding", model_ + "-tiny")["roleRef"]["name"], model_ + "-tiny");
  EXPECT_EQ(Get("service", "tiny", model_)["spec"]["ports"][0]["port"], 65535);
  EXPECT_THAT(Pods("tiny"), ElementsAre("tiny-0"));

  s = Scale("tiny", 3);
  ASSERT_TRUE(s.ok()) << s.error_message();
  WaitReady("tiny", 3);
  EXPECT_THAT(Pods("tiny"), ElementsAre("tiny-0", "tiny-1", "tiny-2"));

  s = Scale("tiny", 1);
  ASSERT_TRUE(s.ok()) << s.error_message();
  UnitDone("tiny/2");
  UnitDone("tiny/1");
  K({"wait", "-n", model_, "--for=jsonpath={.spec.replicas}=1", "statefulset/tiny", "--timeout=60s"});
  K({"wait", "-n", model_, "--for=delete", "pod/tiny-1", "pod/tiny-2", "--timeout=90s"});
  EXPECT_THAT(Pods("tiny"), ElementsAre("tiny-0"));

  v1::RemoveApplicationRequest remove;
  remove.set_model(model_);
  remove.add_applications("tiny");
  v1::RemoveApplicationResponse removed;
  s = Call(controller_.get(), &v1::Controller::Stub::RemoveApplication, Admin(), remove, &removed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  UnitDone("tiny/0");
  K({"wait", "-n", model_, "--for=delete", "statefulset/tiny", "--timeout=60s"});
  K({"wait", "-n", model_, "--for=delete", "pod/tiny-0", "--timeout=90s"});
  EXPECT_EQ(K({"get", kNamespacedKinds, "-n", model_, "-l", "app.kubernetes.io/name=tiny", "-o", "name"}), "");
  EXPECT_EQ(K({"get", "clusterroles,clusterrolebindings", "-l", "app.kubernetes.io/name=tiny,model.juju.is/name=" + model_,
               "-o", "name"}),
            "");
}

}  // namespace
}  // namespace skein::controller::testing
