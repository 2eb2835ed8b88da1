#include "controller/domain/core/rows.h"

#include <algorithm>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "lib/base/names.h"

namespace skein::controller::domain {
namespace {

constexpr char kModelCols[] = "SELECT id, name, uuid, config_json, next_relation_id, created_at, life FROM models ";
constexpr char kMachineCols[] =
    "SELECT id, hostname, address, credential_hash, agent_seen, agent_since, unit_uids, model_id, constraints "
    "FROM machines ";
constexpr char kAppCols[] =
    "SELECT a.id, a.model_id, a.name, a.charm_id, c.url, c.name, c.revision, c.sha256, a.charm_origin, "
    "a.channel, a.config_json, a.life, a.leader_unit, a.next_unit_number, a.status, a.status_message, "
    "a.status_data, a.status_since, a.deployment, a.bundle_set_options, a.force_charm_upgrade, a.trust FROM applications a JOIN charms c ON c.id = a.charm_id ";
constexpr char kUnitCols[] =
    "SELECT u.id, u.model_id, u.application_id, a.name, u.name, u.number, u.machine_id, u.life, "
    "u.credential_hash, u.agent_status, u.agent_message, u.agent_data, u.agent_since, u.workload_status, "
    "u.workload_message, u.workload_data, u.workload_since, u.workload_version, u.last_commit_seq, "
    "u.charm_url, u.upgrade_charm_skipped FROM units u JOIN applications a ON a.id = u.application_id ";
constexpr char kRelationCols[] =
    "SELECT r.id, r.model_id, r.relation_id, r.key, r.interface, r.is_peer, r.life FROM relations r ";

nlohmann::json ParseJsonObject(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

ModelRow ReadModel(SQLite::Statement& q) {
  ModelRow m;
  m.id = q.getColumn(0).getInt64();
  m.name = q.getColumn(1).getString();
  m.uuid = q.getColumn(2).getString();
  m.config = ParseJsonObject(q.getColumn(3).getString());
  m.next_relation_id = q.getColumn(4).getInt64();
  m.created_at = q.getColumn(5).getString();
  m.life = static_cast<Life>(q.getColumn(6).getInt());
  return m;
}

MachineRow ReadMachine(SQLite::Statement& q) {
  MachineRow m;
  m.id = q.getColumn(0).getString();
  m.hostname = q.getColumn(1).getString();
  m.address = q.getColumn(2).getString();
  m.credential_hash = q.getColumn(3).getString();
  m.agent_seen = q.getColumn(4).getInt() != 0;
  m.agent_since = q.getColumn(5).getString();
  m.unit_uids = q.getColumn(6).getString();
  m.model_id = q.getColumn(7).getInt64();
  m.constraints = q.getColumn(8).getString();
  return m;
}

AppRow ReadApp(SQLite::Statement& q) {
  AppRow a;
  a.id = q.getColumn(0).getInt64();
  a.model_id = q.getColumn(1).getInt64();
  a.name = q.getColumn(2).getString();
  a.charm_id = q.getColumn(3).getInt64();
  a.charm_url = q.getColumn(4).getString();
  a.charm_name = q.getColumn(5).getString();
  a.charm_revision = q.getColumn(6).getInt64();
  a.charm_sha256 = q.getColumn(7).getString();
  a.charm_origin = q.getColumn(8).getString();
  a.channel = q.getColumn(9).getString();
  a.config = ParseJsonObject(q.getColumn(10).getString());
  a.life = static_cast<Life>(q.getColumn(11).getInt());
  a.leader_unit = q.getColumn(12).isNull() ? "" : q.getColumn(12).getString();
  a.next_unit_number = q.getColumn(13).getInt64();
  a.status = {q.getColumn(14).getString(), q.getColumn(15).getString(), q.getColumn(16).getString(),
              q.getColumn(17).getString()};
  a.deployment = q.getColumn(18).getString();
  nlohmann::json keys = nlohmann::json::parse(q.getColumn(19).getString(), nullptr, /*allow_exceptions=*/false);
  if (keys.is_array()) {
    for (const nlohmann::json& key : keys) {
      if (key.is_string()) a.bundle_set_options.insert(key.get<std::string>());
    }
  }
  a.force_charm_upgrade = q.getColumn(20).getInt() != 0;
  a.trust = q.getColumn(21).getInt() != 0;
  return a;
}

UnitRow ReadUnit(SQLite::Statement& q) {
  UnitRow u;
  u.id = q.getColumn(0).getInt64();
  u.model_id = q.getColumn(1).getInt64();
  u.application_id = q.getColumn(2).getInt64();
  u.application = q.getColumn(3).getString();
  u.name = q.getColumn(4).getString();
  u.number = q.getColumn(5).getInt64();
  u.machine_id = q.getColumn(6).getString();
  u.life = static_cast<Life>(q.getColumn(7).getInt());
  u.credential_hash = q.getColumn(8).getString();
  u.agent = {q.getColumn(9).getString(), q.getColumn(10).getString(), q.getColumn(11).getString(),
             q.getColumn(12).getString()};
  u.workload = {q.getColumn(13).getString(), q.getColumn(14).getString(), q.getColumn(15).getString(),
                q.getColumn(16).getString()};
  u.workload_version = q.getColumn(17).getString();
  u.last_commit_seq = q.getColumn(18).getInt64();
  u.charm_url = q.getColumn(19).getString();
  u.upgrade_charm_skipped = q.getColumn(20).getInt() != 0;
  return u;
}

std::vector<UnitRow> ReadUnits(SQLite::Statement& q) {
  std::vector<UnitRow> out;
  while (q.executeStep()) out.push_back(ReadUnit(q));
  return out;
}

void LoadEndpoints(Tx& tx, RelationRow& r) {
  SQLite::Statement q = sql::Prepare(
      tx.db(),
      "SELECT e.application_id, a.name, e.endpoint, e.role, e.interface, e.scope FROM relation_endpoints e "
      "JOIN applications a ON a.id = e.application_id WHERE e.relation_id = ? "
      "ORDER BY CASE e.role WHEN 'requires' THEN 0 WHEN 'provides' THEN 1 ELSE 2 END",
      r.id);
  while (q.executeStep()) {
    const std::string role = q.getColumn(3).getString();
    std::optional<charm::Role> parsed = charm::ParseRole(role);
    // Only CreateRelation writes the column, from a charm::Role; Db turns this into Internal.
    if (!parsed) throw std::runtime_error(absl::StrCat("relation endpoint with unknown role \"", role, "\""));
    r.endpoints.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(), *parsed,
                           q.getColumn(4).getString(), q.getColumn(5).getString()});
  }
}

std::vector<RelationRow> ReadRelations(Tx& tx, SQLite::Statement& q) {
  std::vector<RelationRow> out;
  while (q.executeStep()) {
    RelationRow r;
    r.id = q.getColumn(0).getInt64();
    r.model_id = q.getColumn(1).getInt64();
    r.relation_id = q.getColumn(2).getInt64();
    r.key = q.getColumn(3).getString();
    r.interface = q.getColumn(4).getString();
    r.is_peer = q.getColumn(5).getInt() != 0;
    r.life = static_cast<Life>(q.getColumn(6).getInt());
    out.push_back(std::move(r));
  }
  for (RelationRow& r : out) LoadEndpoints(tx, r);
  return out;
}

std::optional<RelationRow> FirstRelation(Tx& tx, SQLite::Statement& q) {
  std::vector<RelationRow> rows = ReadRelations(tx, q);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

}  // namespace

bool RelationRow::Involves(int64_t app_id) const { return Local(app_id) != nullptr; }

const EndpointRow* RelationRow::Local(int64_t app_id) const {
  for (const EndpointRow& e : endpoints) {
    if (e.application_id == app_id) return &e;
  }
  return nullptr;
}

const EndpointRow* RelationRow::Remote(int64_t app_id) const {
  if (is_peer) return Local(app_id);
  for (const EndpointRow& e : endpoints) {
    if (e.application_id != app_id) return &e;
  }
  return nullptr;
}

const EndpointRow* RelationRow::WithRole(charm::Role role) const {
  for (const EndpointRow& e : endpoints) {
    if (e.role == role) return &e;
  }
  return nullptr;
}

absl::StatusOr<ModelRow> FindModel(Tx& tx, const std::string& name) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kModelCols) + "WHERE name = ?").c_str(), name);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("model \"", name, "\" not found"));
  return ReadModel(q);
}

