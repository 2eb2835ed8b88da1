// The cloud store (issue 16): add-k8s keeps the credential in a 0600 file and writes nothing when
// the cluster cannot be reached, add-model on a Kubernetes cloud creates the labelled namespace
// in the same step as the model, and units of Kubernetes models are numbered as pod ordinals.

#include "controller/domain/cloud/cloud_store.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "controller/domain/core/sql.h"
#include "controller/provisioner/application_pods.h"
#include "controller/provisioner/application_scale.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/fake_kube_client.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

namespace fs = std::filesystem;
using domain::cloud::CloudInfo;
using domain::cloud::CloudStore;
using domain::cloud::CloudType;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::DomainEnv;
using testing::FakeKubeClient;

constexpr char kToken[] = "s3cr3t-token-never-shown";

std::string Kubeconfig() {
  return std::string(
             "apiVersion: v1\nkind: Config\ncurrent-context: test\n"
             "clusters:\n- name: test\n  cluster:\n    server: https://127.0.0.1:6443\n"
             "    insecure-skip-tls-verify: true\n"
             "users:\n- name: admin\n  user:\n    token: ") +
         kToken +
         "\n"
         "contexts:\n- name: test\n  context:\n    cluster: test\n    user: admin\n";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CloudStoreTest : public ::testing::Test {
 protected:
  DomainEnv env_;
  std::shared_ptr<FakeKubeClient> client_ = std::make_shared<FakeKubeClient>();
  kube::ClusterConfig seen_;
  CloudStore store_{env_.db.get(), (fs::path(env_.dir.path()) / "clouds").string(),
                    [this](const kube::ClusterConfig& config) -> absl::StatusOr<std::shared_ptr<kube::Client>> {
                      seen_ = config;
                      return std::shared_ptr<kube::Client>(client_);
                    }};
  std::string CredentialFile() { return (fs::path(env_.dir.path()) / "clouds" / "k8s.kubeconfig").string(); }
};

TEST_F(CloudStoreTest, AddK8sKeepsTheCredentialInA0600FileAndListsOnlyTheEndpoint) {
  auto added = store_.AddKubernetesCloud("k8s", Kubeconfig(), "");
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->endpoint, "https://127.0.0.1:6443");
  EXPECT_EQ(seen_.token, kToken);
  EXPECT_EQ(client_->lists, 1);  // the cluster was asked before anything was stored

  struct stat st {};
  ASSERT_EQ(::stat(CredentialFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_THAT(ReadFile(CredentialFile()), HasSubstr(kToken));

  auto clouds = store_.ListClouds();
  ASSERT_TRUE(clouds.ok()) << clouds.status();
  ASSERT_EQ(clouds->size(), 2u);
  EXPECT_EQ((*clouds)[0].name, "localhost");
  EXPECT_EQ((*clouds)[0].type, CloudType::kLocal);
  EXPECT_EQ((*clouds)[1].name, "k8s");
  EXPECT_EQ((*clouds)[1].type, CloudType::kKubernetes);
  // The database never holds the credential.
  EXPECT_EQ(env_.Count("clouds", std::string("endpoint LIKE '%") + kToken + "%'"), 0);

  EXPECT_TRUE(absl::IsAlreadyExists(store_.AddKubernetesCloud("k8s", Kubeconfig(), "").status()));
}

TEST_F(CloudStoreTest, NothingIsWrittenWhenTheClusterCannotBeReached) {
  client_->fail_with = absl::UnavailableError("connection refused");
  auto added = store_.AddKubernetesCloud("k8s", Kubeconfig(), "");
  ASSERT_FALSE(added.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(added.status()));
  EXPECT_THAT(added.status().message(), HasSubstr("cannot reach cluster at https://127.0.0.1:6443"));
  EXPECT_THAT(added.status().message(), Not(HasSubstr(kToken)));
  EXPECT_FALSE(fs::exists(CredentialFile()));
  EXPECT_EQ(env_.Count("clouds"), 0);
}

TEST_F(CloudStoreTest, BadNamesAndKubeconfigsAreRefusedWithoutWriting) {
  EXPECT_TRUE(absl::IsInvalidArgument(store_.AddKubernetesCloud("localhost", Kubeconfig(), "").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store_.AddKubernetesCloud("../x", Kubeconfig(), "").status()));
  auto bad = store_.AddKubernetesCloud("k8s", Kubeconfig(), "no-such-context");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_EQ(client_->lists, 0);
  EXPECT_FALSE(fs::exists(CredentialFile()));
  EXPECT_EQ(env_.Count("clouds"), 0);
}

TEST_F(CloudStoreTest, AModelOnAKubernetesCloudIsItsLabelledNamespace) {
  ASSERT_TRUE(store_.AddKubernetesCloud("k8s", Kubeconfig(), "").ok());
  auto model = store_.AddModelOnCloud("kf", {}, "k8s");
  ASSERT_TRUE(model.ok()) << model.status();
  auto ns = client_->Get({"v1", "Namespace", "", "kf"});
  ASSERT_TRUE(ns.ok()) << ns.status();
  EXPECT_EQ((*ns)["metadata"]["labels"]["model.juju.is/name"], "kf");
  EXPECT_EQ((*ns)["metadata"]["labels"]["model.juju.is/id"], model->uuid);
  EXPECT_EQ(client_->managers[FakeKubeClient::KeyOf({"v1", "Namespace", "", "kf"})], "skein");

  auto cluster = store_.ClusterForModel("kf");
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  ASSERT_TRUE(cluster->has_value());
  EXPECT_EQ((*cluster)->ns, "kf");
  EXPECT_EQ((*cluster)->model_uuid, model->uuid);
  EXPECT_EQ((*cluster)->config.token, "");  // what agents may see carries no credential
  auto local = store_.ClusterForModel("test");
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_FALSE(local->has_value());
  EXPECT_TRUE(absl::IsNotFound(store_.ClusterForModel("nope").status()));

  // A model lives on its cloud: the cloud cannot go while it does.
  EXPECT_TRUE(absl::IsFailedPrecondition(store_.RemoveCloud("k8s")));
  ASSERT_TRUE(store_.DeleteModelNamespace(**cluster).ok());
  EXPECT_TRUE(absl::IsNotFound(client_->Get({"v1", "Namespace", "", "kf"}).status()));
}

TEST_F(CloudStoreTest, ANamespaceTheClusterRefusesLeavesNoModel) {
  ASSERT_TRUE(store_.AddKubernetesCloud("k8s", Kubeconfig(), "").ok());
  client_->fail_with = absl::PermissionDeniedError("namespaces is forbidden");
  auto model = store_.AddModelOnCloud("kf", {}, "k8s");
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("cannot create namespace \"kf\" on cloud \"k8s\""));
  EXPECT_EQ(env_.Count("models", "name = 'kf'"), 0);
  EXPECT_TRUE(absl::IsNotFound(store_.AddModelOnCloud("kf", {}, "nope").status()));
}

TEST_F(CloudStoreTest, UnitsOfAKubernetesModelAreNumberedAsPodOrdinals) {
  ASSERT_TRUE(env_.db
                  ->Write("test",
                          [](domain::Tx& tx) -> absl::Status {
                            domain::sql::Exec(tx.db(), "UPDATE models SET cloud = 'k8s' WHERE name = 'test'");
                            return absl::OkStatus();
                          })
                  .ok());
  env_.Deploy("app", testing::MakeCharm(testing::kAppMetadata), 1);
  auto scaled = provisioner::ScaleApplication(*env_.db, *env_.apps, "test", "app", 3);
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  EXPECT_THAT(scaled->added, ElementsAre("app/1", "app/2"));
  scaled = provisioner::ScaleApplication(*env_.db, *env_.apps, "test", "app", 1);
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  EXPECT_THAT(scaled->removed, ElementsAre("app/2", "app/1"));
  // While they are dying their pods still hold the ordinals.
  EXPECT_TRUE(absl::IsFailedPrecondition(provisioner::ScaleApplication(*env_.db, *env_.apps, "test", "app", 2).status()));
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("app/2")).ok());
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("app/1")).ok());
  scaled = provisioner::ScaleApplication(*env_.db, *env_.apps, "test", "app", 2);
  ASSERT_TRUE(scaled.ok()) << scaled.status();
  EXPECT_THAT(scaled->added, ElementsAre("app/1"));
}

