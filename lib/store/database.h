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

}  // namespace skein::store