absl::StatusOr<ModelRow> FindModelByUuid(Tx& tx, const std::string& uuid) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kModelCols) + "WHERE uuid = ?").c_str(), uuid);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("model \"", uuid, "\" not found"));
  return ReadModel(q);
}

absl::StatusOr<ModelRow> FindModelById(Tx& tx, int64_t id) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kModelCols) + "WHERE id = ?").c_str(), id);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("model ", id, " not found"));
  return ReadModel(q);
}

std::vector<ModelRow> ListModelRows(Tx& tx) {
  SQLite::Statement q(tx.db(), std::string(kModelCols) + "ORDER BY id");
  std::vector<ModelRow> out;
  while (q.executeStep()) out.push_back(ReadModel(q));
  std::stable_sort(out.begin(), out.end(), [](const ModelRow& a, const ModelRow& b) { return NaturalLess(a.name, b.name); });
  return out;
}

absl::StatusOr<MachineRow> FindMachine(Tx& tx, const std::string& id) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kMachineCols) + "WHERE id = ?").c_str(), id);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("machine \"", id, "\" not found"));
  return ReadMachine(q);
}

std::vector<MachineRow> ListMachines(Tx& tx) {
  SQLite::Statement q(tx.db(), kMachineCols);
  std::vector<MachineRow> out;
  while (q.executeStep()) out.push_back(ReadMachine(q));
  std::sort(out.begin(), out.end(), [](const MachineRow& a, const MachineRow& b) { return NaturalLess(a.id, b.id); });
  return out;
}

