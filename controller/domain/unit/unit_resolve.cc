// `skein resolved` on the controller side (juju-semantics §1.7): the request waits on the unit
// row until the unit's agent acts on it and clears it.

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/unit/unit_service.h"

namespace skein::controller::domain::unit {

absl::StatusOr<std::vector<std::string>> UnitService::ResolveUnits(const std::string& model,
                                                                   const std::vector<std::string>& units,
                                                                   bool no_retry, bool all) {
  std::vector<std::string> marked;
  absl::Status s = db_->Write("resolve-units", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    std::vector<UnitRow> targets;
    if (all) {
      SQLite::Statement q = sql::Prepare(
          tx.db(), "SELECT id FROM units WHERE model_id = ? AND agent_status = 'error' ORDER BY id", m->id);
      while (q.executeStep()) {
        auto u = FindUnitById(tx, q.getColumn(0).getInt64());
        if (u.ok()) targets.push_back(*u);
      }
    } else {
      for (const std::string& name : units) {
        auto u = FindUnit(tx, m->id, name);
        if (!u.ok()) return absl::NotFoundError(absl::StrCat("unit \"", name, "\" not found"));
        // Juju checks the agent status: only a unit whose hook failed can be resolved.
        if (u->agent.status != "error") {
          return absl::FailedPreconditionError(absl::StrCat("unit \"", name, "\" is not in an error state"));
        }
        targets.push_back(*u);
      }
    }
    for (const UnitRow& u : targets) {
      sql::Exec(tx.db(), "UPDATE units SET resolve_mode = ?, resolve_serial = resolve_serial + 1 WHERE id = ?",
                std::string(no_retry ? "no-retry" : "retry"), u.id);
      tx.Record(m->id, "unit", u.name, "resolve");
      tx.Touch(UnitKey(u.id));
      marked.push_back(u.name);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return marked;
}

absl::Status UnitService::ClearResolved(int64_t unit_id, int64_t serial) {
  return db_->Write("clear-resolved", [&](Tx& tx) -> absl::Status {
    int changed = sql::Exec(tx.db(), "UPDATE units SET resolve_mode = '' WHERE id = ? AND resolve_serial = ? "
                            "AND resolve_mode != ''", unit_id, serial);
    if (changed > 0) tx.Touch(UnitKey(unit_id));
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::unit
