#include "controller/domain/secret/secret_hooks.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/secret/secret_id.h"
#include "controller/domain/secret/secret_service.h"
#include "controller/domain/secret/secret_store.h"
#include "controller/domain/secret/secret_types.h"

namespace skein::controller::domain::secret {
namespace {

std::string Uri(const std::string& id) { return absl::StrCat("secret:", id); }

// Stored times are RFC 3339 (secret_store.cc writes them); an unreadable one never falls due.
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& text) {
  absl::Time t;
  std::string err;
  if (text.empty() || !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) return std::nullopt;
  return absl::ToChronoTime(t);
}

// The secrets `unit` manages: its own, and its application's when it leads it.
constexpr char kOwnedWhere[] =
    "s.model_id = ?1 AND ((s.owner_kind = 'unit' AND s.owner = ?2) OR (s.owner_kind = 'application' AND s.owner = ?3 "
    "AND ?4 = 1))";

}  // namespace

UnitSecretHooks SecretHooksForUnit(Tx& tx, const UnitRow& unit, const AppRow& app) {
  UnitSecretHooks out;
  const int leader = app.leader_unit == unit.name ? 1 : 0;
  for (const ChangedSecret& c : ChangedForConsumer(tx, unit.model_id, unit.name)) {
    out.changed.push_back({Uri(c.id), c.label, c.revision, {}});
  }
  // Revisions nobody reads any more; with auto-prune the controller removes them itself.
  auto obsolete = sql::Prepare(
      tx.db(),
      absl::StrCat("SELECT s.secret_id, s.label, r.revision FROM secrets s JOIN secret_revisions r ON r.secret_row = s.id "
                   "WHERE ",
                   kOwnedWhere,
                   " AND s.auto_prune = 0 AND r.revision < s.latest_revision AND NOT EXISTS (SELECT 1 FROM "
                   "secret_consumers c WHERE c.secret_row = s.id AND c.current_revision = r.revision) "
                   "ORDER BY s.secret_id, r.revision")
          .c_str(),
      unit.model_id, unit.name, app.name, leader);
  while (obsolete.executeStep()) {
    out.obsolete.push_back({Uri(obsolete.getColumn(0).getString()), obsolete.getColumn(1).getString(),
                            obsolete.getColumn(2).getInt64(), {}});
  }
  auto rotate = sql::Prepare(tx.db(),
                             absl::StrCat("SELECT s.secret_id, s.label, s.next_rotate FROM secrets s WHERE ", kOwnedWhere,
                                          " AND s.rotate_policy NOT IN ('', 'never') AND s.next_rotate != '' "
                                          "ORDER BY s.secret_id")
                                 .c_str(),
                             unit.model_id, unit.name, app.name, leader);
  while (rotate.executeStep()) {
    auto due = ParseTime(rotate.getColumn(2).getString());
    if (!due) continue;
    out.rotate.push_back({Uri(rotate.getColumn(0).getString()), rotate.getColumn(1).getString(), 0, *due});
  }
  auto expire = sql::Prepare(
      tx.db(),
      absl::StrCat("SELECT s.secret_id, s.label, r.revision, r.expire FROM secrets s JOIN secret_revisions r ON "
                   "r.secret_row = s.id WHERE ",
                   kOwnedWhere, " AND r.expire != '' ORDER BY s.secret_id, r.revision")
          .c_str(),
      unit.model_id, unit.name, app.name, leader);
  while (expire.executeStep()) {
    auto due = ParseTime(expire.getColumn(3).getString());
    if (!due) continue;
    out.expired.push_back(
        {Uri(expire.getColumn(0).getString()), expire.getColumn(1).getString(), expire.getColumn(2).getInt64(), *due});
  }
  return out;
}

absl::Status SecretRotatedInTx(Tx& tx, const UnitRow& unit, const AppRow& app, const std::string& uri) {
  auto parsed = ParseSecretUri(uri);
  if (!parsed.ok()) return parsed.status();
  const int leader = app.leader_unit == unit.name ? 1 : 0;
  auto q = sql::Prepare(tx.db(),
                        absl::StrCat("SELECT s.id, s.rotate_policy FROM secrets s WHERE ", kOwnedWhere,
                                     " AND s.secret_id = ?5")
                            .c_str(),
                        unit.model_id, unit.name, app.name, leader, parsed->id);
  if (!q.executeStep()) return SecretNotFound(uri);
  const int64_t row = q.getColumn(0).getInt64();
  auto policy = ParseRotatePolicy(q.getColumn(1).getString());
  // A policy set back to never (or cleared) since the hook was due leaves nothing to schedule.
  const std::string next = policy.ok() ? NextRotation(*policy, tx.clock().WallNow()) : "";
  sql::Exec(tx.db(), "UPDATE secrets SET next_rotate = ?2 WHERE id = ?1", row, next);
  TouchSecretWatchers(tx, row);
  return absl::OkStatus();
}

}  // namespace skein::controller::domain::secret
