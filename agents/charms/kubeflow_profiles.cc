// kubeflow-profiles (kubeflow-catalog §4.3, §4.9): serves the access-management address to the
// dashboard (the common k8s-service handling) and creates user profiles with its actions. A
// profile is a Profile object, the namespace the profile controller makes for it with the
// labels of upstream's namespace-labels.yaml, and the default PodDefaults of allow-minio.yaml and
// allow-mlflow.yaml in that namespace.

#include <regex>

#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "lib/format/output.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;

json NamespaceLabels() {
  return json{{"app.kubernetes.io/part-of", "kubeflow-profile"},
              {"katib-metricscollector-injection", "enabled"},
              {"katib.kubeflow.org/metrics-collector-injection", "enabled"},
              {"pipelines.kubeflow.org/enabled", "true"},
              {"serving.kubeflow.org/inferenceservice", "enabled"},
              {"user.kubeflow.org/enabled", "true"}};
}

std::vector<sdk::K8sObject> DefaultPodDefaults(const std::string& ns) {
  const std::string minio = "http://minio.kubeflow.svc.cluster.local:9000";
  auto secret_env = [](const std::string& name, const std::string& key) {
    return json{{"name", name},
                {"valueFrom", {{"secretKeyRef", {{"name", "mlpipeline-minio-artifact"}, {"key", key}}}}}};
  };
  json access_minio = {
      {"apiVersion", "kubeflow.org/v1alpha1"},
      {"kind", "PodDefault"},
      {"metadata", {{"name", "access-minio"}, {"namespace", ns}}},
      {"spec",
       {{"desc", "Allow access to Minio"},
        {"selector", {{"matchLabels", {{"access-minio", "true"}}}}},
        {"env", json::array({secret_env("AWS_ACCESS_KEY_ID", "accesskey"), secret_env("AWS_SECRET_ACCESS_KEY", "secretkey"),
                             json{{"name", "MINIO_ENDPOINT_URL"}, {"value", minio}}})}}}};
  json access_mlflow = {
      {"apiVersion", "kubeflow.org/v1alpha1"},
      {"kind", "PodDefault"},
      {"metadata", {{"name", "access-mlflow"}, {"namespace", ns}}},
      {"spec",
       {{"desc", "Allow access to MLFlow"},
        {"selector", {{"matchLabels", {{"access-mlflow", "true"}}}}},
        {"env", json::array({json{{"name", "MLFLOW_TRACKING_URI"},
                                  {"value", "http://mlflow-server.kubeflow.svc.cluster.local:5000"}},
                             json{{"name", "MLFLOW_S3_ENDPOINT_URL"}, {"value", minio}}})}}}};
  return {{access_minio, ""}, {access_mlflow, ""}};
}

bool IsDnsLabel(const std::string& s) {
  static const std::regex kLabel("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  return std::regex_match(s, kLabel);
}

class KubeflowProfiles : public StandardCharm {
 public:
  KubeflowProfiles() : StandardCharm(ProfileFor("kubeflow-profiles")) {}

 protected:
  void SetupActions(sdk::Framework& framework, sdk::Model& model) override {
    framework.ObserveAction("create-profile", [&model](const sdk::Event&) { return CreateProfile(model); });
    framework.ObserveAction("initialise-profile", [&model](const sdk::Event&) { return InitialiseProfile(model); });
  }

 private:
  static absl::StatusOr<std::string> ProfileName(sdk::Model& model, const json& params) {
    std::string name = params.value("profilename", "");
    if (!IsDnsLabel(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "profilename \"", name, "\" is not a valid namespace name (lowercase letters, digits and '-')"));
    }
    return name;
  }

  static absl::Status CreateProfile(sdk::Model& model) {
    auto params = model.context().ActionParams();
    if (!params.ok()) return params.status();
    json p = json::parse(params->dump());
    auto name = ProfileName(model, p);
    if (!name.ok()) return model.context().ActionFail(std::string(name.status().message()));
    json profile = {{"apiVersion", "kubeflow.org/v1"},
                    {"kind", "Profile"},
                    {"metadata", {{"name", *name}}},
                    {"spec", {{"owner", {{"kind", "User"}, {"name", p.value("username", "")}}}}}};
    const std::string quota = p.value("resourcequota", "");
    if (!quota.empty()) {
      auto spec = format::YamlDocumentsToOrderedJson(quota, format::YamlDialect::kKubernetes);
      if (!spec.ok() || spec->size() != 1 || !(*spec)[0].is_object()) {
        return model.context().ActionFail(absl::StrCat(
            "resourcequota is not a YAML mapping", spec.ok() ? "" : absl::StrCat(": ", spec.status().message())));
      }
      profile["spec"]["resourceQuotaSpec"] = (*spec)[0];
    }
    json ns = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata",
                {{"name", *name},
                 {"labels", NamespaceLabels()},
                 {"annotations", {{"owner", p.value("username", "")}}}}}};
    absl::Status s = model.substrate().ApplyManifests(absl::StrCat("profile:", *name), {{profile, ""}, {ns, ""}});
    if (!s.ok()) return model.context().ActionFail(std::string(s.message()));
    s = model.substrate().ApplyManifests(absl::StrCat("profile-config:", *name), DefaultPodDefaults(*name));
    if (!s.ok()) return model.context().ActionFail(std::string(s.message()));
    model.context().ActionLog(absl::StrCat("Profile ", *name, " created for user ", p.value("username", "")));
    return model.context().SetActionResults({{"profile", *name}, {"namespace", *name}});
  }

  static absl::Status InitialiseProfile(sdk::Model& model) {
    auto params = model.context().ActionParams();
    if (!params.ok()) return params.status();
    json p = json::parse(params->dump());
    auto name = ProfileName(model, p);
    if (!name.ok()) return model.context().ActionFail(std::string(name.status().message()));
    absl::Status s = model.substrate().ApplyManifests(absl::StrCat("profile-config:", *name), DefaultPodDefaults(*name));
    if (!s.ok()) return model.context().ActionFail(std::string(s.message()));
    return model.context().SetActionResults({{"namespace", *name}});
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewKubeflowProfiles() { return std::make_unique<KubeflowProfiles>(); }

}  // namespace skein::charms
