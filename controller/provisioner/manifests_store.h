#pragma once

// The manifests reconciler's rows (schema 0022): the objects it applied to each Kubernetes
// model's cluster, which it deletes there once no longer sent, and the labelled namespaces its
// watch saw, which `skein manifests` expands decorations into. Writes record no change_log row
// and touch no hub key: they describe the cluster, not the model, and must not wake the
// reconciler that makes them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/provisioner/manifests_desired.h"

namespace skein::controller::provisioner {

struct AppliedObject {
  std::string api_version;
  ObjectKey key;
  std::string field_manager;
};

// The models with manifests or applied objects (the reconciler's candidates): name -> row id.
absl::StatusOr<std::map<std::string, int64_t>> ModelsWithObjects(domain::Db& db);

// NotFound `model "x" not found`.
absl::StatusOr<std::vector<AppliedObject>> ListApplied(domain::Db& db, const std::string& model);
absl::Status RecordApplied(domain::Db& db, const std::string& model, const AppliedObject& object);
absl::Status ForgetApplied(domain::Db& db, const std::string& model, const ObjectKey& key);

// Replaces the model's recorded cluster namespaces with `namespaces` (only those carrying one of
// its decorations' labels are worth keeping); writes nothing when they are unchanged.
absl::Status RecordClusterNamespaces(domain::Db& db, const std::string& model, const NamespaceLabels& namespaces);

}  // namespace skein::controller::provisioner
