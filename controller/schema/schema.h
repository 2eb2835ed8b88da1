#pragma once

// The controller database schema (DESIGN §4): numbered, append-only migrations kept as
// controller/schema/NNNN_name.sql and embedded in the binary.

#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/status/status.h"
#include "lib/store/database.h"

namespace skein::controller::schema {

// Every migration, in version order.
const std::vector<store::Migration>& Migrations();

// Brings `db` to the newest schema. Idempotent. Internal or FailedPrecondition (a migration
// that was applied changed afterwards) from store::Migrate.
absl::Status Apply(SQLite::Database& db, Clock& clock);

namespace internal {
// Defined in the generated embedded_migrations.cc.
std::vector<store::Migration> EmbeddedMigrations();
}  // namespace internal

}  // namespace skein::controller::schema
