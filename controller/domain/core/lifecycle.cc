#include "controller/domain/core/lifecycle.h"

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"

namespace skein::controller::domain {

Bag ReadBag(Tx& tx, int64_t relation_row, const std::string& owner, bool is_app) {
  SQLite::Statement q = sql::Prepare(
      tx.db(), "SELECT key, value FROM relation_settings WHERE relation_id = ? AND owner = ? AND is_app = ?",
      relation_row, owner, is_app);
  Bag bag;
  while (q.executeStep()) bag[q.getColumn(0).getString()] = q.getColumn(1).getString();
  return bag;
}

int64_t BagVersion(Tx& tx, int64_t relation_row, const std::string& owner, bool is_app) {
  return sql::QueryInt(tx.db(), 0,
                       "SELECT version FROM relation_bags WHERE relation_id = ? AND owner = ? AND is_app = ?",
                       relation_row, owner, is_app);
}

bool WriteBag(Tx& tx, int64_t relation_row, const std::string& owner, bool is_app, const Bag& set,
              const std::vector<std::string>& unset) {
  sql::Exec(tx.db(), "INSERT OR IGNORE INTO relation_bags(relation_id, owner, is_app, version) VALUES (?, ?, ?, 0)",
            relation_row, owner, is_app);
  bool changed = false;
  auto remove = [&](const std::string& key) {
    changed |= sql::Exec(tx.db(),
                         "DELETE FROM relation_settings WHERE relation_id = ? AND owner = ? AND is_app = ? AND key = ?",
                         relation_row, owner, is_app, key) > 0;
  };
  for (const std::string& key : unset) remove(key);
  for (const auto& [key, value] : set) {
    if (value.empty()) {
      remove(key);
      continue;
    }
    SQLite::Statement cur = sql::Prepare(
        tx.db(), "SELECT value FROM relation_settings WHERE relation_id = ? AND owner = ? AND is_app = ? AND key = ?",
        relation_row, owner, is_app, key);
    if (cur.executeStep() && cur.getColumn(0).getString() == value) continue;
    sql::Exec(tx.db(),
              "INSERT OR REPLACE INTO relation_settings(relation_id, owner, is_app, key, value) VALUES (?, ?, ?, ?, ?)",
              relation_row, owner, is_app, key, value);
    changed = true;
  }
  if (changed) {
    sql::Exec(tx.db(), "UPDATE relation_bags SET version = version + 1 WHERE relation_id = ? AND owner = ? AND is_app = ?",
              relation_row, owner, is_app);
    tx.Touch(RelationKey(relation_row));
    tx.Record(-1, "relation-settings", owner, "set");
  }
  return changed;
}

void EnterScope(Tx& tx, const RelationRow& relation, const UnitRow& unit) {
  sql::Exec(tx.db(), "INSERT OR IGNORE INTO relation_scopes(relation_id, unit_id) VALUES (?, ?)", relation.id, unit.id);
  std::string address;
  auto machine = FindMachine(tx, unit.machine_id);
  if (machine.ok()) address = machine->address;
  Bag prepopulated{{"private-address", address},
                   {"ingress-address", address},
                   {"egress-subnets", address.empty() ? "" : absl::StrCat(address, "/32")}};
  WriteBag(tx, relation.id, unit.name, /*is_app=*/false, prepopulated, {});
  tx.Touch(RelationKey(relation.id));
  tx.Record(relation.model_id, "relation-scope", unit.name, absl::StrCat("enter ", relation.relation_id));
}

bool LeaveScope(Tx& tx, const RelationRow& relation, int64_t unit_id) {
  bool left = sql::Exec(tx.db(), "DELETE FROM relation_scopes WHERE relation_id = ? AND unit_id = ?", relation.id,
                        unit_id) > 0;
  if (left) {
    tx.Touch(RelationKey(relation.id));
    tx.Record(relation.model_id, "relation-scope", absl::StrCat(unit_id), absl::StrCat("leave ", relation.relation_id));
  }
  return left;
}

std::string RelationKeyOf(const std::vector<EndpointRow>& endpoints) {
  if (endpoints.size() == 1) return endpoints[0].Spec();
  const EndpointRow* req = &endpoints[0];
  const EndpointRow* prov = &endpoints[1];
  if (req->role != charm::Role::kRequires) std::swap(req, prov);
  return absl::StrCat(req->Spec(), " ", prov->Spec());
}

absl::StatusOr<RelationRow> CreateRelation(Tx& tx, int64_t model_id, std::vector<EndpointRow> endpoints) {
  if (endpoints.empty() || endpoints.size() > 2) return absl::InternalError("a relation has one or two endpoints");
  if (endpoints.size() == 2 && endpoints[0].role != charm::Role::kRequires) std::swap(endpoints[0], endpoints[1]);
  int64_t relation_id =
      sql::QueryInt(tx.db(), 0, "SELECT next_relation_id FROM models WHERE id = ?", model_id);
  sql::Exec(tx.db(), "UPDATE models SET next_relation_id = next_relation_id + 1 WHERE id = ?", model_id);
  RelationRow r;
  r.model_id = model_id;
  r.relation_id = relation_id;
  r.key = RelationKeyOf(endpoints);
  r.interface = endpoints[0].interface;
  r.is_peer = endpoints.size() == 1;
  sql::Exec(tx.db(), "INSERT INTO relations(model_id, relation_id, key, interface, is_peer, life) VALUES (?, ?, ?, ?, ?, 0)",
            model_id, relation_id, r.key, r.interface, r.is_peer);
  r.id = tx.db().getLastInsertRowid();
  for (const EndpointRow& e : endpoints) {
    sql::Exec(tx.db(),
              "INSERT INTO relation_endpoints(relation_id, application_id, endpoint, role, interface, scope) "
              "VALUES (?, ?, ?, ?, ?, ?)",
              r.id, e.application_id, e.endpoint, charm::RoleName(e.role), e.interface, e.scope);
    tx.Touch(AppKey(e.application_id));
  }
  r.endpoints = endpoints;
  tx.Record(model_id, "relation", r.key, "add");
  for (const EndpointRow& e : endpoints) {
    for (const UnitRow& u : UnitsOfApp(tx, e.application_id)) {
      if (u.life == Life::kAlive) EnterScope(tx, r, u);
    }
  }
  return r;
}

void ElectLeader(Tx& tx, int64_t app_id) {
  auto app = FindAppById(tx, app_id);
  if (!app.ok()) return;
  std::vector<UnitRow> units = UnitsOfApp(tx, app_id);
  const UnitRow* current = nullptr;
  const UnitRow* lowest_alive = nullptr;
  for (const UnitRow& u : units) {
    if (u.name == app->leader_unit) current = &u;
    if (u.life == Life::kAlive && lowest_alive == nullptr) lowest_alive = &u;
  }
  std::string leader;
  if (current != nullptr && current->life == Life::kAlive) {
    leader = current->name;
  } else if (lowest_alive != nullptr) {
    leader = lowest_alive->name;
  } else if (current != nullptr) {
    leader = current->name;  // a dying leader keeps leading its own removal
  }
  if (leader == app->leader_unit) return;
  if (leader.empty()) {
    sql::Exec(tx.db(), "UPDATE applications SET leader_unit = NULL WHERE id = ?", app_id);
  } else {
    sql::Exec(tx.db(), "UPDATE applications SET leader_unit = ? WHERE id = ?", leader, app_id);
  }
  tx.Touch(AppKey(app_id));
  tx.Record(app->model_id, "application", app->name, absl::StrCat("leader ", leader));
}

void DeleteRelation(Tx& tx, const RelationRow& relation) {
  // Scopes, bags and settings go with the relation (ON DELETE CASCADE).
  sql::Exec(tx.db(), "DELETE FROM relations WHERE id = ?", relation.id);
  tx.Touch(RelationKey(relation.id));
  for (const EndpointRow& e : relation.endpoints) tx.Touch(AppKey(e.application_id));
  tx.Record(relation.model_id, "relation", relation.key, "remove");
}

void DestroyRelation(Tx& tx, const RelationRow& relation) {
  if (relation.life == Life::kAlive) {
    sql::Exec(tx.db(), "UPDATE relations SET life = 1 WHERE id = ?", relation.id);
    tx.Touch(RelationKey(relation.id));
    tx.Record(relation.model_id, "relation", relation.key, "dying");
  }
  if (ScopeOf(tx, relation.id).empty()) DeleteRelation(tx, relation);
}

void CleanupDying(Tx& tx, int64_t model_id) {
  for (const RelationRow& r : RelationsOfModel(tx, model_id)) {
    if (r.life == Life::kDying && ScopeOf(tx, r.id).empty()) DeleteRelation(tx, r);
  }
  SQLite::Statement q = sql::Prepare(
      tx.db(),
      "SELECT a.id, a.name FROM applications a WHERE a.model_id = ? AND a.life = 1 "
      "AND NOT EXISTS (SELECT 1 FROM units u WHERE u.application_id = a.id) "
      "AND NOT EXISTS (SELECT 1 FROM relation_endpoints e WHERE e.application_id = a.id)",
      model_id);
  std::vector<std::pair<int64_t, std::string>> gone;
  while (q.executeStep()) gone.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
  for (const auto& [id, name] : gone) {
    // The application's objects on the local substrate go with it, as Kubernetes garbage
    // collects what a removed charm owned.
    sql::Exec(tx.db(), "DELETE FROM manifests WHERE model_id = ? AND owner = ?", model_id, name);
    sql::Exec(tx.db(), "DELETE FROM applications WHERE id = ?", id);
    tx.Touch(AppKey(id));
    tx.Record(model_id, "application", name, "remove");
  }
  DeleteModelIfEmpty(tx, model_id);
}

void DeleteUnit(Tx& tx, const UnitRow& unit) {
  for (const RelationRow& r : RelationsInScope(tx, unit.id)) LeaveScope(tx, r, unit.id);
  sql::Exec(tx.db(), "DELETE FROM units WHERE id = ?", unit.id);
  tx.Touch(UnitKey(unit.id));
  tx.Touch(AppKey(unit.application_id));
  tx.Touch(MachineKey(unit.machine_id));
  tx.Record(unit.model_id, "unit", unit.name, "remove");
  ElectLeader(tx, unit.application_id);
}

std::string ModelDying(const std::string& model) {
  return absl::StrCat("model \"", model, "\" is being destroyed");
}

bool DeleteModelIfEmpty(Tx& tx, int64_t model_id) {
  SQLite::Statement q = sql::Prepare(tx.db(), "SELECT name FROM models WHERE id = ? AND life = 1", model_id);
  if (!q.executeStep()) return false;
  const std::string name = q.getColumn(0).getString();
  if (sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM applications WHERE model_id = ?", model_id) > 0) return false;
  // Rows that name the model without a cascading foreign key. A new model may get the same row
  // id later (models.id is not AUTOINCREMENT), so nothing of this one may stay behind to show in it.
  for (const char* stmt : {"DELETE FROM relations WHERE model_id = ?", "DELETE FROM charms WHERE model_id = ?",
                           "DELETE FROM task_logs WHERE model_id = ?", "DELETE FROM tasks WHERE model_id = ?",
                           "DELETE FROM operations WHERE model_id = ?", "DELETE FROM log_entries WHERE model_id = ?",
                           "DELETE FROM change_log WHERE model_id = ?", "DELETE FROM ssh_keys WHERE model_id = ?"}) {
    sql::Exec(tx.db(), stmt, model_id);
  }
  // The machines added to it go with it (their units are gone); the CLI that destroyed the
  // model stops their agents. Machine 0 belongs to no model.
  for (const MachineRow& m : ListMachines(tx)) {
    if (m.model_id != model_id) continue;
    sql::Exec(tx.db(), "DELETE FROM machines WHERE id = ?", m.id);
    tx.Touch(MachineKey(m.id));
  }
  // Bundle deployments, plan jobs, manifests and secrets go by ON DELETE CASCADE.
  sql::Exec(tx.db(), "DELETE FROM models WHERE id = ?", model_id);
  tx.Touch(ModelKey(model_id));
  tx.Record(-1, "model", name, "remove");
  return true;
}

}  // namespace skein::controller::domain
