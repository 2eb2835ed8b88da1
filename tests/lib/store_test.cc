#include "lib/store/database.h"

#include <chrono>
#include <filesystem>

#include "gtest/gtest.h"

namespace skein::store {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("skein-store-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(StoreTest, OpensInWalWithFullSync) {
  auto db = OpenDatabase((dir_ / "x.db").string());
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ((*db)->execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
  EXPECT_EQ((*db)->execAndGet("PRAGMA foreign_keys").getInt(), 1);
}

TEST_F(StoreTest, MigrationsApplyOnceAndRefuseEdits) {
  auto db = OpenDatabase((dir_ / "m.db").string());
  ASSERT_TRUE(db.ok());
  std::vector<Migration> ms = {{1, "0001-a", "CREATE TABLE a(x INTEGER);"},
                               {2, "0002-b", "CREATE TABLE b(y INTEGER);"}};
  SimulatedClock clock;
  ASSERT_TRUE(Migrate(**db, ms, clock).ok());
  clock.Advance(std::chrono::seconds(90));
  ASSERT_TRUE(Migrate(**db, ms, clock).ok());  // idempotent
  EXPECT_EQ((*db)->execAndGet("SELECT COUNT(*) FROM schema_version").getInt(), 2);
  EXPECT_EQ((*db)->execAndGet("SELECT MAX(applied_at) FROM schema_version").getString(), "2026-01-01T00:00:00Z")
      << "applied_at is bound from the clock when the migration is applied";
  ms[0].sql = "CREATE TABLE a(x TEXT);";
  auto st = Migrate(**db, ms, clock);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace skein::store
