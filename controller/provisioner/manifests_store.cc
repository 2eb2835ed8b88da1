#include "controller/provisioner/manifests_store.h"

#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "nlohmann/json.hpp"

namespace skein::controller::provisioner {

using domain::Tx;
namespace sql = domain::sql;

absl::StatusOr<std::map<std::string, int64_t>> ModelsWithObjects(domain::Db& db) {
  std::map<std::string, int64_t> out;
  absl::Status s = db.Read([&](Tx& tx) -> absl::Status {
    SQLite::Statement q = sql::Prepare(tx.db(),
                                       "SELECT name, id FROM models WHERE id IN (SELECT model_id FROM manifests UNION "
                                       "SELECT model_id FROM applied_objects) ORDER BY name");
    while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<AppliedObject>> ListApplied(domain::Db& db, const std::string& model) {
  std::vector<AppliedObject> out;
  absl::Status s = db.Read([&](Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return m.status();
    SQLite::Statement q = sql::Prepare(tx.db(),
                                       "SELECT api_version, namespace, kind, name, field_manager FROM applied_objects "
                                       "WHERE model_id = ? ORDER BY namespace, kind, name",
                                       m->id);
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getString(),
                     {q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString()},
                     q.getColumn(4).getString()});
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status RecordApplied(domain::Db& db, const std::string& model, const AppliedObject& object) {
  return db.Write("record-applied-object", [&](Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return m.status();
    sql::Exec(tx.db(),
              "INSERT INTO applied_objects (model_id, namespace, kind, name, api_version, field_manager) "
              "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (model_id, namespace, kind, name) DO UPDATE SET "
              "api_version = excluded.api_version, field_manager = excluded.field_manager",
              m->id, object.key.ns, object.key.kind, object.key.name, object.api_version, object.field_manager);
    return absl::OkStatus();
  });
}

absl::Status ForgetApplied(domain::Db& db, const std::string& model, const ObjectKey& key) {
  return db.Write("forget-applied-object", [&](Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return m.status();
    sql::Exec(tx.db(), "DELETE FROM applied_objects WHERE model_id = ? AND namespace = ? AND kind = ? AND name = ?",
              m->id, key.ns, key.kind, key.name);
    return absl::OkStatus();
  });
}

absl::Status RecordClusterNamespaces(domain::Db& db, const std::string& model, const NamespaceLabels& namespaces) {
  std::map<std::string, std::string> wanted;
  for (const auto& [name, labels] : namespaces) wanted[name] = nlohmann::json(labels).dump();
  std::map<std::string, std::string> current;
  absl::Status s = db.Read([&](Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return m.status();
    SQLite::Statement q = sql::Prepare(tx.db(), "SELECT name, labels_json FROM cluster_namespaces WHERE model_id = ?", m->id);
    while (q.executeStep()) current[q.getColumn(0).getString()] = q.getColumn(1).getString();
    return absl::OkStatus();
  });
  if (!s.ok() || current == wanted) return s;
  return db.Write("record-cluster-namespaces", [&](Tx& tx) -> absl::Status {
    auto m = domain::FindModel(tx, model);
    if (!m.ok()) return m.status();
    sql::Exec(tx.db(), "DELETE FROM cluster_namespaces WHERE model_id = ?", m->id);
    for (const auto& [name, labels] : wanted) {
      sql::Exec(tx.db(), "INSERT INTO cluster_namespaces (model_id, name, labels_json) VALUES (?, ?, ?)", m->id, name,
                labels);
    }
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::provisioner
