#include "controller/domain/core/db.h"

#include <algorithm>

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
std::string TaskKey(int64_t model_row, int64_t task_id) { return absl::StrCat("task:", model_row, ":", task_id); }
std::string PlanJobKey(int64_t job_id) { return absl::StrCat("plan-job:", job_id); }
std::string ModelKey(int64_t model_row) { return absl::StrCat("model:", model_row); }

void Tx::Record(int64_t model_id, const std::string& kind, const std::string& entity, const std::string& op) {
  SQLite::Statement q(db_, "INSERT INTO change_log(model_id, kind, entity, op, at) VALUES (?, ?, ?, ?, ?)");
  if (model_id >= 0) {
    q.bind(1, static_cast<int64_t>(model_id));
    Touch(ModelKey(model_id));
  } else {
    q.bind(1);
  }
  q.bind(2, kind);
  q.bind(3, entity);
  q.bind(4, op);
  q.bind(5, FormatRfc3339(clock_.WallNow()));
  q.exec();
  int64_t seq = db_.getLastInsertRowid();
  if (seq % kChangeLogPruneEvery == 0) {
    SQLite::Statement prune(db_, "DELETE FROM change_log WHERE seq <= ?");
    prune.bind(1, static_cast<int64_t>(seq - kChangeLogKeep));
    prune.exec();
  }
}

std::shared_ptr<const ParsedCharm> ParsedCharmCache::Find(int64_t charm_row) {
  MutexLock lock(mu_);
  auto it = charms_.find(charm_row);
  return it == charms_.end() ? nullptr : it->second;
}

void ParsedCharmCache::Add(int64_t charm_row, std::shared_ptr<const ParsedCharm> parsed) {
  MutexLock lock(mu_);
  charms_.emplace(charm_row, std::move(parsed));
}

absl::StatusOr<std::shared_ptr<const ParsedCharm>> Tx::Charm(int64_t charm_row) {
  if (auto it = uncommitted_charms_.find(charm_row); it != uncommitted_charms_.end()) return it->second;
  if (auto cached = charms_.Find(charm_row)) return cached;
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
  if (writable_) {
    uncommitted_charms_[charm_row] = parsed;
  } else {
    charms_.Add(charm_row, parsed);
  }
  return std::shared_ptr<const ParsedCharm>(parsed);
}

void Tx::PublishCharms() {
  for (auto& [row, parsed] : uncommitted_charms_) charms_.Add(row, std::move(parsed));
  uncommitted_charms_.clear();
}

int64_t LatestSeq(Tx& tx) {
  SQLite::Statement q(tx.db(), "SELECT seq FROM sqlite_sequence WHERE name = 'change_log'");
  return q.executeStep() ? q.getColumn(0).getInt64() : 0;
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, Clock& clock, int max_readers) {
  auto sqlite = store::OpenDatabase(path);
  if (!sqlite.ok()) return sqlite.status();
  absl::Status migrated = schema::Apply(**sqlite, clock);
  if (!migrated.ok()) return migrated;
  return std::unique_ptr<Db>(new Db(path, clock, std::move(*sqlite), std::max(max_readers, 1)));
}

absl::Status Db::Write(const std::string& op, const std::function<absl::Status(Tx&)>& fn) {
  std::set<std::string> keys;
  {
    MutexLock lock(write_mu_);
    try {
      SQLite::Transaction transaction(*writer_, SQLite::TransactionBehavior::IMMEDIATE);
      Tx tx(*writer_, charms_, clock_, /*writable=*/true);
      absl::Status status = fn(tx);
      // On error the transaction's destructor rolls back, and the charms this transaction
      // parsed go with its Tx.
      if (!status.ok()) return status;
      transaction.commit();
      tx.PublishCharms();
      keys = tx.keys();
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("database error in ", op, ": ", e.what()));
    }
  }
  if (listener_ != nullptr && !keys.empty()) listener_->OnCommitted(keys);
  return absl::OkStatus();
}

absl::StatusOr<SQLite::Database*> Db::AcquireReader() {
  {
    MutexLock lock(readers_mu_);
    while (idle_readers_.empty() && readers_opened_ >= max_readers_) reader_released_.Wait(readers_mu_);
    if (!idle_readers_.empty()) {
      SQLite::Database* reader = idle_readers_.back();
      idle_readers_.pop_back();
      return reader;
    }
    ++readers_opened_;  // this caller's slot; the connection is opened outside the lock
  }
  auto opened = store::OpenDatabase(path_);
  try {
    // A read that tries to write fails instead of competing with Db::Write.
    if (opened.ok()) (*opened)->exec("PRAGMA query_only = ON");
  } catch (const std::exception& e) {
    opened = absl::InternalError(absl::StrCat("cannot open a reading connection: ", e.what()));
  }
  MutexLock lock(readers_mu_);
  if (!opened.ok()) {
    --readers_opened_;
    reader_released_.NotifyOne();
    return opened.status();
  }
  readers_.push_back(std::move(*opened));
  return readers_.back().get();
}

void Db::ReleaseReader(SQLite::Database* reader) {
  {
    MutexLock lock(readers_mu_);
    idle_readers_.push_back(reader);
  }
  reader_released_.NotifyOne();
}

absl::Status Db::Read(const std::function<absl::Status(Tx&)>& fn) {
  auto reader = AcquireReader();
  if (!reader.ok()) return reader.status();
  absl::Status status;
  try {
    // One read transaction: every query of `fn` sees the same committed snapshot.
    SQLite::Transaction transaction(**reader, SQLite::TransactionBehavior::DEFERRED);
    Tx tx(**reader, charms_, clock_, /*writable=*/false);
    status = fn(tx);
    transaction.commit();
  } catch (const std::exception& e) {
    status = absl::InternalError(absl::StrCat("database error: ", e.what()));
  }
  ReleaseReader(*reader);
  return status;
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