absl::StatusOr<AppRow> FindApp(Tx& tx, int64_t model_id, const std::string& name) {
  SQLite::Statement q =
      sql::Prepare(tx.db(), (std::string(kAppCols) + "WHERE a.model_id = ? AND a.name = ?").c_str(), model_id, name);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("application \"", name, "\" not found"));
  return ReadApp(q);
}

absl::StatusOr<AppRow> FindAppById(Tx& tx, int64_t id) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kAppCols) + "WHERE a.id = ?").c_str(), id);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("application ", id, " not found"));
  return ReadApp(q);
}

std::vector<AppRow> AppsOfModel(Tx& tx, int64_t model_id) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kAppCols) + "WHERE a.model_id = ?").c_str(), model_id);
  std::vector<AppRow> out;
  while (q.executeStep()) out.push_back(ReadApp(q));
  std::sort(out.begin(), out.end(), [](const AppRow& a, const AppRow& b) { return NaturalLess(a.name, b.name); });
  return out;
}

absl::StatusOr<UnitRow> FindUnit(Tx& tx, int64_t model_id, const std::string& name) {
  SQLite::Statement q =
      sql::Prepare(tx.db(), (std::string(kUnitCols) + "WHERE u.model_id = ? AND u.name = ?").c_str(), model_id, name);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("unit \"", name, "\" not found"));
  return ReadUnit(q);
}

absl::StatusOr<UnitRow> FindUnitById(Tx& tx, int64_t id) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kUnitCols) + "WHERE u.id = ?").c_str(), id);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("unit ", id, " not found"));
  return ReadUnit(q);
}

std::vector<UnitRow> UnitsOfApp(Tx& tx, int64_t app_id) {
  SQLite::Statement q = sql::Prepare(
      tx.db(), (std::string(kUnitCols) + "WHERE u.application_id = ? ORDER BY u.number").c_str(), app_id);
  return ReadUnits(q);
}

