#include "controller/domain/storage/storage_service.h"

#include <algorithm>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "lib/base/limits.h"
#include "lib/base/time.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::storage {
namespace {

constexpr char kInstanceCols[] =
    "SELECT s.storage_name, s.number, s.kind, s.pool, s.size_mib, s.owner_application, COALESCE(u.name, ''), "
    "COALESCE(u.machine_id, ''), COALESCE(u.life, 0), s.life, s.attached, s.location, s.created_at "
    "FROM storage_instances s LEFT JOIN units u ON u.id = s.unit_id ";

StorageInstance ReadInstance(SQLite::Statement& q) {
  StorageInstance s;
  s.id.name = q.getColumn(0).getString();
  s.id.number = q.getColumn(1).getInt64();
  s.kind = charm::ParseStorageKind(q.getColumn(2).getString()).value_or(charm::StorageKind::kFilesystem);
  s.pool = q.getColumn(3).getString();
  s.size_mib = static_cast<uint64_t>(q.getColumn(4).getInt64());
  s.owner_application = q.getColumn(5).getString();
  s.unit = q.getColumn(6).getString();
  s.machine_id = q.getColumn(7).getString();
  s.unit_life = static_cast<Life>(q.getColumn(8).getInt());
  s.life = static_cast<Life>(q.getColumn(9).getInt());
  s.attached = q.getColumn(10).getInt() != 0;
  s.location = q.getColumn(11).getString();
  s.created_at = q.getColumn(12).getString();
  return s;
}

std::vector<StorageInstance> ReadInstances(SQLite::Statement& q) {
  std::vector<StorageInstance> out;
  while (q.executeStep()) out.push_back(ReadInstance(q));
  return out;
}

std::string DefaultPool(charm::StorageKind kind) { return kind == charm::StorageKind::kBlock ? "loop" : "rootfs"; }

absl::Status NoSuchStorage(const charm::Metadata& metadata, const std::string& name) {
  return absl::InvalidArgumentError(absl::StrCat("charm \"", metadata.name, "\" has no storage \"", name, "\""));
}

absl::Status CheckCount(const charm::StorageSpec& spec, int64_t count) {
  // A charm whose range has no upper bound still gets no more than a request may add units: one
  // call must not write millions of rows.
  if (count > limits::kMaxUnitsPerRequest) {
    return absl::InvalidArgumentError(absl::StrCat("storage \"", spec.name, "\": ", count,
                                                   " instances exceed the limit of ", limits::kMaxUnitsPerRequest,
                                                   " per unit"));
  }
  if (spec.count_max && count > *spec.count_max) {
    return absl::InvalidArgumentError(absl::StrCat("storage \"", spec.name, "\": the charm allows at most ",
                                                   *spec.count_max, " instances per unit, not ", count));
  }
  if (count < spec.count_min) {
    return absl::InvalidArgumentError(absl::StrCat("storage \"", spec.name, "\": the charm needs at least ",
                                                   spec.count_min, " instances per unit, not ", count));
  }
  return absl::OkStatus();
}

int64_t CountOfUnit(Tx& tx, int64_t unit_id, const std::string& name) {
  return sql::QueryInt(tx.db(), 0, "SELECT COUNT(*) FROM storage_instances WHERE unit_id = ? AND storage_name = ?",
                       unit_id, name);
}

void InsertInstance(Tx& tx, const UnitRow& unit, const charm::StorageSpec& spec, const std::string& pool,
                    uint64_t size_mib) {
  const int64_t number =
      sql::QueryInt(tx.db(), 0, "SELECT next_storage_number FROM models WHERE id = ?", unit.model_id);
  sql::Exec(tx.db(), "UPDATE models SET next_storage_number = ? WHERE id = ?", number + 1, unit.model_id);
  sql::Exec(tx.db(),
            "INSERT INTO storage_instances(model_id, storage_name, number, kind, pool, size_mib, owner_application, "
            "unit_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            unit.model_id, spec.name, number, charm::StorageKindName(spec.kind),
            pool.empty() ? DefaultPool(spec.kind) : pool, static_cast<int64_t>(size_mib), unit.application, unit.id,
            FormatRfc3339(tx.clock().WallNow()));
  tx.Record(unit.model_id, "storage", StorageId{spec.name, number}.ToString(), "add");
}

// The unit's snapshot (its attachments) and its machine's (the directories to make) change.
void TouchUnit(Tx& tx, const UnitRow& unit) {
  tx.Touch(UnitKey(unit.id));
  tx.Touch(MachineKey(unit.machine_id));
}

}  // namespace

std::string StorageId::ToString() const { return absl::StrCat(name, "/", number); }

absl::StatusOr<StorageId> ParseStorageId(const std::string& text) {
  static const std::regex kId("^([a-z][a-z0-9-]*)/([0-9]+)$");
  std::smatch m;
  StorageId id;
  if (!std::regex_match(text, m, kId) || !absl::SimpleAtoi(m[2].str(), &id.number)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid storage id \"", text, "\" (expected <name>/<number>)"));
  }
  id.name = m[1].str();
  return id;
}

