#include "controller/domain/hook/hook_service.h"

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/secret/secret_hooks.h"
#include "controller/domain/storage/storage_service.h"
#include "lib/base/limits.h"

namespace skein::controller::domain::hook {
namespace {

std::map<std::string, std::string> ReadPairs(Tx& tx, const char* query, int64_t id) {
  std::map<std::string, std::string> out;
  SQLite::Statement q = sql::Prepare(tx.db(), query, id);
  while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getString();
  return out;
}

// Juju's caps on charm state (lib/base/limits.h), checked again on receipt: each key and value,
// and the unit's state as it would be after the commit.
absl::Status CheckStateSizes(Tx& tx, int64_t unit_id, const std::map<std::string, std::string>& set,
                             const std::vector<std::string>& unset) {
  if (set.empty()) return absl::OkStatus();
  for (const auto& [key, value] : set) {
    if (absl::Status s = limits::CheckSize(limits::kStateKey, "the state key", key.size()); !s.ok()) return s;
    absl::Status s = limits::CheckSize(limits::kStateValue, absl::StrCat("state value \"", key, "\""), value.size());
    if (!s.ok()) return s;
  }
  size_t after = limits::SettingsBytesAfter(
      ReadPairs(tx, "SELECT key, value FROM unit_state WHERE unit_id = ?", unit_id), set, unset);
  return limits::CheckSize(limits::kStateTotal, "the unit's charm state", after);
}

// limits::kHookCommit over everything the commit writes.
absl::Status CheckCommitSize(const HookCommit& commit) {
  size_t total = limits::SettingsBytes(commit.state_set);
  for (const std::string& key : commit.state_unset) total += key.size();
  for (const relation::BagChange& change : commit.bags) {
    total += limits::SettingsBytes(change.set);
    for (const std::string& key : change.unset) total += key.size();
  }
  return limits::CheckSize(limits::kHookCommit, "this hook's relation and state changes", total);
}

absl::Status ApplyState(Tx& tx, int64_t unit_id, const std::map<std::string, std::string>& set,
                        const std::vector<std::string>& unset) {
  if (absl::Status s = CheckStateSizes(tx, unit_id, set, unset); !s.ok()) return s;
  for (const std::string& key : unset) {
    sql::Exec(tx.db(), "DELETE FROM unit_state WHERE unit_id = ? AND key = ?", unit_id, key);
  }
  for (const auto& [key, value] : set) {
    if (value.empty()) {
      sql::Exec(tx.db(), "DELETE FROM unit_state WHERE unit_id = ? AND key = ?", unit_id, key);
    } else {
      sql::Exec(tx.db(), "INSERT OR REPLACE INTO unit_state (unit_id, key, value) VALUES (?, ?, ?)", unit_id, key,
                value);
    }
  }
  return absl::OkStatus();
}

// The caps on leader settings: each value, and the application's settings after the change.
absl::Status CheckLeaderSizes(Tx& tx, int64_t app_id, const std::map<std::string, std::string>& set,
                              const std::vector<std::string>& unset) {
  for (const auto& [key, value] : set) {
    absl::Status s =
        limits::CheckSize(limits::kLeaderValue, absl::StrCat("leader setting \"", key, "\""), value.size());
    if (!s.ok()) return s;
  }
  size_t after = limits::SettingsBytesAfter(
      ReadPairs(tx, "SELECT key, value FROM leader_settings WHERE application_id = ?", app_id), set, unset);
  return limits::CheckSize(limits::kLeaderTotal, "the application's leader settings", after);
}

// The charm the unit reports running, in the commit's transaction. Status reads both columns, so
// a change touches the unit for the status watch.
absl::Status RecordUnitCharm(Tx& tx, const UnitRow& unit, const HookCommit& commit) {
  if (commit.charm_url.empty()) return absl::OkStatus();
  int changed = sql::Exec(tx.db(),
                          "UPDATE units SET charm_url = ?, upgrade_charm_skipped = ? WHERE id = ? "
                          "AND (charm_url != ? OR upgrade_charm_skipped != ?)",
                          commit.charm_url, commit.upgrade_charm_skipped ? 1 : 0, unit.id, commit.charm_url,
                          commit.upgrade_charm_skipped ? 1 : 0);
  if (changed > 0) tx.Touch(UnitKey(unit.id));
  return absl::OkStatus();
}

// storage-attached reports and storage-add requests, in the commit's transaction.
absl::Status ApplyStorage(Tx& tx, const UnitRow& unit, const HookCommit& commit) {
  for (const auto& [id, location] : commit.storage_attached) {
    if (absl::Status s = storage::SetAttachedInTx(tx, unit, id, location); !s.ok()) return s;
  }
  if (commit.storage_add.empty()) return absl::OkStatus();
  auto app = FindAppById(tx, unit.application_id);
  if (!app.ok()) return app.status();
  auto charm = tx.Charm(app->charm_id);
  if (!charm.ok()) return charm.status();
  for (const auto& [name, count] : commit.storage_add) {
    if (absl::Status s = storage::AddUnitStorageInTx(tx, unit, (*charm)->metadata, name, count); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// A committed secret-rotate hook moves its secret's next rotation on. The secret may have gone
// (or changed hands) while the hook ran: nothing is left to schedule then, and the rest of the
// commit stands.
absl::Status ApplySecretRotations(Tx& tx, const UnitRow& unit, const HookCommit& commit) {
  if (commit.secrets_rotated.empty()) return absl::OkStatus();
  auto app = FindAppById(tx, unit.application_id);
  if (!app.ok()) return app.status();
  for (const std::string& uri : commit.secrets_rotated) {
    absl::Status s = secret::SecretRotatedInTx(tx, unit, *app, uri);
    if (!s.ok() && s.code() != absl::StatusCode::kNotFound) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> HookService::Commit(int64_t unit_id, const HookCommit& commit) {
  int64_t applied = 0;
  std::string applied_by;  // the unit, when this commit applied (was not a repeat)
  absl::Status s = db_->Write("commit-hook", [&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    if (commit.commit_seq <= unit->last_commit_seq) {
      applied = unit->last_commit_seq;  // already applied: acknowledge again
      return absl::OkStatus();
    }
    // A refused part returns an error, and Db::Write rolls back everything before it.
    if (absl::Status size = CheckCommitSize(commit); !size.ok()) return size;
    if (absl::Status bags = relation::ApplyBagChanges(tx, *unit, commit.bags); !bags.ok()) return bags;
    if (absl::Status ports = ApplyPortChanges(tx, *unit, commit.ports); !ports.ok()) return ports;
    if (absl::Status state = ApplyState(tx, unit->id, commit.state_set, commit.state_unset); !state.ok()) {
      return state;
    }
    if (absl::Status st = ApplyStorage(tx, *unit, commit); !st.ok()) return st;
    if (absl::Status st = ApplySecretRotations(tx, *unit, commit); !st.ok()) return st;
    if (!commit.ports.empty()) tx.Touch(UnitKey(unit->id));
    sql::Exec(tx.db(), "UPDATE units SET last_commit_seq = ? WHERE id = ?", commit.commit_seq, unit->id);
    if (absl::Status charm = RecordUnitCharm(tx, *unit, commit); !charm.ok()) return charm;
    tx.Record(unit->model_id, "unit", unit->name, absl::StrCat("commit ", commit.commit_seq));
    applied = commit.commit_seq;
    applied_by = unit->name;
    faults_.Reached(fault::Point::kBeforeHookCommit, unit->name);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  // Only a commit that applied reaches the point: a repeated one changed nothing.
  if (!applied_by.empty()) faults_.Reached(fault::Point::kAfterHookCommit, applied_by);
  return applied;
}

absl::StatusOr<UnitHookState> HookService::UnitState(int64_t unit_id) {
  UnitHookState out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    out.state = ReadPairs(tx, "SELECT key, value FROM unit_state WHERE unit_id = ?", unit->id);
    out.opened_ports = OpenedRanges(tx, unit->id);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> HookService::LeaderSettings(int64_t unit_id) {
  std::map<std::string, std::string> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    out = ReadPairs(tx, "SELECT key, value FROM leader_settings WHERE application_id = ?", unit->application_id);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status HookService::SetLeaderSettings(int64_t unit_id, const std::map<std::string, std::string>& set,
                                            const std::vector<std::string>& unset) {
  return db_->Write("set-leader-settings", [&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto app = FindAppById(tx, unit->application_id);
    if (!app.ok()) return app.status();
    if (app->leader_unit != unit->name) {
      return absl::PermissionDeniedError("cannot write leadership settings: cannot write settings: not the leader");
    }
    if (absl::Status s = CheckLeaderSizes(tx, app->id, set, unset); !s.ok()) return s;
    int changed = 0;
    for (const std::string& key : unset) {
      changed += sql::Exec(tx.db(), "DELETE FROM leader_settings WHERE application_id = ? AND key = ?", app->id, key);
    }
    for (const auto& [key, value] : set) {
      if (value.empty()) {
        changed += sql::Exec(tx.db(), "DELETE FROM leader_settings WHERE application_id = ? AND key = ?", app->id, key);
        continue;
      }
      changed += sql::Exec(tx.db(),
                           "INSERT INTO leader_settings (application_id, key, value) VALUES (?, ?, ?) "
                           "ON CONFLICT (application_id, key) DO UPDATE SET value = excluded.value "
                           "WHERE value != excluded.value",
                           app->id, key, value);
    }
    if (changed == 0) return absl::OkStatus();
    sql::Exec(tx.db(), "UPDATE applications SET leader_settings_version = leader_settings_version + 1 WHERE id = ?",
              app->id);
    tx.Touch(AppKey(app->id));
    tx.Record(unit->model_id, "application", app->name, "leader-set");
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::hook
