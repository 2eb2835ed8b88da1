#include "controller/domain/relation/relation_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using ::testing::ElementsAre;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

class IntegrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", MakeCharm(kDbMetadata), 1);       // peer relation 0
    env_.Deploy("app", MakeCharm(kAppMetadata), 2);
  }
  absl::StatusOr<domain::relation::IntegrateResult> Integrate(const std::string& a, const std::string& b) {
    return env_.relations->Integrate("test", {a, b});
  }
  DomainEnv env_;
};

TEST_F(IntegrateTest, InfersTheOnlyMatchingPairAndFillsScopes) {
  auto r = Integrate("db", "app");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->relation_id, 1) << "the peer relation took id 0";
  EXPECT_EQ(r->key, "app:db db:db") << "requirer first";
  // db/0, app/0 and app/1 are in scope, each with a pre-populated bag.
  EXPECT_EQ(env_.Count("relation_scopes", "relation_id = (SELECT id FROM relations WHERE relation_id = 1)"), 3);
  for (const char* unit : {"db/0", "app/0", "app/1"}) {
    EXPECT_EQ(env_.Count("relation_settings", std::string("owner = '") + unit + "' AND key = 'private-address'"),
              unit == std::string("db/0") ? 2 : 1)
        << unit;
  }
}

TEST_F(IntegrateTest, ExplicitEndpointsWork) {
  auto r = Integrate("app:db", "db:db");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->key, "app:db db:db");
}

TEST_F(IntegrateTest, ErrorsUseJujuTexts) {
  auto unknown = Integrate("db", "nope");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "application \"nope\" not found");

  auto missing_ep = Integrate("db:nope", "app");
  EXPECT_EQ(missing_ep.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing_ep.status().message(), "application \"db\" has no \"nope\" relation");

  env_.Deploy("db2", MakeCharm(kDbMetadata), 0);
  auto no_match = Integrate("db", "db2");
  EXPECT_EQ(no_match.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_match.status().message(), "no relations found");

  auto peers = Integrate("db:cluster", "app");
  EXPECT_EQ(peers.status().message(), "no relations found") << "peers endpoints never match";

  auto self = Integrate("db", "db");
  EXPECT_EQ(self.status().code(), absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(env_.relations->Integrate("test", {"db"}).status().code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(Integrate("db", "app").ok());
  auto again = Integrate("app", "db");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "cannot add relation \"app:db db:db\": relation app:db db:db already exists");
  EXPECT_EQ(env_.Count("relations"), 3) << "two peer relations and app:db db:db; failed integrates wrote nothing";
}

TEST_F(IntegrateTest, AmbiguousListsEveryCandidate) {
  env_.Deploy("multi", MakeCharm("name: multi\nrequires:\n  first: mysql\n  second: mysql\n"), 1);
  auto r = Integrate("multi", "db");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "ambiguous relation: \"multi db\" could refer to \"multi:first db:db\"; \"multi:second db:db\"");
  EXPECT_TRUE(Integrate("multi:second", "db").ok());
}

TEST_F(IntegrateTest, LimitIsEnforced) {
  env_.Deploy("single", MakeCharm("name: single\nprovides:\n  db:\n    interface: mysql\n    limit: 1\n"), 1);
  env_.Deploy("other", MakeCharm("name: other\nrequires:\n  db: mysql\n"), 1);
  ASSERT_TRUE(Integrate("single", "app").ok());
  auto r = Integrate("single", "other");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "cannot add relation \"other:db single:db\": establishing a new relation for single:db would exceed its "
            "maximum relation limit of 1 (quota limit exceeded)");
}

TEST_F(IntegrateTest, RelationIdsAreNeverReused) {
  auto first = Integrate("db", "app");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(env_.relations->RemoveRelation("test", {"db", "app"}).ok());
  for (const char* unit : {"db/0", "app/0", "app/1"}) {
    ASSERT_TRUE(env_.relations->LeaveRelation(env_.UnitId(unit), first->relation_id).ok());
  }
  EXPECT_EQ(env_.Count("relations", "relation_id = 1"), 0);
  auto second = Integrate("db", "app");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->relation_id, 2);
}

