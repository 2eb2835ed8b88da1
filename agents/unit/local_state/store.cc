#include "agents/unit/local_state/store.h"

#include "absl/strings/str_cat.h"
#include "lib/store/database.h"

namespace skein::agent {
namespace {

const std::vector<store::Migration>& Migrations() {
  static const auto* migrations = new std::vector<store::Migration>{
      {1, "0001-uniter-state",
       "CREATE TABLE uniter_state (id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL);"},
  };
  return *migrations;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LocalStateStore>> LocalStateStore::Open(const std::string& path, Clock& clock) {
  auto db = store::OpenDatabase(path);
  if (!db.ok()) return db.status();
  // The uniter's state must survive a crashed or killed agent, not a power cut: in WAL mode
  // synchronous=NORMAL keeps every commit across kill -9 (it is in the WAL in the page cache)
  // while saving an fsync per step on the path to the next hook. After a power cut the worst
  // case is an older state: a hook runs again (allowed), and a commit already applied is
  // recognised by the controller's commit_seq (Login's last_commit_seq), so nothing doubles.
  // The controller's own database keeps synchronous=FULL.
  try {
    (*db)->exec("PRAGMA synchronous=NORMAL");
  } catch (const SQLite::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot configure local state: ", e.what()));
  }
  absl::Status migrated = store::Migrate(**db, Migrations(), clock);
  if (!migrated.ok()) return migrated;
  return std::unique_ptr<LocalStateStore>(new LocalStateStore(std::move(*db)));
}

absl::StatusOr<LocalState> LocalStateStore::Load() {
  try {
    SQLite::Statement query(*db_, "SELECT document FROM uniter_state WHERE id = 1");
    if (!query.executeStep()) return LocalState{};
    std::string document = query.getColumn(0).getString();
    nlohmann::json json = nlohmann::json::parse(document, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return absl::InvalidArgumentError("local state is not valid JSON");
    auto state = LocalStateFromJson(json);
    if (state.ok()) last_saved_ = document;
    return state;
  } catch (const SQLite::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot read local state: ", e.what()));
  }
}

absl::Status LocalStateStore::Save(const LocalState& state) {
  std::string document = ToJson(state).dump();
  if (document == last_saved_) return absl::OkStatus();
  try {
    SQLite::Statement upsert(*db_,
                             "INSERT INTO uniter_state (id, document) VALUES (1, ?) "
                             "ON CONFLICT (id) DO UPDATE SET document = excluded.document");
    upsert.bind(1, document);
    upsert.exec();
  } catch (const SQLite::Exception& e) {
    return absl::InternalError(absl::StrCat("cannot save local state: ", e.what()));
  }
  last_saved_ = std::move(document);
  return absl::OkStatus();
}

}  // namespace skein::agent
