#include "controller/domain/model/model_lifecycle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/model/model_service.h"
#include "lib/base/names.h"
#include "lib/base/time.h"

namespace skein::controller::domain::model {
namespace {

Life LifeOf(Tx& tx, int64_t model_id) {
  return static_cast<Life>(sql::QueryInt(tx.db(), 0, "SELECT life FROM models WHERE id = ?", model_id));
}

}  // namespace

bool ModelLifecycleService::Answers(int64_t unit_id) const {
  return presence_ != nullptr && presence_->Of(UnitKey(unit_id)) == presence::Liveness::kConnected;
}

absl::StatusOr<ModelRow> ModelLifecycleService::CreateModel(const std::string& name,
                                                           const std::map<std::string, std::string>& config) {
  if (!IsValidModelName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a valid name for a model"));
  }
  auto normalised = NormaliseModelConfig(config);
  if (!normalised.ok()) return normalised.status();
  ModelRow model;
  absl::Status s = db_->Write("add-model", [&](Tx& tx) -> absl::Status {
    auto row = AddModelInTx(tx, name, *normalised);
    if (!row.ok()) return row.status();
    model = *row;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return model;
}

namespace {

// destroy-model --destroy-storage: every instance goes with its unit (dying instances are removed
// with it, storage_service.h), and the machine agents remove what is left of the model's storage
// directories, detached instances included, once the model's units have left them
// (MachineSnapshot.storage_destroyed_models).
void MarkStorageDestroyed(Tx& tx, const ModelRow& model) {
  sql::Exec(tx.db(), "INSERT OR IGNORE INTO destroyed_model_storage (model_uuid, destroyed_at) VALUES (?, ?)",
            model.uuid, FormatRfc3339(tx.clock().WallNow()));
  auto holders = sql::Prepare(tx.db(),
                              "SELECT DISTINCT u.id FROM storage_instances s JOIN units u ON u.id = s.unit_id "
                              "WHERE s.model_id = ? AND s.life = 0",
                              model.id);
  while (holders.executeStep()) tx.Touch(UnitKey(holders.getColumn(0).getInt64()));
  sql::Exec(tx.db(), "UPDATE storage_instances SET life = 1 WHERE model_id = ?", model.id);
  // A detached instance's directory is on no unit's machine any more: every machine hears of it.
  auto machines = sql::Prepare(tx.db(), "SELECT id FROM machines");
  while (machines.executeStep()) tx.Touch(MachineKey(machines.getColumn(0).getString()));
}

}  // namespace

absl::StatusOr<DestroyModelResult> ModelLifecycleService::DestroyModel(const std::string& name,
                                                                      const DestroyModelOptions& options) {
  if (name == kControllerModel) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot destroy the controller model \"", name, "\": use skein kill-controller to remove the controller"));
  }
  DestroyModelResult result;
  absl::Status s = db_->Write("destroy-model", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, name);
    if (!m.ok()) return m.status();
    const int64_t storage = sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM storage_instances WHERE model_id = ?", m->id);
    if (storage > 0 && !options.destroy_storage && !options.release_storage) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot destroy model \"", name, "\": the model has persistent storage remaining (", storage,
          " storage instance(s)); run again with --destroy-storage to destroy it, or with --release-storage to "
          "keep its directories on disk"));
    }
    if (options.destroy_storage) MarkStorageDestroyed(tx, *m);
    if (LifeOf(tx, m->id) == Life::kAlive) {
      sql::Exec(tx.db(), "UPDATE models SET life = 1 WHERE id = ?", m->id);
      tx.Record(m->id, "model", name, "dying");
    }
    for (const AppRow& a : AppsOfModel(tx, m->id)) {
      result.applications.push_back(a.name);
      if (a.life == Life::kAlive) {
        sql::Exec(tx.db(), "UPDATE applications SET life = 1 WHERE id = ?", a.id);
        tx.Touch(AppKey(a.id));
        tx.Record(m->id, "application", a.name, "dying");
      }
      for (const UnitRow& u : UnitsOfApp(tx, a.id)) {
        result.units.push_back(u.name);
        if (options.remove_now || (options.force && !Answers(u.id))) {
          DeleteUnit(tx, u);
          continue;
        }
        if (u.life != Life::kAlive) continue;
        sql::Exec(tx.db(), "UPDATE units SET life = 1 WHERE id = ?", u.id);
        tx.Touch(UnitKey(u.id));
        tx.Touch(MachineKey(u.machine_id));
        tx.Record(m->id, "unit", u.name, "dying");
      }
    }
    for (const RelationRow& r : RelationsOfModel(tx, m->id)) DestroyRelation(tx, r);
    CleanupDying(tx, m->id);  // deletes the model itself once nothing in it has hooks to run
    result.removed = !FindModel(tx, name).ok();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<ModelDetailsView> ModelLifecycleService::Details(const std::string& name) {
  ModelDetailsView view;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, name);
    if (!m.ok()) return m.status();
    view.summary = SummaryOf(tx, *m, ControllerName(tx));
    view.life = LifeOf(tx, m->id);
    SQLite::Statement uuid(tx.db(), "SELECT uuid FROM controller WHERE id = 0");
    if (uuid.executeStep()) view.controller_uuid = uuid.getColumn(0).getString();
    // The controller model holds every machine (as its summary counts them); another model the
    // machines its units run on and those added to it.
    SQLite::Statement q = name == kControllerModel
                              ? sql::Prepare(tx.db(), "SELECT id FROM machines")
                              : sql::Prepare(tx.db(),
                                             "SELECT machine_id FROM units WHERE model_id = ? "
                                             "UNION SELECT id FROM machines WHERE model_id = ?",
                                             m->id, m->id);
    while (q.executeStep()) view.machines.push_back(q.getColumn(0).getString());
    std::sort(view.machines.begin(), view.machines.end(),
              [](const std::string& a, const std::string& b) { return NaturalLess(a, b); });
    view.application_count = static_cast<int>(
        sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM applications WHERE model_id = ?", m->id));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

absl::StatusOr<Constraints> ModelLifecycleService::GetConstraints(const std::string& model) {
  std::string text;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    SQLite::Statement q = sql::Prepare(tx.db(), "SELECT constraints FROM models WHERE id = ?", m->id);
    if (q.executeStep()) text = q.getColumn(0).getString();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return ParseConstraints(text);
}

absl::StatusOr<Constraints> ModelLifecycleService::SetConstraints(const std::string& model, const std::string& text) {
  auto constraints = ParseConstraints(text);
  if (!constraints.ok()) return constraints.status();
  absl::Status s = db_->Write("set-model-constraints", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    sql::Exec(tx.db(), "UPDATE models SET constraints = ? WHERE id = ?", FormatConstraints(*constraints), m->id);
    tx.Record(m->id, "model", m->name, "constraints");
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return *constraints;
}

}  // namespace skein::controller::domain::model
