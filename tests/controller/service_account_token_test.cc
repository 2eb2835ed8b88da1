// The ServiceAccount token a unit of a Kubernetes model gets (controller/api/service_account_token.h):
// a TokenRequest for its application's ServiceAccount in the model's namespace, with the cluster's
// server and CA; nothing for a machine model. Against fakes of the cloud store and the cluster.

#include "controller/api/service_account_token.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace skein::controller::api {
namespace {

using kube::Json;

// Answers TokenRequests as the API server does and records what was asked.
class FakeCluster : public kube::Client {
 public:
  absl::StatusOr<Json> Apply(const Json&, const kube::ApplyOptions&) override { return absl::UnimplementedError("apply"); }
  absl::StatusOr<Json> Get(const kube::ObjectRef&) override { return absl::UnimplementedError("get"); }
  absl::StatusOr<Json> List(const std::string&, const std::string&, const std::string&,
                            const kube::ListOptions&) override {
    return absl::UnimplementedError("list");
  }
  absl::Status Delete(const kube::ObjectRef&, const kube::DeleteOptions&) override {
    return absl::UnimplementedError("delete");
  }
  absl::StatusOr<Json> CreateSubresource(const kube::ObjectRef& ref, const std::string& subresource,
                                         const Json& body) override {
    asked_ref = ref;
    asked_subresource = subresource;
    asked_body = body;
    if (!answer.ok()) return answer.status();
    return *answer;
  }
  absl::Status Watch(const std::string&, const std::string&, const std::string&, const kube::WatchOptions&,
                     const std::function<bool(const kube::WatchEvent&)>&, const std::atomic<bool>*) override {
    return absl::UnimplementedError("watch");
  }
  absl::StatusOr<bool> IsNamespaced(const std::string&, const std::string&) override { return true; }
  const std::string& server() const override { return server_; }

  absl::StatusOr<Json> answer = Json{{"status", {{"token", "tok-1"}, {"expirationTimestamp", "2026-12-07T21:00:00Z"}}}};
  kube::ObjectRef asked_ref;
  std::string asked_subresource;
  Json asked_body;

 private:
  std::string server_ = "https://127.0.0.1:6443";
};

class FakeClouds : public domain::cloud::CloudService {
 public:
  absl::StatusOr<std::optional<domain::cloud::ModelCluster>> ClusterForModel(const std::string& model) override {
    if (model == "local") return std::nullopt;
    if (model != "kf") return absl::NotFoundError("model \"" + model + "\" not found");
    domain::cloud::ModelCluster c;
    c.cloud = "k8s";
    c.ns = "kf";
    c.client = cluster;
    c.config.server = "https://127.0.0.1:6443";
    c.config.ca_pem = "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n";
    c.config.token = "the controller's own credential";
    return c;
  }
  std::shared_ptr<FakeCluster> cluster = std::make_shared<FakeCluster>();
};

TEST(ServiceAccountTokenTest, AUnitOfAKubernetesModelGetsItsApplicationsToken) {
  FakeClouds clouds;
  auto token = MintServiceAccountToken(clouds, "kf", "mlflow-server");
  ASSERT_TRUE(token.ok()) << token.status();
  ASSERT_TRUE(token->has_value());
  EXPECT_EQ((*token)->token, "tok-1");
  EXPECT_EQ((*token)->ns, "kf");
  EXPECT_EQ((*token)->server, "https://127.0.0.1:6443");
  EXPECT_EQ((*token)->ca_pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ((*token)->expiry_unix_ms, 1796677200000);  // 2026-12-07T21:00:00Z
  // A TokenRequest of the application's ServiceAccount in the model's namespace.
  EXPECT_EQ(clouds.cluster->asked_ref.kind, "ServiceAccount");
  EXPECT_EQ(clouds.cluster->asked_ref.ns, "kf");
  EXPECT_EQ(clouds.cluster->asked_ref.name, "mlflow-server");
  EXPECT_EQ(clouds.cluster->asked_subresource, "token");
  EXPECT_EQ(clouds.cluster->asked_body["kind"], "TokenRequest");
  EXPECT_EQ(clouds.cluster->asked_body["spec"]["expirationSeconds"], 3600);
}

TEST(ServiceAccountTokenTest, AMachineModelGetsNothingAndErrorsComeThrough) {
  FakeClouds clouds;
  auto none = MintServiceAccountToken(clouds, "local", "app");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(MintServiceAccountToken(clouds, "nope", "app").status().code(), absl::StatusCode::kNotFound);
  clouds.cluster->answer = absl::NotFoundError("create ServiceAccount \"kf/app\": serviceaccounts \"app\" not found");
  EXPECT_EQ(MintServiceAccountToken(clouds, "kf", "app").status().code(), absl::StatusCode::kNotFound);
  clouds.cluster->answer = Json{{"status", Json::object()}};
  EXPECT_EQ(MintServiceAccountToken(clouds, "kf", "app").status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace skein::controller::api