TEST_F(IntegrateTest, RemoveRelationResolvesSpecsOrIds) {
  auto not_found = env_.relations->RemoveRelation("test", {"db", "app"});
  EXPECT_EQ(not_found.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(not_found.status().message(), "relation \"app:db db:db\" not found");
  EXPECT_EQ(env_.relations->RemoveRelation("test", {"7"}).status().message(), "relation 7 not found");
  EXPECT_EQ(env_.relations->RemoveRelation("test", {"0"}).status().code(), absl::StatusCode::kFailedPrecondition)
      << "peer relations are not removable";

  ASSERT_TRUE(Integrate("db", "app").ok());
  auto removed = env_.relations->RemoveRelation("test", {"1"});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(env_.Count("relations", "relation_id = 1 AND life = 1"), 1) << "dying while units are in scope";
}

class BagTest : public IntegrateTest {
 protected:
  void SetUp() override {
    IntegrateTest::SetUp();
    ASSERT_TRUE(Integrate("db", "app").ok());  // relation 1; app/0 leads app
  }
  absl::StatusOr<int64_t> Commit(const std::string& unit, int64_t seq, bool app_bag, int64_t relation_id,
                                 const domain::Bag& set) {
    domain::relation::BagChange change;
    change.relation_id = relation_id;
    change.application = app_bag;
    change.set = set;
    return env_.CommitBags(env_.UnitId(unit), seq, {change});
  }
  absl::StatusOr<domain::Bag> Read(const std::string& unit, int64_t relation_id, const std::string& owner, bool app) {
    return env_.relations->ReadSettings(env_.UnitId(unit), relation_id, owner, app);
  }
};

TEST_F(BagTest, CommitIsIdempotentBySequence) {
  ASSERT_EQ(*Commit("app/0", 1, false, 1, {{"request", "one"}}), 1);
  // A replay of seq 1 (say after an agent crash) is acknowledged and not applied again.
  auto replay = Commit("app/0", 1, false, 1, {{"request", "other"}});
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(*replay, 1);
  EXPECT_EQ((*Read("db/0", 1, "app/0", false))["request"], "one");
  EXPECT_EQ(env_.Unit("app/0").last_commit_seq, 1);
  ASSERT_EQ(*Commit("app/0", 2, false, 1, {{"request", "two"}}), 2);
  EXPECT_EQ((*Read("db/0", 1, "app/0", false))["request"], "two");
}

TEST_F(BagTest, VersionMovesOnlyWhenContentChanges) {
  auto members = env_.relations->Members(env_.UnitId("db/0"), 1);
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->members.size(), 2u);
  int64_t v0 = members->members[0].settings_version;
  ASSERT_TRUE(Commit("app/0", 1, false, 1, {{"k", "v"}}).ok());
  ASSERT_TRUE(Commit("app/0", 2, false, 1, {{"k", "v"}}).ok());  // same content
  members = env_.relations->Members(env_.UnitId("db/0"), 1);
  EXPECT_EQ(members->members[0].unit, "app/0");
  EXPECT_EQ(members->members[0].settings_version, v0 + 1);
  ASSERT_TRUE(Commit("app/0", 3, false, 1, {{"k", ""}}).ok());  // empty value deletes
  EXPECT_EQ(Read("db/0", 1, "app/0", false)->count("k"), 0u);
}

TEST_F(BagTest, WriteRulesAreEnforcedAndARefusedCommitWritesNothing) {
  auto minion = Commit("app/1", 1, true, 1, {{"x", "y"}});
  EXPECT_EQ(minion.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(minion.status().message(), "cannot write relation settings");
  auto leader = Commit("app/0", 1, true, 1, {{"x", "y"}});
  EXPECT_TRUE(leader.ok()) << leader.status();

  // A commit touching a relation the unit is not in fails as a whole.
  domain::relation::BagChange good{1, false, {{"fine", "yes"}}, {}};
  domain::relation::BagChange bad{0, false, {{"evil", "yes"}}, {}};
  auto mixed = env_.CommitBags(env_.UnitId("app/1"), 5, {good, bad});
  EXPECT_EQ(mixed.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Read("db/0", 1, "app/1", false)->count("fine"), 0u);
  EXPECT_EQ(env_.Unit("app/1").last_commit_seq, 0);
  EXPECT_EQ(env_.CommitBags(env_.UnitId("app/1"), 6, {{99, false, {{"a", "b"}}, {}}}).status().message(),
            "relation not found");
}

TEST_F(BagTest, ReadRulesFollowTheBagTable) {
  ASSERT_TRUE(Commit("app/0", 1, true, 1, {{"app-key", "v"}}).ok());
  ASSERT_TRUE(Commit("db/0", 1, true, 1, {{"db-key", "v"}}).ok());
  EXPECT_EQ((*Read("db/0", 1, "app", true))["app-key"], "v") << "remote app bag";
  EXPECT_EQ((*Read("app/1", 1, "db", true))["db-key"], "v");
  EXPECT_EQ((*Read("app/1", 1, "app/0", false))["private-address"], "127.0.0.1") << "another unit's bag";
  EXPECT_EQ(Read("app/1", 1, "app", true).status().code(), absl::StatusCode::kPermissionDenied)
      << "own app bag of a regular relation is for the leader only";
  EXPECT_TRUE(Read("app/0", 1, "app", true).ok());
  EXPECT_EQ(Read("app/0", 0, "db/0", false).status().code(), absl::StatusCode::kPermissionDenied)
      << "a relation the unit is not in";
  EXPECT_EQ(Read("app/0", 42, "db/0", false).status().message(), "relation not found");

  // Peers: every unit reads its own application's bag.
  env_.Deploy("peer", MakeCharm("name: peer\npeers:\n  p: ring\n"), 2);  // relation 2
  ASSERT_TRUE(Commit("peer/0", 1, true, 2, {{"shared", "s"}}).ok());
  EXPECT_EQ((*Read("peer/1", 2, "peer", true))["shared"], "s");
}

TEST_F(BagTest, AUnitLeavesOnlyTheScopeOfARelationOfItsApplication) {
  // Relation 0 is db's peer relation: app/0 has no scope there, and db/0's stays.
  auto foreign = env_.relations->LeaveRelation(env_.UnitId("app/0"), 0);
  EXPECT_EQ(foreign.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(env_.Count("relation_scopes", "relation_id = (SELECT id FROM relations WHERE relation_id = 0)"), 1);
  ASSERT_TRUE(env_.relations->LeaveRelation(env_.UnitId("app/0"), 1).ok());
  EXPECT_EQ(env_.Count("relation_scopes", "relation_id = (SELECT id FROM relations WHERE relation_id = 1)"), 2);
  EXPECT_TRUE(env_.relations->LeaveRelation(env_.UnitId("app/0"), 1).ok()) << "leaving twice is fine";
  EXPECT_TRUE(env_.relations->LeaveRelation(env_.UnitId("app/0"), 42).ok()) << "a relation removed meanwhile";
}

}  // namespace
}  // namespace skein::controller
