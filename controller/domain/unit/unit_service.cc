#include "controller/domain/unit/unit_service.h"

#include "absl/strings/str_cat.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/status/derivation.h"
#include "controller/domain/storage/storage_service.h"
#include "lib/base/credential.h"
#include "lib/base/limits.h"
#include "lib/base/status_macros.h"
#include "lib/base/time.h"

namespace skein::controller::domain::unit {
namespace {

constexpr char kNotLeader[] = "this unit is not the leader";

}  // namespace

absl::StatusOr<LoginInfo> UnitService::Login(const auth::Principal& who) {
  LoginInfo info;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    SQLite::Statement c(tx.db(), "SELECT uuid FROM controller WHERE id = 0");
    if (c.executeStep()) info.controller_uuid = c.getColumn(0).getString();
    info.machine_id = who.machine_id;
    if (who.kind == auth::Kind::kUnit) {
      auto u = FindUnitById(tx, who.unit_id);
      if (!u.ok()) return u.status();
      auto m = FindModelById(tx, u->model_id);
      if (!m.ok()) return m.status();
      info.model_name = m->name;
      info.model_uuid = m->uuid;
      info.last_commit_seq = u->last_commit_seq;
      info.unit = u->name;
      info.application = u->application;
      return absl::OkStatus();
    }
    auto m = FindModel(tx, kControllerModel);
    if (m.ok()) {
      info.model_name = m->name;
      info.model_uuid = m->uuid;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return info;
}

absl::Status UnitService::SetUnitCredential(const std::string& machine_id, const UnitRef& unit,
                                            const std::string& credential) {
  return db_->Write("set-unit-credential", [&](Tx& tx) -> absl::Status {
    std::vector<UnitRow> candidates;
    if (!unit.model_uuid.empty()) {
      auto model = FindModelByUuid(tx, unit.model_uuid);
      if (!model.ok()) return model.status();
      auto u = FindUnit(tx, model->id, unit.name);
      if (!u.ok()) return u.status();
      candidates.push_back(*u);
    } else {
      candidates = UnitsNamed(tx, unit.name);
      if (candidates.empty()) return absl::NotFoundError(absl::StrCat("unit \"", unit.name, "\" not found"));
    }
    std::vector<const UnitRow*> here;
    for (const UnitRow& u : candidates) {
      if (u.machine_id == machine_id) here.push_back(&u);
    }
    if (here.empty()) return absl::PermissionDeniedError("permission denied");
    if (here.size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unit \"", unit.name, "\" exists in several models; the request must name the model UUID"));
    }
    sql::Exec(tx.db(), "UPDATE units SET credential_hash = ? WHERE id = ?", HashCredential(credential), here[0]->id);
    return absl::OkStatus();
  });
}

absl::Status UnitService::SetStatus(int64_t unit_id, StatusTarget target, const StatusValue& status) {
  RETURN_IF_ERROR(limits::CheckSize(limits::kStatusMessage, "the status message", status.message.size()));
  bool valid = target == StatusTarget::kAgent ? status::IsAgentStatus(status.status)
                                              : status::IsWorkloadStatus(status.status);
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrCat(target == StatusTarget::kAgent ? "invalid agent status \""
                                                                                  : "invalid workload status \"",
                                                   status.status, "\""));
  }
  return db_->Write("set-status", [&](Tx& tx) -> absl::Status {
    auto u = FindUnitById(tx, unit_id);
    if (!u.ok()) return u.status();
    std::string now = FormatRfc3339(tx.clock().WallNow());
    switch (target) {
      case StatusTarget::kWorkload:
        sql::Exec(tx.db(),
                  "UPDATE units SET workload_status = ?, workload_message = ?, workload_data = ?, workload_since = ? "
                  "WHERE id = ?",
                  status.status, status.message, status.data_json, now, u->id);
        break;
      case StatusTarget::kAgent:
        sql::Exec(tx.db(),
                  "UPDATE units SET agent_status = ?, agent_message = ?, agent_data = ?, agent_since = ? WHERE id = ?",
                  status.status, status.message, status.data_json, now, u->id);
        break;
      case StatusTarget::kApplication: {
        auto app = FindAppById(tx, u->application_id);
        if (!app.ok()) return app.status();
        if (app->leader_unit != u->name) return absl::PermissionDeniedError(kNotLeader);
        sql::Exec(tx.db(),
                  "UPDATE applications SET status = ?, status_message = ?, status_data = ?, status_since = ? "
                  "WHERE id = ?",
                  status.status, status.message, status.data_json, now, app->id);
        break;
      }
    }
    tx.Touch(ModelKey(u->model_id));  // status watchers see it (no change_log row for a status)
    return absl::OkStatus();
  });
}

absl::StatusOr<AgentStatusView> UnitService::GetStatus(int64_t unit_id, bool application) {
  AgentStatusView view;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto u = FindUnitById(tx, unit_id);
    if (!u.ok()) return u.status();
    view.unit = u->workload;
    if (!application) return absl::OkStatus();
    auto app = FindAppById(tx, u->application_id);
    if (!app.ok()) return app.status();
    if (app->leader_unit != u->name) return absl::PermissionDeniedError(kNotLeader);
    std::vector<UnitRow> units = UnitsOfApp(tx, app->id);
    view.application = status::ApplicationStatus(*app, units);
    for (const UnitRow& other : units) view.units[other.name] = other.workload;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

absl::Status UnitService::SetWorkloadVersion(int64_t unit_id, const std::string& version) {
  RETURN_IF_ERROR(limits::CheckSize(limits::kApplicationVersion, "the application version", version.size()));
  return db_->Write("set-workload-version", [&](Tx& tx) -> absl::Status {
    sql::Exec(tx.db(), "UPDATE units SET workload_version = ? WHERE id = ?", version, unit_id);
    int64_t model_row = sql::QueryInt(tx.db(), -1, "SELECT model_id FROM units WHERE id = ?", unit_id);
    if (model_row >= 0) tx.Touch(ModelKey(model_row));  // status shows the version
    return absl::OkStatus();
  });
}

absl::StatusOr<UnitService::CharmContent> UnitService::GetCharm(int64_t unit_id, const std::string& url) {
  CharmContent content;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto u = FindUnitById(tx, unit_id);
    if (!u.ok()) return u.status();
    auto app = FindAppById(tx, u->application_id);
    if (!app.ok()) return app.status();
    SQLite::Statement q = sql::Prepare(tx.db(), "SELECT id, sha256, size FROM charms WHERE model_id = ? AND url = ?",
                                       u->model_id, url);
    if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("charm \"", url, "\" not found"));
    if (q.getColumn(0).getInt64() != app->charm_id) return absl::PermissionDeniedError("permission denied");
    content.sha256 = q.getColumn(1).getString();
    content.size = q.getColumn(2).getInt64();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return content;
}

absl::Status UnitService::MarkUnitDead(int64_t unit_id) {
  return db_->Write("mark-unit-dead", [&](Tx& tx) -> absl::Status {
    auto u = FindUnitById(tx, unit_id);
    if (!u.ok()) return u.status();
    if (u->life != Life::kDying) {
      return absl::FailedPreconditionError(absl::StrCat("unit \"", u->name, "\" is not dying"));
    }
    storage::ReleaseUnitStorageInTx(tx, *u);
    DeleteUnit(tx, *u);
    CleanupDying(tx, u->model_id);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::unit
