#include "controller/domain/cloud/cloud_store.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/model/model_service.h"
#include "lib/base/file_write.h"
#include "lib/base/names.h"
#include "lib/base/status_macros.h"
#include "lib/base/time.h"
#include "lib/kube/kubeconfig.h"

namespace skein::controller::domain::cloud {
namespace {

namespace fs = std::filesystem;

constexpr char kKubernetesType[] = "kubernetes";

// Cloud names follow model names' rule (lowercase letters, digits and hyphens): they become file
// names under the controller's data directory, so nothing else may slip in.
bool IsValidCloudName(const std::string& name) { return IsValidModelName(name) && !IsLocalCloudName(name); }

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InternalError(absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What agents may see of a cluster: where it is and which CA signs it, never the credential.
kube::ClusterConfig PublicPart(const kube::ClusterConfig& config) {
  kube::ClusterConfig out;
  out.server = config.server;
  out.ca_pem = config.ca_pem;
  out.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
  return out;
}

ClientFactory DefaultFactory() {
  return [](const kube::ClusterConfig& config) -> absl::StatusOr<std::shared_ptr<kube::Client>> {
    auto client = kube::Client::Create(config);
    if (!client.ok()) return client.status();
    return std::shared_ptr<kube::Client>(std::move(*client));
  };
}

}  // namespace

bool IsLocalCloudName(const std::string& name) {
  return name.empty() || name == kLocalCloud || name == "local" || absl::StartsWith(name, "local/");
}

kube::Json NamespaceObject(const std::string& model, const std::string& model_uuid) {
  return {{"apiVersion", "v1"},
          {"kind", "Namespace"},
          {"metadata",
           {{"name", model},
            {"labels", {{"model.juju.is/name", model}, {"model.juju.is/id", model_uuid}}},
            {"annotations", {{"model.juju.is/id", model_uuid}}}}}};
}

CloudStore::CloudStore(Db* db, std::string dir, ClientFactory factory)
    : db_(db), dir_(std::move(dir)), factory_(factory ? std::move(factory) : DefaultFactory()) {}

std::string CloudStore::CredentialPath(const std::string& cloud) const {
  return (fs::path(dir_) / (cloud + ".kubeconfig")).string();
}

absl::StatusOr<CloudInfo> CloudStore::AddKubernetesCloud(const std::string& name, const std::string& kubeconfig_yaml,
                                                         const std::string& context) {
  if (!IsValidCloudName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", name, "\" is not a valid cloud name: use lowercase letters, digits and hyphens (not \"localhost\")"));
  }
  // One add at a time: the name's check, its credential file and its row go together.
  MutexLock adding(add_mu_);
  bool exists = false;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    exists = sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM clouds WHERE name = ?", name) > 0;
    return absl::OkStatus();
  }));
  if (exists) return absl::AlreadyExistsError(absl::StrCat("cloud \"", name, "\" already exists"));

  auto config = kube::ParseKubeconfig(kubeconfig_yaml, context);
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid kubeconfig: ", config.status().message()));
  }
  auto client = factory_(*config);
  if (!client.ok()) return client.status();
  // A credential the cluster refuses, or an address nobody answers at, is reported now rather
  // than at the first add-model.
  // Whatever the cluster answered is FailedPrecondition here: Unavailable or Unauthenticated
  // would read as the controller's own (the CLI says it cannot connect to the controller).
  if (auto listed = (*client)->List("v1", "Namespace", ""); !listed.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot reach cluster at ", config->server, ": ", listed.status().message()));
  }

  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir_, ": ", ec.message()));
  ::chmod(dir_.c_str(), 0700);
  const std::string path = CredentialPath(name);
  RETURN_IF_ERROR(WriteFileAtomic(path, kube::RenderKubeconfig(*config, name), 0600));
  CloudInfo info{name, CloudType::kKubernetes, config->server};
  absl::Status s = db_->Write("add-k8s", [&](Tx& tx) -> absl::Status {
    if (sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM clouds WHERE name = ?", name) > 0) {
      return absl::AlreadyExistsError(absl::StrCat("cloud \"", name, "\" already exists"));
    }
    sql::Exec(tx.db(), "INSERT INTO clouds(name, type, endpoint, created_at) VALUES (?, ?, ?, ?)", name,
              std::string(kKubernetesType), info.endpoint, FormatRfc3339(tx.clock().WallNow()));
    tx.Record(-1, "cloud", name, "add");
    tx.Touch(kCloudModelsKey);
    return absl::OkStatus();
  });
  if (!s.ok()) {
    fs::remove(path, ec);  // no row, no credential
    return s;
  }
  MutexLock lock(mu_);
  clusters_.erase(name);
  return info;
}

absl::StatusOr<std::vector<CloudInfo>> CloudStore::ListClouds() {
  std::vector<CloudInfo> clouds{{kLocalCloud, CloudType::kLocal, ""}};
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    auto q = sql::Prepare(tx.db(), "SELECT name, endpoint FROM clouds ORDER BY name");
    while (q.executeStep()) {
      clouds.push_back({q.getColumn(0).getString(), CloudType::kKubernetes, q.getColumn(1).getString()});
    }
    return absl::OkStatus();
  }));
  return clouds;
}

