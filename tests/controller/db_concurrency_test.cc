// Db (controller/domain/core/db.h): reads run on connections of their own, so a write in
// progress holds up no read; each read sees one committed snapshot; reading connections cannot
// write.

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "controller/domain/core/db.h"
#include "controller/domain/core/sql.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using namespace std::chrono_literals;
using testing::DomainEnv;
using testing::TestCharm;

int64_t ReadLatestSeq(domain::Db& db) {
  int64_t seq = -1;
  absl::Status s = db.Read([&](domain::Tx& tx) {
    seq = domain::LatestSeq(tx);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return seq;
}

TEST(DbConcurrencyTest, ReadsAnswerWhileAWriteIsInProgressAndSeeOnlyWhatWasCommitted) {
  DomainEnv env;
  env.Deploy("kv", TestCharm("kv-provider"), 1);
  const int64_t before = ReadLatestSeq(*env.db);
  std::promise<void> writing, release;
  std::thread writer([&] {
    absl::Status s = env.db->Write("held-open", [&](domain::Tx& tx) {
      tx.Record(-1, "test", "held", "open");
      writing.set_value();
      release.get_future().wait();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  writing.get_future().wait();
  // The write holds its transaction open; status of the model answers all the same.
  auto status = std::async(std::launch::async, [&] { return env.status->ModelStatus("test"); });
  const bool answered = status.wait_for(10s) == std::future_status::ready;
  const int64_t seen = answered ? ReadLatestSeq(*env.db) : -1;
  release.set_value();
  writer.join();
  ASSERT_TRUE(answered) << "a read waited for the write";
  EXPECT_TRUE(status.get().ok());
  EXPECT_EQ(seen, before) << "a read saw an uncommitted change";
  EXPECT_EQ(ReadLatestSeq(*env.db), before + 1);
}

TEST(DbConcurrencyTest, AReadSeesOneSnapshotWhileWritesCommit) {
  DomainEnv env;
  const int64_t before = ReadLatestSeq(*env.db);
  int64_t first = -1, second = -1;
  absl::Status read = env.db->Read([&](domain::Tx& tx) {
    first = domain::LatestSeq(tx);
    // A write commits between the read's two queries (on another thread, as in the server).
    std::thread writer([&] {
      EXPECT_TRUE(env.db->Write("between", [](domain::Tx& w) {
                        w.Record(-1, "test", "between", "commit");
                        return absl::OkStatus();
                      }).ok());
    });
    writer.join();
    second = domain::LatestSeq(tx);
    return absl::OkStatus();
  });
  ASSERT_TRUE(read.ok()) << read;
  EXPECT_EQ(first, before);
  EXPECT_EQ(second, before) << "one read saw two states";
  EXPECT_EQ(ReadLatestSeq(*env.db), before + 1);
}

TEST(DbConcurrencyTest, AReadCannotWrite) {
  DomainEnv env;
  absl::Status s = env.db->Read([](domain::Tx& tx) {
    domain::sql::Exec(tx.db(), "DELETE FROM change_log");
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_NE(s.message().find("readonly"), absl::string_view::npos) << s;
}

TEST(DbConcurrencyTest, MoreConcurrentReadsThanConnectionsWaitTheirTurn) {
  testing::TempDir dir;
  auto db = domain::Db::Open(dir.path() + "/c.db", RealClock(), /*max_readers=*/2);
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<std::future<int64_t>> reads;
  for (int i = 0; i < 16; ++i) reads.push_back(std::async(std::launch::async, [&] { return ReadLatestSeq(**db); }));
  for (auto& r : reads) {
    ASSERT_EQ(r.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(r.get(), 0);
  }
}

}  // namespace
}  // namespace skein::controller
