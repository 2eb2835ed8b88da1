#include "controller/domain/model/model_service.h"

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "lib/base/credential.h"
#include "lib/base/names.h"
#include "lib/base/time.h"

namespace skein::controller::domain::model {

std::string ControllerName(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT name FROM controller WHERE id = 0");
  return q.executeStep() ? q.getColumn(0).getString() : "";
}

v1::ModelSummary SummaryOf(Tx& tx, const ModelRow& model, const std::string& controller_name) {
  v1::ModelSummary s;
  s.set_name(model.name);
  s.set_uuid(model.uuid);
  s.set_type("iaas");
  s.set_cloud("local");
  s.set_region("localhost");
  // A model being destroyed says so, as Juju's does: life dying, status destroying.
  const bool dying = model.life != Life::kAlive;
  s.set_life(dying ? "dying" : "alive");
  s.mutable_status()->set_current(dying ? "destroying" : "available");
  s.mutable_status()->set_since(model.created_at);
  int64_t machines = model.name == kControllerModel
                         ? sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM machines")
                         : sql::QueryInt(tx.db(), 0,
                                         "SELECT COUNT(*) FROM (SELECT machine_id FROM units WHERE model_id = ? "
                                         "UNION SELECT id FROM machines WHERE model_id = ?)",
                                         model.id, model.id);
  s.set_machine_count(static_cast<int32_t>(machines));
  s.set_unit_count(static_cast<int32_t>(
      sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM units WHERE model_id = ?", model.id)));
  s.set_controller(controller_name);
  s.set_agent_version(kAgentVersion);
  return s;
}

absl::StatusOr<ModelRow> AddModelInTx(Tx& tx, const std::string& name, const std::map<std::string, std::string>& config) {
  if (FindModel(tx, name).ok()) return absl::AlreadyExistsError(absl::StrCat("model \"", name, "\" already exists"));
  nlohmann::json config_json = nlohmann::json::object();
  for (const auto& [k, v] : config) config_json[k] = v;
  sql::Exec(tx.db(), "INSERT INTO models(name, uuid, config_json, created_at) VALUES (?, ?, ?, ?)", name, NewUuid(),
            config_json.dump(), FormatRfc3339(tx.clock().WallNow()));
  tx.Record(tx.db().getLastInsertRowid(), "model", name, "add");
  return FindModel(tx, name);
}

absl::StatusOr<bool> ModelService::Bootstrap(const BootstrapConfig& config) {
  bool created = false;
  absl::Status s = db_->Write("bootstrap", [&](Tx& tx) -> absl::Status {
    if (sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM controller") > 0) return absl::OkStatus();
    sql::Exec(tx.db(), "INSERT INTO controller(id, uuid, name, admin_credential_hash) VALUES (0, ?, ?, ?)",
              config.controller_uuid, config.controller_name, config.admin_credential_hash);
    sql::Exec(tx.db(), "INSERT INTO models(name, uuid, created_at) VALUES (?, ?, ?)", std::string(kControllerModel),
              NewUuid(), FormatRfc3339(tx.clock().WallNow()));
    sql::Exec(tx.db(),
              "INSERT INTO machines(id, hostname, address, credential_hash, unit_uids) VALUES ('0', ?, ?, ?, ?)",
              config.machine0_hostname, config.machine0_address, config.machine0_credential_hash,
              config.machine0_unit_uids);
    tx.Record(-1, "controller", config.controller_name, "bootstrap");
    tx.Touch(MachineKey("0"));
    created = true;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return created;
}

absl::StatusOr<ControllerInfo> ModelService::Controller() {
  ControllerInfo info;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    SQLite::Statement q(tx.db(), "SELECT uuid, name FROM controller WHERE id = 0");
    if (!q.executeStep()) return absl::FailedPreconditionError("controller not bootstrapped");
    info.uuid = q.getColumn(0).getString();
    info.name = q.getColumn(1).getString();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return info;
}

absl::StatusOr<ModelRow> ModelService::AddModel(const std::string& name) {
  if (!IsValidModelName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a valid name for a model"));
  }
  ModelRow model;
  absl::Status s = db_->Write("add-model", [&](Tx& tx) -> absl::Status {
    auto row = AddModelInTx(tx, name, {});
    if (!row.ok()) return row.status();
    model = *row;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return model;
}

absl::StatusOr<ModelRow> ModelService::GetModel(const std::string& name) {
  ModelRow model;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto row = FindModel(tx, name);
    if (!row.ok()) return row.status();
    model = *row;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return model;
}

absl::StatusOr<std::vector<v1::ModelSummary>> ModelService::ListModels() {
  std::vector<v1::ModelSummary> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    std::string controller = ControllerName(tx);
    for (const ModelRow& m : ListModelRows(tx)) out.push_back(SummaryOf(tx, m, controller));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<v1::ModelSummary> ModelService::Summary(const std::string& name) {
  v1::ModelSummary out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, name);
    if (!m.ok()) return m.status();
    out = SummaryOf(tx, *m, ControllerName(tx));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status ModelService::SetMachineAgentSeen(const std::string& machine_id, bool seen) {
  return db_->Write("machine-agent-presence", [&](Tx& tx) -> absl::Status {
    auto m = FindMachine(tx, machine_id);
    if (!m.ok()) return m.status();
    if (m->agent_seen == seen) return absl::OkStatus();
    tx.Touch(MachineKey(machine_id));  // status shows the machine's agent (WatchStatus)
    sql::Exec(tx.db(), "UPDATE machines SET agent_seen = ?, agent_since = ? WHERE id = ?", seen,
              FormatRfc3339(tx.clock().WallNow()), machine_id);
    return absl::OkStatus();
  });
}

absl::Status ModelService::ResetMachineAgents() {
  return db_->Write("reset-machine-agents", [&](Tx& tx) -> absl::Status {
    sql::Exec(tx.db(), "UPDATE machines SET agent_seen = 0 WHERE agent_seen != 0");
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::model
