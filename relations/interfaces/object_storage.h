#pragma once

// `object-storage` (SDI v1, canonical/operator-schemas object-storage.yaml; kubeflow-catalog
// §4.1): the provider (minio) writes its S3 credentials and service as SDI `data`; requirers
// (mlflow-server, kfp-api, kfp-ui, kfp-profile-controller, argo-controller, kserve-controller)
// list versions only and build their S3 endpoint from what minio sent.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::object_storage {

// Both sides list only v1.
const std::vector<std::string>& Versions();

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string service;    // the minio application's name
  int port = 9000;
  std::string namespace_; // the provider's model; empty sends YAML null
  bool secure = false;
};

// The provider leader's app bag: `_supported_versions` and `data`.
std::map<std::string, std::string> ProviderAppBag(const Credentials& credentials);
// A requirer's app bag: `_supported_versions` only.
std::map<std::string, std::string> RequirerAppBag();

// The provider's data as a requirer reads it. NotFound while nothing was sent; InvalidArgument
// when a required key (access-key, secret-key, service, port, secure) is missing or mistyped.
absl::StatusOr<Credentials> ReadCredentials(const std::map<std::string, std::string>& provider_bag);

// `http://<service>.<namespace>:<port>` as mlflow-server builds it (`MLFLOW_S3_ENDPOINT_URL`);
// without the scheme as kserve-controller's `serving.kserve.io/s3-endpoint` annotation has it.
// An empty namespace falls back to `default_namespace` (the requirer's model).
std::string S3Endpoint(const Credentials& credentials, const std::string& default_namespace, bool with_scheme = true);

}  // namespace skein::relations::interfaces::object_storage
