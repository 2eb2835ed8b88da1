#pragma once

// The controller's clouds: the local substrate (`localhost`, always there) and the Kubernetes
// clouds `add-k8s` stores. Implements CloudService for the provisioner and the agent API.
//
// A Kubernetes cloud's credential is the kubeconfig the CLI sent, parsed and rendered again with
// only the chosen context (lib/kube RenderKubeconfig), kept as `<dir>/<name>.kubeconfig` with
// mode 0600. It is never returned by any call, printed or logged.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "controller/domain/cloud/cloud_service.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"
#include "lib/base/mutex.h"

namespace skein::controller::domain::cloud {

// The cloud every machine model lives on.
inline constexpr char kLocalCloud[] = "localhost";

// The change key a write touches when the set of Kubernetes models or clouds changes (the
// provisioner subscribes to it to learn of a new model).
inline constexpr char kCloudModelsKey[] = "cloud-models";

// Whether `name` names the local cloud as the CLI accepts it (`localhost`, `local`,
// `local/<region>`, or nothing).
bool IsLocalCloudName(const std::string& name);

// Makes a client for a cluster; tests substitute one that does not dial.
using ClientFactory = std::function<absl::StatusOr<std::shared_ptr<kube::Client>>(const kube::ClusterConfig&)>;

// The labels Juju puts on a model's namespace (kubernetes-substrate.md §1).
kube::Json NamespaceObject(const std::string& model, const std::string& model_uuid);

class CloudStore : public CloudService {
 public:
  // `dir` holds the credentials (created with mode 0700 when first needed). `factory` defaults
  // to kube::Client::Create.
  CloudStore(Db* db, std::string dir, ClientFactory factory = nullptr);

  // add-k8s: parses `kubeconfig_yaml` for `context` (its current context when empty), checks
  // that the cluster answers with that credential (a list of namespaces), then writes the
  // credential file and the cloud row. Nothing is written when any step fails.
  // InvalidArgument for a bad name or kubeconfig; AlreadyExists `cloud "x" already exists`;
  // FailedPrecondition `cannot reach cluster at <server>: ...` whatever the cluster answered.
  absl::StatusOr<CloudInfo> AddKubernetesCloud(const std::string& name, const std::string& kubeconfig_yaml,
                                               const std::string& context);
  // The local cloud first, then the Kubernetes clouds by name.
  absl::StatusOr<std::vector<CloudInfo>> ListClouds();
  // remove-cloud: NotFound `cloud "x" not found`; FailedPrecondition while a model uses it.
  absl::Status RemoveCloud(const std::string& name);

  // add-model <m> <cloud> on a Kubernetes cloud: adds the model row with `config` (normalised
  // by the caller) and applies its namespace in the same transaction, so a cluster that refuses
  // the namespace leaves no model behind. NotFound `cloud "x" not found`.
  absl::StatusOr<ModelRow> AddModelOnCloud(const std::string& name, const std::map<std::string, std::string>& config,
                                           const std::string& cloud);
  // destroy-model's part on the cluster: deletes the model's cluster-scoped objects (labelled
  // model.juju.is/name) and its namespace, with everything in it. OK for a namespace already gone.
  absl::Status DeleteModelNamespace(const ModelCluster& cluster);

  absl::StatusOr<std::optional<ModelCluster>> ClusterForModel(const std::string& model) override;
  // The cluster behind a Kubernetes cloud, with its shared client.
  absl::StatusOr<ModelCluster> ClusterForCloud(const std::string& cloud);

 private:
  std::string CredentialPath(const std::string& cloud) const;
  absl::StatusOr<kube::ClusterConfig> LoadCredential(const std::string& cloud);

  Db* db_;
  std::string dir_;
  ClientFactory factory_;
  Mutex add_mu_;
  Mutex mu_;
  // One client per cloud, made when first needed and shared by every caller.
  std::map<std::string, ModelCluster> clusters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::controller::domain::cloud