TEST_F(CloudStoreTest, ScaleIsOnlyForKubernetesModels) {
  env_.Deploy("db", testing::MakeCharm(testing::kDbMetadata), 1);
  auto scaled = provisioner::ScaleApplication(*env_.db, *env_.apps, "test", "db", 3);
  EXPECT_TRUE(absl::IsFailedPrecondition(scaled.status())) << scaled.status();
  EXPECT_THAT(scaled.status().message(), HasSubstr("use add-unit and remove-unit"));
}

// A pod in trouble shows in its unit's workload status, and the charm's own status comes back
// once the pod runs again: a pod recreated by a rollout must not leave its unit waiting for a
// hook that would set the status again.
TEST_F(CloudStoreTest, APodsTroubleShowsInItsUnitUntilItRunsAndTheCharmsStatusReturns) {
  env_.Deploy("app", testing::MakeCharm(testing::kAppMetadata), 1);
  auto workload = [&] {
    std::pair<std::string, std::string> got;
    EXPECT_TRUE(env_.db
                    ->Read([&](domain::Tx& tx) -> absl::Status {
                      auto q = domain::sql::Prepare(tx.db(), "SELECT workload_status, workload_message FROM units WHERE id = ?",
                                                    env_.UnitId("app/0"));
                      if (q.executeStep()) got = {q.getColumn(0).getString(), q.getColumn(1).getString()};
                      return absl::OkStatus();
                    })
                    .ok());
    return got;
  };
  ASSERT_TRUE(env_.db
                  ->Write("test",
                          [](domain::Tx& tx) -> absl::Status {
                            domain::sql::Exec(tx.db(), "UPDATE units SET workload_status = 'active', workload_message = 'ready'");
                            return absl::OkStatus();
                          })
                  .ok());
  auto pod = [](const std::string& phase, bool ready) {
    return kube::Json{{"metadata", {{"name", "app-0"}, {"labels", {{"app.kubernetes.io/name", "app"}}}}},
                      {"status", {{"phase", phase}, {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
  };
  auto pending = provisioner::PodStateOf(pod("Pending", false));
  ASSERT_TRUE(pending.has_value());
  ASSERT_TRUE(provisioner::RecordPodState(*env_.db, "test", *pending).ok());
  EXPECT_EQ(workload().first, "waiting");
  EXPECT_THAT(workload().second, HasSubstr("pending"));
  auto not_ready = provisioner::PodStateOf(pod("Running", false));
  ASSERT_TRUE(provisioner::RecordPodState(*env_.db, "test", *not_ready).ok());
  EXPECT_THAT(workload().second, HasSubstr("not ready"));
  auto running = provisioner::PodStateOf(pod("Running", true));
  ASSERT_TRUE(provisioner::RecordPodState(*env_.db, "test", *running).ok());
  EXPECT_EQ(workload(), std::make_pair(std::string("active"), std::string("ready")));
}

}  // namespace
}  // namespace skein::controller
