#include "controller/schema/schema.h"

namespace skein::controller::schema {

const std::vector<store::Migration>& Migrations() {
  static const std::vector<store::Migration>* migrations =
      new std::vector<store::Migration>(internal::EmbeddedMigrations());
  return *migrations;
}

absl::Status Apply(SQLite::Database& db, Clock& clock) { return store::Migrate(db, Migrations(), clock); }

}  // namespace skein::controller::schema