std::string StorageInstance::Status() const {
  if (unit.empty()) return "detached";
  if (unit_life != Life::kAlive || life != Life::kAlive) return "detaching";
  return attached ? "attached" : "pending";
}

absl::Status CheckDirectives(const charm::Metadata& metadata,
                             const std::map<std::string, charm::StorageDirective>& directives) {
  for (const auto& [name, d] : directives) {
    const charm::StorageSpec* spec = metadata.FindStorage(name);
    if (spec == nullptr) return NoSuchStorage(metadata, name);
    if (d.count) {
      if (absl::Status s = CheckCount(*spec, *d.count); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

void StoreDirectivesInTx(Tx& tx, int64_t app_id, const std::map<std::string, charm::StorageDirective>& directives) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [name, d] : directives) {
    nlohmann::json entry = {{"pool", d.pool}};
    if (d.count) entry["count"] = *d.count;
    if (d.size_mib) entry["size_mib"] = *d.size_mib;
    j[name] = entry;
  }
  sql::Exec(tx.db(), "UPDATE applications SET storage_directives = ? WHERE id = ?", j.dump(), app_id);
}

std::map<std::string, charm::StorageDirective> DirectivesOfApp(Tx& tx, int64_t app_id) {
  std::map<std::string, charm::StorageDirective> out;
  SQLite::Statement q = sql::Prepare(tx.db(), "SELECT storage_directives FROM applications WHERE id = ?", app_id);
  if (!q.executeStep()) return out;
  nlohmann::json j = nlohmann::json::parse(q.getColumn(0).getString(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    charm::StorageDirective d;
    d.name = it.key();
    d.pool = it->value("pool", "");
    if (it->contains("count")) d.count = (*it)["count"].get<int>();
    if (it->contains("size_mib")) d.size_mib = (*it)["size_mib"].get<uint64_t>();
    out[d.name] = d;
  }
  return out;
}

absl::Status CreateUnitStorageInTx(Tx& tx, const UnitRow& unit, const charm::Metadata& metadata,
                                   const std::map<std::string, charm::StorageDirective>& directives,
                                   const std::vector<std::string>& attach) {
  if (absl::Status s = CheckDirectives(metadata, directives); !s.ok()) return s;
  std::map<std::string, charm::StorageDirective> effective = DirectivesOfApp(tx, unit.application_id);
  for (const auto& [name, d] : directives) effective[name] = d;
  for (const std::string& text : attach) {
    auto id = ParseStorageId(text);
    if (!id.ok()) return id.status();
    SQLite::Statement q = sql::Prepare(
        tx.db(), "SELECT id, kind, COALESCE(unit_id, 0), life FROM storage_instances WHERE model_id = ? AND number = ? "
                 "AND storage_name = ?",
        unit.model_id, id->number, id->name);
    if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("storage \"", text, "\" not found"));
    const int64_t row = q.getColumn(0).getInt64();
    const charm::StorageSpec* spec = metadata.FindStorage(id->name);
    if (spec == nullptr || charm::StorageKindName(spec->kind) != q.getColumn(1).getString()) {
      return absl::FailedPreconditionError(absl::StrCat("storage \"", text, "\" cannot be attached to a unit of \"",
                                                        unit.application, "\": its charm has no ",
                                                        q.getColumn(1).getString(), " storage \"", id->name, "\""));
    }
    if (const int64_t holder = q.getColumn(2).getInt64(); holder != 0) {
      auto other = FindUnitById(tx, holder);
      return absl::FailedPreconditionError(absl::StrCat("storage \"", text, "\" is attached to unit \"",
                                                        other.ok() ? other->name : "?", "\""));
    }
    if (q.getColumn(3).getInt() != static_cast<int>(Life::kAlive)) {
      return absl::FailedPreconditionError(absl::StrCat("storage \"", text, "\" is being destroyed"));
    }
    sql::Exec(tx.db(), "UPDATE storage_instances SET unit_id = ?, attached = 0 WHERE id = ?", unit.id, row);
    tx.Record(unit.model_id, "storage", text, "attach");
  }
  for (const charm::StorageSpec& spec : metadata.storage) {
    const auto it = effective.find(spec.name);
    const charm::StorageDirective* d = it == effective.end() ? nullptr : &it->second;
    const int64_t wanted = d != nullptr && d->count ? *d->count : spec.count_min;
    const int64_t have = CountOfUnit(tx, unit.id, spec.name);
    if (absl::Status s = CheckCount(spec, std::max(wanted, have)); !s.ok()) return s;
    const uint64_t size = d != nullptr && d->size_mib ? *d->size_mib : spec.minimum_size_mib;
    for (int64_t i = have; i < wanted; ++i) InsertInstance(tx, unit, spec, d != nullptr ? d->pool : "", size);
  }
  TouchUnit(tx, unit);
  return absl::OkStatus();
}

absl::Status AddUnitStorageInTx(Tx& tx, const UnitRow& unit, const charm::Metadata& metadata,
                                const std::string& name, int count) {
  const charm::StorageSpec* spec = metadata.FindStorage(name);
  if (spec == nullptr) return NoSuchStorage(metadata, name);
  if (count < 1) return absl::InvalidArgumentError("storage-add needs a count of at least 1");
  if (unit.life != Life::kAlive) {
    return absl::FailedPreconditionError(absl::StrCat("unit \"", unit.name, "\" is not alive"));
  }
  const int64_t have = CountOfUnit(tx, unit.id, name);
  if (absl::Status s = CheckCount(*spec, have + count); !s.ok()) return s;
  const auto directives = DirectivesOfApp(tx, unit.application_id);
  const auto it = directives.find(name);
  const std::string pool = it == directives.end() ? "" : it->second.pool;
  const uint64_t size =
      it != directives.end() && it->second.size_mib ? *it->second.size_mib : spec->minimum_size_mib;
  for (int i = 0; i < count; ++i) InsertInstance(tx, unit, *spec, pool, size);
  TouchUnit(tx, unit);
  return absl::OkStatus();
}

void MarkUnitStorageDyingInTx(Tx& tx, const UnitRow& unit) {
  if (sql::Exec(tx.db(), "UPDATE storage_instances SET life = 1 WHERE unit_id = ? AND life = 0", unit.id) > 0) {
    tx.Record(unit.model_id, "storage", unit.name, "dying");
    TouchUnit(tx, unit);
  }
}

void ReleaseUnitStorageInTx(Tx& tx, const UnitRow& unit) {
  for (const StorageInstance& s : UnitStorageInTx(tx, unit.id)) {
    tx.Record(unit.model_id, "storage", s.id.ToString(), s.life == Life::kAlive ? "detach" : "remove");
  }
  sql::Exec(tx.db(), "DELETE FROM storage_instances WHERE unit_id = ? AND life = 1", unit.id);
  sql::Exec(tx.db(), "UPDATE storage_instances SET unit_id = NULL, attached = 0 WHERE unit_id = ?", unit.id);
  TouchUnit(tx, unit);
}

absl::Status SetAttachedInTx(Tx& tx, const UnitRow& unit, const std::string& text, const std::string& location) {
  auto id = ParseStorageId(text);
  if (!id.ok()) return id.status();
  SQLite::Statement q = sql::Prepare(
      tx.db(), "SELECT id, COALESCE(unit_id, 0), attached, location FROM storage_instances WHERE model_id = ? "
               "AND number = ? AND storage_name = ?",
      unit.model_id, id->number, id->name);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("storage \"", text, "\" not found"));
  if (q.getColumn(1).getInt64() != unit.id) return absl::PermissionDeniedError("permission denied");
  if (q.getColumn(2).getInt() != 0 && q.getColumn(3).getString() == location) return absl::OkStatus();
  sql::Exec(tx.db(), "UPDATE storage_instances SET attached = 1, location = ? WHERE id = ?", location,
            q.getColumn(0).getInt64());
  tx.Record(unit.model_id, "storage", text, "attached");
  return absl::OkStatus();
}

std::vector<StorageInstance> UnitStorageInTx(Tx& tx, int64_t unit_id) {
  SQLite::Statement q =
      sql::Prepare(tx.db(), (std::string(kInstanceCols) + "WHERE s.unit_id = ? ORDER BY s.number").c_str(), unit_id);
  return ReadInstances(q);
}

std::vector<StorageInstance> ModelStorageInTx(Tx& tx, int64_t model_id) {
  SQLite::Statement q = sql::Prepare(
      tx.db(), (std::string(kInstanceCols) + "WHERE s.model_id = ? ORDER BY s.number").c_str(), model_id);
  return ReadInstances(q);
}

absl::StatusOr<std::vector<StorageInstance>> StorageService::List(const std::string& model,
                                                                  const std::vector<std::string>& ids) {
  std::vector<StorageId> wanted;
  for (const std::string& text : ids) {
    auto id = ParseStorageId(text);
    if (!id.ok()) return id.status();
    wanted.push_back(*id);
  }
  std::vector<StorageInstance> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    std::vector<StorageInstance> all = ModelStorageInTx(tx, m->id);
    if (wanted.empty()) {
      out = std::move(all);
      return absl::OkStatus();
    }
    for (const StorageId& id : wanted) {
      auto it = std::find_if(all.begin(), all.end(), [&](const StorageInstance& s) {
        return s.id.name == id.name && s.id.number == id.number;
      });
      if (it == all.end()) return absl::NotFoundError(absl::StrCat("storage \"", id.ToString(), "\" not found"));
      out.push_back(*it);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::vector<StorageInstance>> StorageService::OfUnit(int64_t unit_id) {
  std::vector<StorageInstance> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    out = UnitStorageInTx(tx, unit_id);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status StorageService::SetAttached(int64_t unit_id, const std::string& id, const std::string& location) {
  return db_->Write("storage-attached", [&](Tx& tx) -> absl::Status {
    auto u = FindUnitById(tx, unit_id);
    if (!u.ok()) return u.status();
    return SetAttachedInTx(tx, *u, id, location);
  });
}

}  // namespace skein::controller::domain::storage
