#include "controller/domain/core/db.h"

#include "absl/strings/str_cat.h"
#include "controller/schema/schema.h"
#include "lib/base/time.h"
#include "lib/store/database.h"

namespace skein::controller::domain {
namespace {

// change_log only versions snapshots and helps debugging; keep it bounded.
constexpr int64_t kChangeLogKeep = 20000;
constexpr int64_t kChangeLogPruneEvery = 1000;

}  // namespace

std::string UnitKey(int64_t unit_row) { return absl::StrCat("unit:", unit_row); }
std::string AppKey(int64_t app_row) { return absl::StrCat("app:", app_row); }
std::string RelationKey(int64_t relation_row) { return absl::StrCat("rel:", relation_row); }
std::string MachineKey(const std::string& machine_id) { return absl::StrCat("machine:", machine_id); }
std::string LogKey() { return "log"; }

void Tx::Record(int64_t model_id, const std::string& kind, const std::string& entity, const std::string& op) {
  SQLite::Statement q(db_, "INSERT INTO change_log(model_id, kind, entity, op, at) VALUES (?, ?, ?, ?, ?)");
  if (model_id >= 0) {
    q.bind(1, static_cast<int64_t>(model_id));
  } else {
    q.bind(1);
  }
  q.bind(2, kind);
  q.bind(3, entity);
  q.bind(4, op);
  q.bind(5, NowRfc3339());
  q.exec();
  int64_t seq = db_.getLastInsertRowid();
  if (seq % kChangeLogPruneEvery == 0) {
    SQLite::Statement prune(db_, "DELETE FROM change_log WHERE seq <= ?");
    prune.bind(1, static_cast<int64_t>(seq - kChangeLogKeep));
    prune.exec();
  }
}

absl::StatusOr<std::shared_ptr<const ParsedCharm>> Tx::Charm(int64_t charm_row) {
  auto it = charms_.find(charm_row);
  if (it != charms_.end()) return it->second;
  SQLite::Statement q(db_, "SELECT metadata_yaml, config_yaml FROM charms WHERE id = ?");
  q.bind(1, static_cast<int64_t>(charm_row));
  if (!q.executeStep()) return absl::InternalError(absl::StrCat("charm row ", charm_row, " missing"));
  auto parsed = std::make_shared<ParsedCharm>();
  auto md = charm::ParseMetadata(q.getColumn(0).getString());
  if (!md.ok()) return absl::InternalError(absl::StrCat("stored charm: ", md.status().message()));
  auto cfg = charm::ParseConfigSchema(q.getColumn(1).getString());
  if (!cfg.ok()) return absl::InternalError(absl::StrCat("stored charm: ", cfg.status().message()));
  parsed->metadata = std::move(*md);
  parsed->config = std::move(*cfg);
  charms_[charm_row] = parsed;
  return std::shared_ptr<const ParsedCharm>(parsed);
}

int64_t LatestSeq(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path) {
  auto sqlite = store::OpenDatabase(path);
  if (!sqlite.ok()) return sqlite.status();
  absl::Status migrated = schema::Apply(**sqlite);
  if (!migrated.ok()) return migrated;
  return std::unique_ptr<Db>(new Db(std::move(*sqlite)));
}

absl::Status Db::Write(const std::string& op, const std::function<absl::Status(Tx&)>& fn) {
  std::set<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      Tx tx(*db_, charms_, /*writable=*/true);
      absl::Status status = fn(tx);
      if (!status.ok()) {
        // The transaction's destructor rolls back. Row ids of rolled-back rows may be handed out
        // again, so nothing cached from this transaction may survive it.
        charms_.clear();
        return status;
      }
      transaction.commit();
      keys = tx.keys();
    } catch (const std::exception& e) {
      charms_.clear();
      return absl::InternalError(absl::StrCat("database error in ", op, ": ", e.what()));
    }
  }
  if (listener_ != nullptr && !keys.empty()) listener_->OnCommitted(keys);
  return absl::OkStatus();
}

absl::Status Db::Read(const std::function<absl::Status(Tx&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    Tx tx(*db_, charms_, /*writable=*/false);
    return fn(tx);
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("database error: ", e.what()));
  }
}

int64_t Db::LatestSeq() {
  int64_t seq = 0;
  (void)Read([&](Tx& tx) {
    seq = domain::LatestSeq(tx);
    return absl::OkStatus();
  });
  return seq;
}

}  // namespace skein::controller::domain
