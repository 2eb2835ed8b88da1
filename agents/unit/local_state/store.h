#pragma once

// Persists the unit's LocalState in <agent-dir>/state.db: one row holding a JSON document,
// written in one SQLite transaction (WAL, synchronous=NORMAL: survives kill -9; see store.cc), so that after a crash the agent
// reads back exactly the last state it saved.

#include <memory>
#include <string>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/status/statusor.h"
#include "agents/unit/local_state/local_state.h"
#include "lib/base/clock.h"

namespace skein::agent {

class LocalStateStore {
 public:
  // Opens (creating) the database; `clock` times the schema migrations. Internal when SQLite
  // cannot open or migrate it.
  static absl::StatusOr<std::unique_ptr<LocalStateStore>> Open(const std::string& path, Clock& clock);

  // The saved state, or a fresh LocalState when nothing was saved yet. InvalidArgument when
  // the saved document cannot be read back.
  absl::StatusOr<LocalState> Load();
  // Replaces the saved state. Writes nothing when `state` equals what was saved last.
  // Internal on a SQLite error.
  absl::Status Save(const LocalState& state);

 private:
  explicit LocalStateStore(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}

  std::unique_ptr<SQLite::Database> db_;
  std::string last_saved_;
};

}  // namespace skein::agent
