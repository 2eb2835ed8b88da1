#pragma once

// SQLite helpers shared by the controller's state and the unit agent's local state.

#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"

namespace skein::store {

// Opens (creating) a database file with WAL, synchronous=FULL (an acknowledged commit survives
// power loss), foreign keys on and a busy timeout. Internal on failure.
absl::StatusOr<std::unique_ptr<SQLite::Database>> OpenDatabase(const std::string& path);

struct Migration {
  int version;          // 1, 2, 3 ... in order, never renumbered
  std::string name;     // `0001-model`
  std::string sql;
};

// Applies every migration newer than the recorded schema version, each in its own
// transaction, recording it in `schema_version(version, name, sha256, applied_at)` with the time
// from `clock`. A migration that was already applied but whose text changed is refused
// (FailedPrecondition), because migrations are append-only.
absl::Status Migrate(SQLite::Database& db, const std::vector<Migration>& migrations, Clock& clock);

// Copies the database at `source_path` into a new file at `dest_path` with SQLite's online
// backup API: all pages in one step under one read transaction, so the copy is the state of one
// moment even while another process writes (a writer waits at most the busy timeout), then
// checks the copy with PRAGMA integrity_check. The copy is a single file (journal mode DELETE).
// NotFound when there is no source; Internal on SQLite errors or a damaged copy.
absl::Status BackupDatabase(const std::string& source_path, const std::string& dest_path);

}  // namespace skein::store