std::vector<UnitRow> UnitsNamed(Tx& tx, const std::string& name) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kUnitCols) + "WHERE u.name = ? ORDER BY u.id").c_str(), name);
  return ReadUnits(q);
}

std::vector<UnitRow> UnitsOnMachine(Tx& tx, const std::string& machine_id) {
  SQLite::Statement q =
      sql::Prepare(tx.db(), (std::string(kUnitCols) + "WHERE u.machine_id = ?").c_str(), machine_id);
  std::vector<UnitRow> out = ReadUnits(q);
  // Units of several models may share a name: the model breaks the tie, for a stable order.
  std::sort(out.begin(), out.end(), [](const UnitRow& a, const UnitRow& b) {
    if (a.name != b.name) return NaturalLess(a.name, b.name);
    return a.model_id < b.model_id;
  });
  return out;
}

std::optional<RelationRow> LookupRelation(Tx& tx, int64_t model_id, int64_t relation_id) {
  SQLite::Statement q = sql::Prepare(
      tx.db(), (std::string(kRelationCols) + "WHERE r.model_id = ? AND r.relation_id = ?").c_str(), model_id,
      relation_id);
  return FirstRelation(tx, q);
}

std::optional<RelationRow> LookupRelationByKey(Tx& tx, int64_t model_id, const std::string& key) {
  SQLite::Statement q = sql::Prepare(
      tx.db(), (std::string(kRelationCols) + "WHERE r.model_id = ? AND r.key = ?").c_str(), model_id, key);
  return FirstRelation(tx, q);
}

std::optional<RelationRow> LookupRelationByRow(Tx& tx, int64_t row) {
  SQLite::Statement q = sql::Prepare(tx.db(), (std::string(kRelationCols) + "WHERE r.id = ?").c_str(), row);
  return FirstRelation(tx, q);
}

std::vector<RelationRow> RelationsOfApp(Tx& tx, int64_t app_id) {
  SQLite::Statement q = sql::Prepare(
      tx.db(),
      (std::string(kRelationCols) +
       "WHERE r.id IN (SELECT relation_id FROM relation_endpoints WHERE application_id = ?) ORDER BY r.relation_id")
          .c_str(),
      app_id);
  return ReadRelations(tx, q);
}

std::vector<RelationRow> RelationsOfModel(Tx& tx, int64_t model_id) {
  SQLite::Statement q = sql::Prepare(
      tx.db(), (std::string(kRelationCols) + "WHERE r.model_id = ? ORDER BY r.relation_id").c_str(), model_id);
  return ReadRelations(tx, q);
}

std::vector<RelationRow> RelationsInScope(Tx& tx, int64_t unit_id) {
  SQLite::Statement q = sql::Prepare(
      tx.db(),
      (std::string(kRelationCols) +
       "WHERE r.id IN (SELECT relation_id FROM relation_scopes WHERE unit_id = ?) ORDER BY r.relation_id")
          .c_str(),
      unit_id);
  return ReadRelations(tx, q);
}

std::vector<ScopeUnit> ScopeOf(Tx& tx, int64_t relation_row) {
  SQLite::Statement q = sql::Prepare(tx.db(),
                                     "SELECT u.id, u.name, u.application_id, u.life FROM relation_scopes s "
                                     "JOIN units u ON u.id = s.unit_id WHERE s.relation_id = ?",
                                     relation_row);
  std::vector<ScopeUnit> out;
  while (q.executeStep()) {
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getInt64(),
                   static_cast<Life>(q.getColumn(3).getInt())});
  }
  std::sort(out.begin(), out.end(), [](const ScopeUnit& a, const ScopeUnit& b) { return NaturalLess(a.name, b.name); });
  return out;
}

bool InScope(Tx& tx, int64_t relation_row, int64_t unit_id) {
  return sql::QueryInt(tx.db(), 0, "SELECT 1 FROM relation_scopes WHERE relation_id = ? AND unit_id = ?", relation_row,
                       unit_id) == 1;
}

}  // namespace skein::controller::domain
