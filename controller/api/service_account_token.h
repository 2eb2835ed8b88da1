#pragma once

// The ServiceAccount token a unit of a Kubernetes model gets (Agent.GetServiceAccountToken,
// issue 16): a TokenRequest for its application's ServiceAccount `<app>` in the model's namespace
// (the provisioner makes the ServiceAccount and its roles; `trust` widens them), with the API
// server's address and CA, so that the unit's charm reaches the cluster as a pod's processes do.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/cloud/cloud_service.h"

namespace skein::controller::api {

struct ServiceAccountToken {
  std::string server;
  std::string ca_pem;
  std::string ns;
  std::string token;
  int64_t expiry_unix_ms = 0;
};

// How long a token lives; the agent writes a new one before 80% of it has passed.
inline constexpr std::chrono::seconds kServiceAccountTokenLifetime{3600};

// The token of `application`'s ServiceAccount in `model`, or nullopt when the model is not on a
// Kubernetes cloud. Errors: ClusterForModel's (NotFound for an unknown model) and the cluster's
// (PermissionDenied, Unavailable, NotFound for a ServiceAccount the provisioner has not made
// yet), and Internal for a TokenRequest answer without a token or an expiry.
absl::StatusOr<std::optional<ServiceAccountToken>> MintServiceAccountToken(
    domain::cloud::CloudService& clouds, const std::string& model, const std::string& application,
    std::chrono::seconds lifetime = kServiceAccountTokenLifetime);

}  // namespace skein::controller::api
