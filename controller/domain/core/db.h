#pragma once

// The controller's one SQLite connection (DESIGN §4). Every durable change is a named domain
// operation running in ONE transaction through Db::Write; when it commits, the change keys it
// touched are handed to the ChangeListener (the watch hub), which wakes exactly the streams
// that subscribed to one of them. Reads run under the same mutex, so they always see a
// committed state.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"

namespace skein::controller::domain {

// Keys name what a watcher's snapshot depends on; writes touch the keys of what they change.
std::string UnitKey(int64_t unit_row);
std::string AppKey(int64_t app_row);
std::string RelationKey(int64_t relation_row);
std::string MachineKey(const std::string& machine_id);
std::string LogKey();

// Receives the change keys of every committed write, after the commit and outside the
// database lock.
class ChangeListener {
 public:
  virtual ~ChangeListener() = default;
  virtual void OnCommitted(const std::set<std::string>& keys) = 0;
};

// A charm's parsed metadata and config schema. Charm rows never change, so they are parsed
// once and cached by row id.
struct ParsedCharm {
  charm::Metadata metadata;
  charm::ConfigSchema config;
};

// The handle a domain operation works through: the connection, the keys it touched, and the
// parsed-charm cache. Only valid inside Db::Write / Db::Read.
class Tx {
 public:
  Tx(SQLite::Database& db, std::map<int64_t, std::shared_ptr<const ParsedCharm>>& charms, bool writable)
      : db_(db), charms_(charms), writable_(writable) {}

  SQLite::Database& db() { return db_; }
  bool writable() const { return writable_; }

  // Marks a key as changed; watchers of it are woken after the commit.
  void Touch(const std::string& key) { keys_.insert(key); }
  const std::set<std::string>& keys() const { return keys_; }

  // Appends a change_log row (model_id < 0 = controller-wide). Its seq versions snapshots.
  void Record(int64_t model_id, const std::string& kind, const std::string& entity, const std::string& op);

  // Parsed metadata and config of a charm row. Internal when the stored charm does not parse.
  absl::StatusOr<std::shared_ptr<const ParsedCharm>> Charm(int64_t charm_row);

 private:
  SQLite::Database& db_;
  std::map<int64_t, std::shared_ptr<const ParsedCharm>>& charms_;
  bool writable_;
  std::set<std::string> keys_;
};

class Db {
 public:
  // Opens (creating) the database file and applies the schema migrations.
  // Internal when the file cannot be opened or migrated.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path);

  // Not owned; may be null. Set before serving.
  void SetListener(ChangeListener* listener) { listener_ = listener; }

  // Runs `fn` in one immediate transaction. If `fn` returns OK the transaction commits and the
  // listener learns the touched keys; otherwise (or on an SQLite exception, returned as
  // Internal `database error in <op>: ...`) it rolls back and nothing is written.
  absl::Status Write(const std::string& op, const std::function<absl::Status(Tx&)>& fn);

  // Runs `fn` under the lock without a write transaction. Touch() is ignored.
  absl::Status Read(const std::function<absl::Status(Tx&)>& fn);

  // The newest change_log sequence number (0 when nothing was ever written).
  int64_t LatestSeq();

 private:
  explicit Db(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

  std::mutex mu_;
  std::unique_ptr<SQLite::Database> db_;
  std::map<int64_t, std::shared_ptr<const ParsedCharm>> charms_;
  ChangeListener* listener_ = nullptr;
};

// Latest change_log seq as seen inside a transaction.
int64_t LatestSeq(Tx& tx);

}  // namespace skein::controller::domain
