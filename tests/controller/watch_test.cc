#include "controller/watch/hub.h"

#include <atomic>

#include "controller/watch/snapshots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

class CountingWatcher : public watch::Watcher {
 public:
  void Wake() override { ++wakes; }
  void Close() override { ++closes; }
  std::atomic<int> wakes{0};
  std::atomic<int> closes{0};
};

TEST(HubTest, WakesOnlySubscribersOfTouchedKeys) {
  watch::Hub hub;
  auto a = std::make_shared<CountingWatcher>();
  auto b = std::make_shared<CountingWatcher>();
  hub.Add(a);
  hub.Add(b);
  EXPECT_EQ(hub.SetKeys(a.get(), {"unit:1", "rel:1"}), 0u);
  hub.SetKeys(b.get(), {"unit:2"});
  hub.OnCommitted({"rel:1", "app:9"});
  EXPECT_EQ(a->wakes, 1);
  EXPECT_EQ(b->wakes, 0);
  hub.OnCommitted({"unit:2"});
  EXPECT_EQ(b->wakes, 1);
  // Keys are replaced, not added.
  hub.SetKeys(a.get(), {"unit:1"});
  hub.OnCommitted({"rel:1"});
  EXPECT_EQ(a->wakes, 1);
  hub.Remove(b.get());
  hub.OnCommitted({"unit:2"});
  EXPECT_EQ(b->wakes, 1);
  EXPECT_EQ(hub.watcher_count(), 1u);
}

TEST(HubTest, SetKeysReportsChangesPublishedBeforeSubscribing) {
  watch::Hub hub;
  auto w = std::make_shared<CountingWatcher>();
  hub.Add(w);
  uint64_t start = hub.Seq();
  hub.OnCommitted({"rel:5"});  // lands between a snapshot read and the subscription
  EXPECT_GT(hub.SetKeys(w.get(), {"rel:5"}), start);
  EXPECT_EQ(hub.SetKeys(w.get(), {"rel:6"}), 0u);
}

TEST(HubTest, ShutdownClosesEveryWatcherAndLateOnes) {
  watch::Hub hub;
  auto w = std::make_shared<CountingWatcher>();
  hub.Add(w);
  hub.Shutdown();
  EXPECT_EQ(w->closes, 1);
  auto late = std::make_shared<CountingWatcher>();
  hub.Add(late);
  EXPECT_EQ(late->closes, 1);
  EXPECT_TRUE(hub.closed());
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", MakeCharm(kDbMetadata, "options:\n  port:\n    type: int\n    default: 3306\n"), 2);
    env_.Deploy("app", MakeCharm(kAppMetadata), 1);
    ASSERT_TRUE(env_.relations->Integrate("test", {"app", "db"}).ok());  // relation 1
  }
  v1::UnitSnapshot Snapshot(const std::string& unit) {
    auto view = watch::BuildUnitSnapshot(*env_.db, env_.UnitId(unit));
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? view->snapshot : v1::UnitSnapshot();
  }
  DomainEnv env_;
};

TEST_F(SnapshotTest, UnitSnapshotHoldsWhatTheUniterNeeds) {
  v1::UnitSnapshot s = Snapshot("db/0");
  EXPECT_GT(s.version(), 0);
  EXPECT_EQ(s.unit(), "db/0");
  EXPECT_EQ(s.application(), "db");
  EXPECT_TRUE(s.leader());
  EXPECT_EQ(s.life(), v1::LIFE_ALIVE);
  EXPECT_EQ(s.model_name(), "test");
  EXPECT_EQ(s.machine_id(), "0");
  EXPECT_EQ(s.charm().url(), "local:db-0");
  EXPECT_EQ(s.charm().revision(), 0);
  EXPECT_EQ(s.charm().sha256().size(), 64u);
  EXPECT_EQ(nlohmann::json::parse(s.config_json()), nlohmann::json::parse(R"({"port":3306})"));
  EXPECT_EQ(s.model_config().at("update-status-hook-interval"), "5m");
  EXPECT_EQ(s.model_config().at("automatically-retry-hooks"), "true");
  EXPECT_EQ(s.private_address(), "127.0.0.1");
  ASSERT_EQ(s.relations_size(), 2);
  const v1::RelationSnapshot& peers = s.relations(0);
  EXPECT_EQ(peers.id(), 0);
  EXPECT_EQ(peers.role(), "peers");
  EXPECT_EQ(peers.remote_application(), "db");
  ASSERT_EQ(peers.members_size(), 1);
  EXPECT_EQ(peers.members(0).unit(), "db/1");
  const v1::RelationSnapshot& regular = s.relations(1);
  EXPECT_EQ(regular.id(), 1);
  EXPECT_EQ(regular.endpoint(), "db");
  EXPECT_EQ(regular.role(), "provides");
  EXPECT_EQ(regular.interface(), "mysql");
  EXPECT_EQ(regular.remote_application(), "app");
  EXPECT_EQ(regular.remote_endpoint(), "db");
  ASSERT_EQ(regular.members_size(), 1);
  EXPECT_EQ(regular.members(0).unit(), "app/0");
  EXPECT_EQ(regular.members(0).settings_version(), 1) << "pre-populated bag";
  EXPECT_EQ(regular.remote_app_settings_version(), 0);
  EXPECT_FALSE(Snapshot("db/1").leader());
}

