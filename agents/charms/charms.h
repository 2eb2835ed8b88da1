#pragma once

// The built-in charms (issue 6) and their registration. Each specific charm derives from
// StandardCharm; every other store charm runs StandardCharm with its profile.

#include <memory>

#include "agents/charms/standard_charm.h"
#include "agents/sdk/registry.h"
#include "relations/interfaces/object_storage.h"

namespace skein::charms {

// Registers every built-in charm by its charm name (the store's charms).
void RegisterBuiltinCharms(sdk::CharmRegistry& registry);

std::unique_ptr<sdk::Charm> NewMlflowServer();
std::unique_ptr<sdk::Charm> NewMinio();
std::unique_ptr<sdk::Charm> NewMysqlK8s();
std::unique_ptr<sdk::Charm> NewResourceDispatcher();
std::unique_ptr<sdk::Charm> NewKubeflowProfiles();
std::unique_ptr<sdk::Charm> NewIstioPilot();
std::unique_ptr<sdk::Charm> NewKubeflowDashboard();
std::unique_ptr<sdk::Charm> NewPrometheusK8s();
std::unique_ptr<sdk::Charm> NewKnativeServing();
std::unique_ptr<sdk::Charm> NewKserveController();
// The conformance suite's recorder as a built-in charm (`skein-recorder`).
std::unique_ptr<sdk::Charm> NewRecorder();

// mlflow-server's rendered manifests (kubeflow-catalog §4.3), exposed for tests.
nlohmann::ordered_json MlflowSecrets(const std::string& app, const std::string& access_key,
                                     const std::string& secret_key, const std::string& s3_endpoint);
// kserve-controller's `<app>-s3` Secret and ServiceAccount (kubeflow-catalog §4.3), exposed for tests.
nlohmann::ordered_json KserveS3Secret(const std::string& app, const relations::interfaces::object_storage::Credentials& storage,
                                      const std::string& default_namespace);
nlohmann::ordered_json KserveS3ServiceAccount(const std::string& app);
nlohmann::ordered_json MlflowPodDefaults(const std::string& app, const std::string& s3_endpoint,
                                         const std::string& mlflow_endpoint);

}  // namespace skein::charms