absl::Status CloudStore::RemoveCloud(const std::string& name) {
  if (IsLocalCloudName(name)) {
    return absl::FailedPreconditionError(absl::StrCat("cloud \"", name, "\" is the controller's own and cannot be removed"));
  }
  MutexLock adding(add_mu_);
  RETURN_IF_ERROR(db_->Write("remove-cloud", [&](Tx& tx) -> absl::Status {
    if (sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM clouds WHERE name = ?", name) == 0) {
      return absl::NotFoundError(absl::StrCat("cloud \"", name, "\" not found"));
    }
    const int64_t models = sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM models WHERE cloud = ?", name);
    if (models > 0) {
      return absl::FailedPreconditionError(absl::StrCat("cloud \"", name, "\" is used by ", models,
                                                        " model(s): destroy them first"));
    }
    sql::Exec(tx.db(), "DELETE FROM clouds WHERE name = ?", name);
    tx.Record(-1, "cloud", name, "remove");
    tx.Touch(kCloudModelsKey);
    return absl::OkStatus();
  }));
  std::error_code ec;
  fs::remove(CredentialPath(name), ec);
  MutexLock lock(mu_);
  clusters_.erase(name);
  return absl::OkStatus();
}

absl::StatusOr<kube::ClusterConfig> CloudStore::LoadCredential(const std::string& cloud) {
  ASSIGN_OR_RETURN(std::string text, ReadWhole(CredentialPath(cloud)));
  auto config = kube::ParseKubeconfig(text, "");
  if (!config.ok()) {
    return absl::InternalError(absl::StrCat("stored credential of cloud \"", cloud, "\": ", config.status().message()));
  }
  return config;
}

absl::StatusOr<ModelCluster> CloudStore::ClusterForCloud(const std::string& cloud) {
  {
    MutexLock lock(mu_);
    if (auto it = clusters_.find(cloud); it != clusters_.end()) return it->second;
  }
  bool exists = false;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    exists = sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM clouds WHERE name = ?", cloud) > 0;
    return absl::OkStatus();
  }));
  if (!exists) return absl::NotFoundError(absl::StrCat("cloud \"", cloud, "\" not found"));
  ASSIGN_OR_RETURN(kube::ClusterConfig config, LoadCredential(cloud));
  ASSIGN_OR_RETURN(std::shared_ptr<kube::Client> client, factory_(config));
  ModelCluster cluster{cloud, "", "", std::move(client), PublicPart(config)};
  MutexLock lock(mu_);
  return clusters_.try_emplace(cloud, std::move(cluster)).first->second;
}

absl::StatusOr<std::optional<ModelCluster>> CloudStore::ClusterForModel(const std::string& model) {
  ModelRow row;
  std::string cloud;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(row, FindModel(tx, model));
    auto q = sql::Prepare(tx.db(), "SELECT cloud FROM models WHERE id = ?", row.id);
    if (q.executeStep()) cloud = q.getColumn(0).getString();
    return absl::OkStatus();
  }));
  if (IsLocalCloudName(cloud)) return std::nullopt;
  ASSIGN_OR_RETURN(ModelCluster cluster, ClusterForCloud(cloud));
  cluster.ns = row.name;
  cluster.model_uuid = row.uuid;
  return std::optional<ModelCluster>(std::move(cluster));
}

absl::StatusOr<ModelRow> CloudStore::AddModelOnCloud(const std::string& name,
                                                     const std::map<std::string, std::string>& config,
                                                     const std::string& cloud) {
  if (!IsValidModelName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a valid name for a model"));
  }
  ASSIGN_OR_RETURN(ModelCluster cluster, ClusterForCloud(cloud));
  ModelRow row;
  // The namespace is applied inside the transaction: if the cluster refuses it, the model row
  // rolls back and add-model changes nothing. One apply on a cluster the controller reaches is
  // short enough to hold the write lock for; add-model is rare.
  RETURN_IF_ERROR(db_->Write("add-model", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(row, model::AddModelInTx(tx, name, config));
    sql::Exec(tx.db(), "UPDATE models SET cloud = ? WHERE id = ?", cloud, row.id);
    tx.Touch(kCloudModelsKey);
    auto applied = cluster.client->Apply(NamespaceObject(row.name, row.uuid), {.field_manager = "skein"});
    if (!applied.ok()) {
      return absl::Status(applied.status().code(), absl::StrCat("cannot create namespace \"", name, "\" on cloud \"",
                                                                cloud, "\": ", applied.status().message()));
    }
    return absl::OkStatus();
  }));
  return row;
}

absl::Status CloudStore::DeleteModelNamespace(const ModelCluster& cluster) {
  // The applications' ClusterRoles and bindings are outside the namespace; the provisioner
  // labels them with the model's name so that they go with it.
  for (const char* kind : {"ClusterRoleBinding", "ClusterRole"}) {
    auto listed = cluster.client->List("rbac.authorization.k8s.io/v1", kind, "",
                                       {.label_selector = absl::StrCat("model.juju.is/name=", cluster.ns)});
    if (!listed.ok()) return listed.status();
    for (const kube::Json& item : listed->value("items", kube::Json::array())) {
      absl::Status s =
          cluster.client->Delete({"rbac.authorization.k8s.io/v1", kind, "", item["metadata"].value("name", "")});
      if (!s.ok() && !absl::IsNotFound(s)) return s;
    }
  }
  absl::Status s = cluster.client->Delete({"v1", "Namespace", "", cluster.ns});
  if (absl::IsNotFound(s)) return absl::OkStatus();
  return s;
}

}  // namespace skein::controller::domain::cloud
