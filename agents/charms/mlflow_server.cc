// mlflow-server (kubeflow-catalog §3.1, §4.1-§4.3): needs a database and an object store; once
// both are there it sends its Secrets and PodDefaults to the resource dispatcher, in the 2.0
// form (2.15+: it requires `secrets`/`pod-defaults`, interface kubernetes_manifest) or the SDI
// 1.0 form (2.1: it provides them), whichever its metadata declares.

#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "relations/interfaces/object_storage.h"

namespace skein::charms {

using json = nlohmann::ordered_json;
namespace object_storage = relations::interfaces::object_storage;

json MlflowSecrets(const std::string& app, const std::string& access_key, const std::string& secret_key,
                   const std::string& s3_endpoint) {
  return json::array(
      {json{{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata", {{"name", app + "-minio-artifact"}}},
            {"stringData", {{"AWS_ACCESS_KEY_ID", access_key}, {"AWS_SECRET_ACCESS_KEY", secret_key}}}},
       json{{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata", {{"name", app + "-seldon-rclone-secret"}}},
            {"stringData",
             {{"RCLONE_CONFIG_S3_TYPE", "s3"},
              {"RCLONE_CONFIG_S3_PROVIDER", "minio"},
              {"RCLONE_CONFIG_S3_ENV_AUTH", "false"},
              {"RCLONE_CONFIG_S3_ACCESS_KEY_ID", access_key},
              {"RCLONE_CONFIG_S3_SECRET_ACCESS_KEY", secret_key},
              {"RCLONE_CONFIG_S3_ENDPOINT", s3_endpoint}}}}});
}

json MlflowPodDefaults(const std::string& app, const std::string& s3_endpoint, const std::string& mlflow_endpoint) {
  auto secret_env = [&app](const std::string& key) {
    return json{{"name", key},
                {"valueFrom", {{"secretKeyRef", {{"name", app + "-minio-artifact"}, {"key", key}, {"optional", false}}}}}};
  };
  return json::array(
      {json{{"apiVersion", "kubeflow.org/v1alpha1"},
            {"kind", "PodDefault"},
            {"metadata", {{"name", app + "-access-minio"}}},
            {"spec",
             {{"desc", "Allow access to Minio"},
              {"selector", {{"matchLabels", {{"access-minio", "true"}}}}},
              {"env", json::array({secret_env("AWS_ACCESS_KEY_ID"), secret_env("AWS_SECRET_ACCESS_KEY"),
                                   json{{"name", "MINIO_ENDPOINT_URL"}, {"value", s3_endpoint}}})}}}},
       json{{"apiVersion", "kubeflow.org/v1alpha1"},
            {"kind", "PodDefault"},
            {"metadata", {{"name", app + "-minio"}}},
            {"spec",
             {{"desc", "Allow access to MLFlow"},
              {"env", json::array({json{{"name", "MLFLOW_S3_ENDPOINT_URL"}, {"value", s3_endpoint}},
                                   json{{"name", "MLFLOW_TRACKING_URI"}, {"value", mlflow_endpoint}}})},
              // Literal upstream: the label is not templated on the app name.
              {"selector", {{"matchLabels", {{"mlflow-server-minio", "true"}}}}}}}}});
}

namespace {

class MlflowServer : public StandardCharm {
 public:
  MlflowServer() : StandardCharm(ProfileFor("mlflow-server")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override {
    return ep.name != "secrets" && ep.name != "pod-defaults" && ep.name != "object-storage";
  }

  void SetupActions(sdk::Framework& framework, sdk::Model& model) override {
    framework.ObserveAction("get-minio-credentials", [&model](const sdk::Event&) -> absl::Status {
      auto storage = ObjectStorage(model);
      if (!storage.has_value()) {
        return model.context().ActionFail("Waiting for object storage relation data");
      }
      return model.context().SetActionResults(
          {{"access-key", storage->access_key}, {"secret-access-key", storage->secret_key}});
    });
  }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    if (r.leader) {
      absl::Status s = UpdateAppBags(r.model, "object-storage", object_storage::RequirerAppBag());
      if (!s.ok()) return s;
    }
    const std::optional<object_storage::Credentials> storage = ObjectStorage(r.model);
    if (!storage.has_value()) {
      r.Wait("Waiting for object storage relation data");
      return absl::OkStatus();
    }
    if (!r.status.empty() || !r.leader) return absl::OkStatus();  // sends only when reconciled
    const std::string s3 = object_storage::S3Endpoint(*storage, r.model.model_name());
    const std::string tracking = absl::StrCat("http://", r.model.app(), ".", r.model.model_name(),
                                              ".svc.cluster.local:", r.model.ConfigInt("mlflow_port", 5000));
    const json secrets = MlflowSecrets(r.model.app(), storage->access_key, storage->secret_key, s3);
    const json pod_defaults = MlflowPodDefaults(r.model.app(), s3, tracking);
    absl::Status s = SendManifests(r.model, "secrets", secrets);
    return s.ok() ? SendManifests(r.model, "pod-defaults", pod_defaults) : s;
  }

 private:
  // The object-storage data of the first relation, or nullopt while there is none.
  static std::optional<object_storage::Credentials> ObjectStorage(sdk::Model& model) {
    for (auto& rel : model.Relations("object-storage")) {
      auto credentials = object_storage::ReadCredentials(rel.RemoteAppBag());
      if (credentials.ok()) return *credentials;
    }
    return std::nullopt;
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewMlflowServer() { return std::make_unique<MlflowServer>(); }

}  // namespace skein::charms
