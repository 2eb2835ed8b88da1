// Charm rows: inserting them, and what the charm store keeps for them.

#include "absl/strings/str_cat.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/application/internal.h"
#include "controller/domain/core/sql.h"
#include "spdlog/spdlog.h"

namespace skein::controller::domain::application {

int64_t NextLocalRevision(Tx& tx, int64_t model_id, const std::string& charm_name) {
  return sql::QueryInt(tx.db(), -1,
                       "SELECT MAX(revision) FROM charms WHERE model_id = ? AND name = ? AND origin = 'local'",
                       model_id, charm_name) + 1;
}

int64_t InsertCharm(Tx& tx, int64_t model_id, const std::string& url, const std::string& origin, int64_t revision,
                    const UploadedCharm& charm) {
  // The archive itself is in the charm store; the column keeps an empty blob (0008_charm_store).
  sql::Exec(tx.db(),
            "INSERT INTO charms(model_id, url, name, origin, revision, sha256, size, metadata_yaml, config_yaml, "
            "actions_yaml, archive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, X'')",
            model_id, url, charm.metadata.name, origin, revision, charm.sha256, charm.size, charm.metadata_yaml,
            charm.config_yaml, charm.actions_yaml);
  return tx.db().getLastInsertRowid();
}

absl::StatusOr<std::set<std::string>> ApplicationService::CharmsInUse() {
  std::set<std::string> in_use;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    // A plan job not yet done still needs the charms its remaining changes deploy or refresh to.
    SQLite::Statement q(tx.db(),
                        "SELECT c.sha256 FROM charms c JOIN applications a ON a.charm_id = c.id UNION "
                        "SELECT p.charm_sha256 FROM plan_changes p JOIN plan_jobs j ON j.id = p.job_id "
                        "WHERE j.state IN ('running', 'failed') AND p.state != 'done' AND p.charm_sha256 != ''");
    while (q.executeStep()) in_use.insert(q.getColumn(0).getString());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return in_use;
}

absl::StatusOr<int> ApplicationService::MoveArchivesToStore(CharmStore& store) {
  std::vector<int64_t> rows;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    SQLite::Statement q(tx.db(), "SELECT id FROM charms WHERE length(archive) > 0 ORDER BY id");
    while (q.executeStep()) rows.push_back(q.getColumn(0).getInt64());
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  int moved = 0;
  for (int64_t row : rows) {
    s = db_->Write("move-charm-archive", [&](Tx& tx) -> absl::Status {
      std::vector<int64_t> apps;
      SQLite::Statement users = sql::Prepare(tx.db(), "SELECT id FROM applications WHERE charm_id = ?", row);
      while (users.executeStep()) apps.push_back(users.getColumn(0).getInt64());
      if (apps.empty()) {
        sql::Exec(tx.db(), "UPDATE charms SET archive = X'' WHERE id = ?", row);
        return absl::OkStatus();
      }
      SQLite::Statement q = sql::Prepare(tx.db(), "SELECT archive, url FROM charms WHERE id = ?", row);
      if (!q.executeStep()) return absl::OkStatus();
      v1::CharmArchive archive;
      if (!archive.ParseFromArray(q.getColumn(0).getBlob(), q.getColumn(0).getBytes())) {
        return absl::InternalError(absl::StrCat("stored charm ", q.getColumn(1).getString(), " does not parse"));
      }
      auto charm = store.AddArchive(archive);
      if (!charm.ok()) {
        // The row keeps its archive, so a later start can try again; its units cannot fetch the
        // charm meanwhile and say so in their status.
        spdlog::error("cannot move charm {} into the charm store: {}", q.getColumn(1).getString(),
                      std::string(charm.status().message()));
        return absl::OkStatus();
      }
      sql::Exec(tx.db(), "UPDATE charms SET archive = X'', sha256 = ?, size = ? WHERE id = ?", charm->sha256,
                charm->size, row);
      for (int64_t app : apps) tx.Touch(AppKey(app));
      spdlog::info("moved charm {} into the charm store as {}", q.getColumn(1).getString(), charm->sha256);
      ++moved;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return moved;
}

}  // namespace skein::controller::domain::application
