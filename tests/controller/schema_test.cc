#include "controller/schema/schema.h"

#include "controller/domain/core/sql.h"
#include "gtest/gtest.h"
#include "lib/store/database.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

int64_t Query(SQLite::Database& db, const char* sql) { return domain::sql::QueryInt(db, -1, sql); }

TEST(SchemaTest, MigrationsAreNumberedFromOneWithoutGaps) {
  const auto& migrations = schema::Migrations();
  ASSERT_FALSE(migrations.empty());
  for (size_t i = 0; i < migrations.size(); ++i) {
    EXPECT_EQ(migrations[i].version, static_cast<int>(i + 1)) << migrations[i].name;
    EXPECT_FALSE(migrations[i].sql.empty());
  }
}

TEST(SchemaTest, AppliesToAFreshDatabaseAndIsIdempotent) {
  testing::TempDir dir;
  SimulatedClock clock;
  auto db = store::OpenDatabase(dir.path() + "/c.db");
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE(schema::Apply(**db, clock).ok());
  for (const char* table : {"controller", "models", "machines", "charms", "applications", "units", "relations",
                            "relation_endpoints", "relation_scopes", "relation_bags", "relation_settings",
                            "change_log", "log_entries"}) {
    std::string sql = std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") + table + "'";
    EXPECT_EQ(Query(**db, sql.c_str()), 1) << table;
  }
  const int64_t applied = Query(**db, "SELECT COUNT(*) FROM schema_version");
  EXPECT_EQ(applied, static_cast<int64_t>(schema::Migrations().size()));
  EXPECT_EQ(Query(**db, "SELECT COUNT(*) FROM schema_version WHERE applied_at = '2026-01-01T00:00:00Z'"), applied)
      << "each migration is stamped with the injected clock's time";
  clock.Advance(std::chrono::hours(1));

  // Data survives a second run, which applies nothing new.
  (*db)->exec("INSERT INTO models(name, uuid, created_at) VALUES ('m', 'u', 'now')");
  ASSERT_TRUE(schema::Apply(**db, clock).ok());
  EXPECT_EQ(Query(**db, "SELECT COUNT(*) FROM schema_version"), applied);
  EXPECT_EQ(Query(**db, "SELECT COUNT(*) FROM models"), 1);
}

TEST(SchemaTest, ReopeningAnExistingDatabaseKeepsItsState) {
  testing::TempDir dir;
  {
    auto db = domain::Db::Open(dir.path() + "/c.db", RealClock());
    ASSERT_TRUE(db.ok());
    domain::model::ModelService models(db->get());
    ASSERT_TRUE(models.Bootstrap(testing::TestBootstrap()).ok());
  }
  auto db = domain::Db::Open(dir.path() + "/c.db", RealClock());
  ASSERT_TRUE(db.ok()) << db.status();
  domain::model::ModelService models(db->get());
  auto again = models.Bootstrap(testing::TestBootstrap());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "a bootstrapped database is not bootstrapped twice";
  auto info = models.Controller();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->name, "local");
}

TEST(SchemaTest, ForeignKeysAreEnforced) {
  testing::TempDir dir;
  auto db = domain::Db::Open(dir.path() + "/c.db", RealClock());
  ASSERT_TRUE(db.ok());
  absl::Status s = (*db)->Write("bad", [](domain::Tx& tx) -> absl::Status {
    domain::sql::Exec(tx.db(), "INSERT INTO relation_scopes(relation_id, unit_id) VALUES (42, 42)");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
}

TEST(SchemaTest, DeploymentRevisionsFromBeforePlanJobsReadAsDeployedAndSuperseded) {
  testing::TempDir dir;
  SimulatedClock clock;
  auto db = store::OpenDatabase(dir.path() + "/c.db");
  ASSERT_TRUE(db.ok()) << db.status();
  // The schema as it was before migration 0010, with three revisions of one deployment and one
  // of another, as issue 5's bundle deploys wrote them.
  std::vector<store::Migration> before;
  for (const auto& m : schema::Migrations()) {
    if (m.name.find("plan_jobs") == std::string::npos) before.push_back(m);
  }
  ASSERT_EQ(before.size() + 1, schema::Migrations().size());
  ASSERT_TRUE(store::Migrate(**db, before, clock).ok());
  (*db)->exec("INSERT INTO models(id, name, uuid, created_at) VALUES (1, 'm', 'u', 'now')");
  for (const char* values : {"(1, 'kubeflow', 1, 'y', 't1')", "(1, 'kubeflow', 2, 'y', 't2')",
                             "(1, 'kubeflow', 3, 'y', 't3')", "(1, 'mlflow', 1, 'y', 't4')"}) {
    (*db)->exec(std::string("INSERT INTO bundle_deployments(model_id, bundle, revision, bundle_yaml, deployed_at) "
                            "VALUES ") + values);
  }
  ASSERT_TRUE(schema::Apply(**db, clock).ok());
  EXPECT_EQ(Query(**db, "SELECT COUNT(*) FROM bundle_deployments WHERE status = 'superseded' AND revision < 3 AND "
                        "bundle = 'kubeflow'"),
            2);
  EXPECT_EQ(Query(**db, "SELECT revision FROM bundle_deployments WHERE status = 'deployed' AND bundle = 'kubeflow'"), 3);
  EXPECT_EQ(Query(**db, "SELECT COUNT(*) FROM bundle_deployments WHERE status = 'deployed' AND bundle = 'mlflow'"), 1);
  EXPECT_EQ(Query(**db, "SELECT COUNT(*) FROM bundle_deployments WHERE updated_at = deployed_at"), 4);
}

}  // namespace
}  // namespace skein::controller
