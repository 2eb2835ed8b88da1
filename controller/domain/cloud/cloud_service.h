#pragma once

// Kubernetes clouds (`skein add-k8s`, `skein clouds`) and the models that live on them. A cloud
// is a name and a cluster's address and credential (from a kubeconfig); the credential is kept
// in the controller's data directory with mode 0600 and is never printed. A model added on a
// Kubernetes cloud lives in the namespace named after it (kubernetes-substrate.md §1).
//
// This header is the contract between the cloud store, the provisioner (controller/provisioner)
// and the agent API that hands unit agents their ServiceAccount tokens.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/kube/client.h"

namespace skein::controller::domain::cloud {

enum class CloudType { kLocal, kKubernetes };

struct CloudInfo {
  std::string name;
  CloudType type = CloudType::kLocal;
  std::string endpoint;  // the API server's address; never the credential
};

// Where a Kubernetes model lives: the cloud, the namespace (the model's name) and a client for
// the cluster, shared by every caller.
struct ModelCluster {
  std::string cloud;
  std::string ns;
  std::string model_uuid;
  std::shared_ptr<kube::Client> client;
  kube::ClusterConfig config;  // server and CA for agents; the credential stays in the controller
};

class CloudService {
 public:
  virtual ~CloudService() = default;
  // The cluster of `model` when it lives on a Kubernetes cloud; nullopt for a machine (local)
  // model; NotFound `model "x" not found`.
  virtual absl::StatusOr<std::optional<ModelCluster>> ClusterForModel(const std::string& model) = 0;
};

}  // namespace skein::controller::domain::cloud
