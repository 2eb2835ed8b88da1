#include "lib/store/database.h"

#include <filesystem>
#include <system_error>

#include "SQLiteCpp/Backup.h"
#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"
#include "lib/base/time.h"

namespace skein::store {

absl::Status BackupDatabase(const std::string& source_path, const std::string& dest_path) {
  std::error_code ec;
  if (!std::filesystem::exists(source_path, ec)) {
    return absl::NotFoundError(absl::StrCat("there is no database at ", source_path));
  }
  try {
    // Read-write without create: a WAL reader needs the shared-memory file, and a missing
    // database must not be made here.
    SQLite::Database source(source_path, SQLite::OPEN_READWRITE);
    source.setBusyTimeout(5000);
    SQLite::Database dest(dest_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup backup(dest, source);
    backup.executeStep(-1);
    if (backup.getRemainingPageCount() != 0) {
      return absl::InternalError(absl::StrCat("the backup of ", source_path, " did not finish"));
    }
    dest.exec("PRAGMA journal_mode=DELETE");
    std::string check = dest.execAndGet("PRAGMA integrity_check").getString();
    if (check != "ok") {
      return absl::InternalError(absl::StrCat("the backup of ", source_path, " fails its integrity check: ", check));
    }
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot back up ", source_path, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SQLite::Database>> OpenDatabase(const std::string& path) {
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE |
                                                           SQLite::OPEN_FULLMUTEX);
    db->exec("PRAGMA journal_mode=WAL");
    db->exec("PRAGMA synchronous=FULL");
    db->exec("PRAGMA foreign_keys=ON");
    db->setBusyTimeout(5000);
    return db;
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot open database ", path, ": ", e.what()));
  }
}

absl::Status Migrate(SQLite::Database& db, const std::vector<Migration>& migrations, Clock& clock) {
  try {
    // Databases created before the clock was injected keep a column default that is never used:
    // applied_at is always bound.
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "sha256 TEXT NOT NULL, applied_at TEXT NOT NULL)");
    for (const Migration& m : migrations) {
      SQLite::Statement q(db, "SELECT sha256 FROM schema_version WHERE version = ?");
      q.bind(1, m.version);
      std::string digest = Sha256Hex(m.sql);
      if (q.executeStep()) {
        if (q.getColumn(0).getString() != digest) {
          return absl::FailedPreconditionError(
              absl::StrCat("migration ", m.name, " was changed after it was applied; add a new migration instead"));
        }
        continue;
      }
      SQLite::Transaction tx(db);
      db.exec(m.sql);
      SQLite::Statement ins(db, "INSERT INTO schema_version(version, name, sha256, applied_at) VALUES (?, ?, ?, ?)");
      ins.bind(1, m.version);
      ins.bind(2, m.name);
      ins.bind(3, digest);
      ins.bind(4, FormatRfc3339(clock.WallNow()));
      ins.exec();
      tx.commit();
    }
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("migration failed: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace skein::store