TEST_F(SnapshotTest, FollowsBagsLifeAndScope) {
  ASSERT_TRUE(env_.SetUnitBag("app/0", 1, {{"request", "x"}}, 1).ok());
  domain::relation::BagChange app_bag{1, true, {{"k", "v"}}, {}};
  ASSERT_TRUE(env_.CommitBags(env_.UnitId("app/0"), 2, {app_bag}).ok());
  v1::UnitSnapshot s = Snapshot("db/0");
  EXPECT_EQ(s.relations(1).members(0).settings_version(), 2);
  EXPECT_EQ(s.relations(1).remote_app_settings_version(), 1);
  EXPECT_EQ(Snapshot("app/0").relations(0).local_app_settings_version(), 1);

  ASSERT_TRUE(env_.relations->RemoveRelation("test", {"1"}).ok());
  s = Snapshot("db/0");
  EXPECT_EQ(s.relations(1).life(), v1::LIFE_DYING);
  EXPECT_EQ(s.relations(1).members_size(), 0);
  ASSERT_TRUE(env_.relations->LeaveRelation(env_.UnitId("db/0"), 1).ok());
  s = Snapshot("db/0");
  ASSERT_EQ(s.relations_size(), 1) << "a relation the unit left is no longer in its snapshot";
  EXPECT_EQ(s.relations(0).id(), 0);

  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"db/0"}).ok());
  s = Snapshot("db/0");
  EXPECT_EQ(s.life(), v1::LIFE_DYING);
  EXPECT_FALSE(s.leader()) << "leadership moved to db/1";
  EXPECT_TRUE(Snapshot("db/1").leader());
}

TEST_F(SnapshotTest, SequencerSendsOnlyChangesWithIncreasingVersions) {
  watch::Sequencer<v1::UnitSnapshot> seq;
  auto first = seq.Next(Snapshot("db/0"));
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(seq.Next(Snapshot("db/0")).has_value()) << "nothing changed";
  ASSERT_TRUE(env_.apps->SetConfig("test", "db", {{"port", "1"}}, {}).ok());
  auto second = seq.Next(Snapshot("db/0"));
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(second->version(), first->version());
}

TEST_F(SnapshotTest, CommitWakesExactlyTheWatchersItConcerns) {
  watch::Hub hub;
  env_.db->SetListener(&hub);
  env_.Deploy("lonely", MakeCharm("name: lonely\n"), 1);
  auto db_watcher = std::make_shared<CountingWatcher>();
  auto lonely_watcher = std::make_shared<CountingWatcher>();
  hub.Add(db_watcher);
  hub.Add(lonely_watcher);
  hub.SetKeys(db_watcher.get(), watch::BuildUnitSnapshot(*env_.db, env_.UnitId("db/1"))->keys);
  hub.SetKeys(lonely_watcher.get(), watch::BuildUnitSnapshot(*env_.db, env_.UnitId("lonely/0"))->keys);
  ASSERT_TRUE(env_.SetUnitBag("app/0", 1, {{"request", "x"}}, 1).ok());
  EXPECT_EQ(db_watcher->wakes, 1);
  EXPECT_EQ(lonely_watcher->wakes, 0);
  env_.db->SetListener(nullptr);
}

TEST(MachineSnapshotTest, ListsUnitsOfEveryModelWithLife) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(kDbMetadata), 2);
  ASSERT_TRUE(env.models->AddModel("other").ok());
  domain::application::DeployArgs args;
  args.model = "other";
  args.charm = testing::Uploaded(MakeCharm(kAppMetadata));
  args.num_units = 1;
  ASSERT_TRUE(env.apps->Deploy(args).ok());
  ASSERT_TRUE(env.apps->RemoveUnits("test", {"db/1"}).ok());
  auto view = watch::BuildMachineSnapshot(*env.db, "0");
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->snapshot.units_size(), 3);
  EXPECT_EQ(view->snapshot.units(0).name(), "app/0");
  EXPECT_EQ(view->snapshot.units(1).name(), "db/0");
  EXPECT_EQ(view->snapshot.units(2).name(), "db/1");
  EXPECT_EQ(view->snapshot.units(2).life(), v1::LIFE_DYING);
  ASSERT_TRUE(env.units->MarkUnitDead(env.UnitId("db/1")).ok());
  EXPECT_EQ(watch::BuildMachineSnapshot(*env.db, "0")->snapshot.units_size(), 2);
  EXPECT_EQ(watch::BuildMachineSnapshot(*env.db, "9").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace skein::controller
