#pragma once

// `kubernetes_manifest` relations between a charm that needs Kubernetes objects in every user
// namespace and resource-dispatcher (kubeflow-catalog §4.3):
//   2.0 form (resource-dispatcher 2.0, mlflow-server 2.15): the requirer's leader writes one app
//     bag key, `kubernetes_manifests` = json.dumps(list of manifests); the provider writes nothing.
//   1.0 form (resource-dispatcher 1.0, mlflow-server 2.1): SDI; the mlflow side provides, its
//     `data` is {<endpoint>: json.dumps(list)}.
// The dispatcher gathers every related application's list per endpoint and refuses two
// manifests with the same `metadata.name`.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::kubernetes_manifests {

inline constexpr char kManifestsKey[] = "kubernetes_manifests";
// The dispatcher's status when two manifests of one endpoint share a name (upstream's text).
inline constexpr char kInvalidManifestMessage[] = "Failed to process invalid manifest. See debug logs.";

// 2.0 form: the requirer's app bag.
std::map<std::string, std::string> WriteBag(const nlohmann::ordered_json& manifests);

// 2.0 form: the manifests in a remote app bag (`[]` when the key is absent). InvalidArgument
// when the value is not a JSON list of objects.
absl::StatusOr<nlohmann::ordered_json> ReadBag(const std::map<std::string, std::string>& bag);

// 1.0 form: the SDI app bag of the providing side for `endpoint` (`secrets`, `pod-defaults`).
std::map<std::string, std::string> WriteSdiBag(const std::string& endpoint, const nlohmann::ordered_json& manifests);
// 1.0 form: the manifests in the providing side's SDI bag for `endpoint`.
absl::StatusOr<nlohmann::ordered_json> ReadSdiBag(const std::string& endpoint,
                                                  const std::map<std::string, std::string>& bag);

// The dispatcher's view of one endpoint: every related app's manifests in the order given.
// FailedPrecondition with kInvalidManifestMessage when two share `metadata.name`.
absl::StatusOr<std::vector<nlohmann::ordered_json>> Gather(const std::vector<nlohmann::ordered_json>& lists);

}  // namespace skein::relations::interfaces::kubernetes_manifests
