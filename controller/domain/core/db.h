#pragma once

// The controller's SQLite database (DESIGN §4). Every durable change is a named domain
// operation running in ONE transaction through Db::Write, on the one writing connection; when
// it commits, the change keys it touched are handed to the ChangeListener (the watch hub),
// which wakes exactly the streams that subscribed to one of them.
//
// Reads run on connections of their own, each Db::Read in one read transaction: WAL gives
// every reader a committed snapshot and lets it proceed while a write is in progress, so a
// large change in one model never holds up `status` or the agents' watches in another.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"

namespace skein::controller::domain {

// Keys name what a watcher's snapshot depends on; writes touch the keys of what they change.
std::string UnitKey(int64_t unit_row);
std::string AppKey(int64_t app_row);
std::string RelationKey(int64_t relation_row);
std::string MachineKey(const std::string& machine_id);
std::string LogKey();
// One task's rows (its status, log and results): what `run` and `show-task --wait` watch.
std::string TaskKey(int64_t model_row, int64_t task_id);
// One plan job's rows (its state and its changes): what ApplyPlan streams.
std::string PlanJobKey(int64_t job_id);
// Anything `status` shows of the model. Tx::Record touches it; a write that changes what status
// shows without a change_log row (a unit's status, say) touches it itself.
std::string ModelKey(int64_t model_row);

// Receives the change keys of every committed write, after the commit and outside the
// database lock.
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnCommitted(const std::set<std::string>& keys) = 0;
  // The sequence of the newest publish of any of `keys` (0 = never, or not known): lets the
  // presence tracker tell whether a unit's stream has caught up with what was published.
  virtual uint64_t NewestPublished(const std::set<std::string>& keys) { return 0; }
};

// A charm's parsed metadata and config schema. Charm rows never change, so they are parsed
// once and cached by row id.
struct ParsedCharm {
  charm::Metadata metadata;
  charm::ConfigSchema config;
};

// Parsed charms of committed rows, shared by every connection (reads run on several threads).
class ParsedCharmCache {
 public:
  std::shared_ptr<const ParsedCharm> Find(int64_t charm_row);
  void Add(int64_t charm_row, std::shared_ptr<const ParsedCharm> parsed);

 private:
  Mutex mu_;
  std::map<int64_t, std::shared_ptr<const ParsedCharm>> charms_ ABSL_GUARDED_BY(mu_);
};

// The handle a domain operation works through: the connection, the keys it touched, the
// parsed-charm cache and the clock. Only valid inside Db::Write / Db::Read.
class Tx {
 public:
  Tx(SQLite::Database& db, ParsedCharmCache& charms, Clock& clock, bool writable)
      : db_(db), charms_(charms), clock_(clock), writable_(writable) {}

  SQLite::Database& db() { return db_; }
  bool writable() const { return writable_; }
  // The clock every stored timestamp comes from (bound to SQL as a parameter, so that a test on
  // a simulated clock sees the times it set).
  Clock& clock() { return clock_; }

  // Marks a key as changed; watchers of it are woken after the commit.
  void Touch(const std::string& key) { keys_.insert(key); }
  const std::set<std::string>& keys() const { return keys_; }

  // Appends a change_log row (model_id < 0 = controller-wide). Its seq versions snapshots.
  // A change worth recording in a model is one its status watchers see: it touches ModelKey.
  void Record(int64_t model_id, const std::string& kind, const std::string& entity, const std::string& op);

  // Parsed metadata and config of a charm row. Internal when the stored charm does not parse.
  absl::StatusOr<std::shared_ptr<const ParsedCharm>> Charm(int64_t charm_row);

  // Called by Db::Write once the transaction committed: charms parsed inside it are now
  // committed rows and join the shared cache.
  void PublishCharms();

 private:
  SQLite::Database& db_;
  ParsedCharmCache& charms_;
  Clock& clock_;
  bool writable_;
  std::set<std::string> keys_;
  // Charms a write transaction parsed: its rows may still roll back (and their ids be handed
  // out again), so they stay private to it until it commits.
  std::map<int64_t, std::shared_ptr<const ParsedCharm>> uncommitted_charms_;
};

class Db {
 public:
  // Reading connections opened at most; a Read waits when all are busy. The controller's
  // executor runs four tasks at a time, the lease manager one more.
  static constexpr int kDefaultReaders = 6;

  // Opens (creating) the database file and applies the schema migrations. Reading connections
  // are opened when first needed, up to `max_readers`. Transactions read the time from `clock`,
  // which must outlive the Db. Internal when the file cannot be opened or migrated.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path, Clock& clock,
                                                  int max_readers = kDefaultReaders);

  // Not owned; may be null. Set before serving.
  void SetListener(ChangeListener* listener) { listener_ = listener; }

  // Runs `fn` in one immediate transaction. If `fn` returns OK the transaction commits and the
  // listener learns the touched keys; otherwise (or on an SQLite exception, returned as
  // Internal `database error in <op>: ...`) it rolls back and nothing is written.
  absl::Status Write(const std::string& op, const std::function<absl::Status(Tx&)>& fn);

  // Runs `fn` in one read transaction on a reading connection: it sees the state of the last
  // commit before its first query, whatever is written meanwhile. Touch() is ignored; a write
  // through it fails (the connection is query-only). Never call Read or Write inside `fn`.
  absl::Status Read(const std::function<absl::Status(Tx&)>& fn);

  // The newest change_log sequence number (0 when nothing was ever written).
  int64_t LatestSeq();

  Clock& clock() { return clock_; }

 private:
  Db(std::string path, Clock& clock, std::unique_ptr<SQLite::Database> writer, int max_readers)
      : path_(std::move(path)), clock_(clock), writer_(std::move(writer)), max_readers_(max_readers) {}

  // A reading connection for the caller alone (opening one if fewer than max_readers_ exist),
  // or Internal when a new one cannot be opened.
  absl::StatusOr<SQLite::Database*> AcquireReader();
  void ReleaseReader(SQLite::Database* reader);

  const std::string path_;
  Clock& clock_;

  Mutex write_mu_;
  const std::unique_ptr<SQLite::Database> writer_ ABSL_PT_GUARDED_BY(write_mu_);

  Mutex readers_mu_;
  CondVar reader_released_;  // signalled when a reader goes idle or a slot frees
  const int max_readers_;
  int readers_opened_ ABSL_GUARDED_BY(readers_mu_) = 0;  // including those being opened
  std::vector<std::unique_ptr<SQLite::Database>> readers_ ABSL_GUARDED_BY(readers_mu_);
  std::vector<SQLite::Database*> idle_readers_ ABSL_GUARDED_BY(readers_mu_);

  ParsedCharmCache charms_;
  ChangeListener* listener_ = nullptr;
};

// Latest change_log seq as seen inside a transaction.
int64_t LatestSeq(Tx& tx);

}  // namespace skein::controller::domain
