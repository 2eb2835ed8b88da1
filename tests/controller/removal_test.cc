// Removal lifecycles (unit, relation, application) until their rows are gone, and leadership.

#include "controller/watch/snapshots.h"
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

std::vector<std::string> MemberNames(DomainEnv& env, const std::string& viewer, int64_t relation_id) {
  std::vector<std::string> names;
  auto view = env.relations->Members(env.UnitId(viewer), relation_id);
  if (view.ok()) {
    for (const auto& m : view->members) names.push_back(m.unit);
  }
  return names;
}

class RemovalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", MakeCharm(kDbMetadata), 2);   // peer relation 0
    env_.Deploy("app", MakeCharm(kAppMetadata), 2);
    ASSERT_TRUE(env_.relations->Integrate("test", {"app", "db"}).ok());  // relation 1
  }
  void Leave(const std::string& unit, int64_t relation_id) {
    ASSERT_TRUE(env_.relations->LeaveRelation(env_.UnitId(unit), relation_id).ok());
  }
  DomainEnv env_;
};

TEST_F(RemovalTest, RelationIsDeletedWhenTheLastUnitLeaves) {
  ASSERT_TRUE(env_.SetUnitBag("app/0", 1, {{"k", "v"}}, 1).ok());
  ASSERT_TRUE(env_.relations->RemoveRelation("test", {"db:db", "app:db"}).ok());
  EXPECT_TRUE(MemberNames(env_, "db/0", 1).empty()) << "a dying relation has no members";
  Leave("app/0", 1);
  Leave("app/1", 1);
  Leave("db/0", 1);
  EXPECT_EQ(env_.Count("relations", "relation_id = 1"), 1);
  // A departed unit's bag stays readable while the relation exists.
  auto bag = env_.relations->ReadSettings(env_.UnitId("db/1"), 1, "app/0", false);
  ASSERT_TRUE(bag.ok()) << bag.status();
  EXPECT_EQ((*bag)["k"], "v");
  Leave("db/1", 1);
  EXPECT_EQ(env_.Count("relations", "relation_id = 1"), 0);
  EXPECT_EQ(env_.Count("relation_endpoints"), 1) << "only the peer relation's endpoint remains";
  EXPECT_EQ(env_.Count("relation_bags", "owner LIKE 'app%'"), 0);
  EXPECT_EQ(env_.Count("relation_settings", "owner LIKE 'app%'"), 0);
  Leave("db/1", 1);  // idempotent
}

TEST_F(RemovalTest, DyingUnitStopsBeingAMemberAndIsDeletedWhenDead) {
  EXPECT_THAT(MemberNames(env_, "db/0", 1), ElementsAre("app/0", "app/1"));
  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"app/1"}).ok());
  EXPECT_THAT(MemberNames(env_, "db/0", 1), ElementsAre("app/0"));
  EXPECT_EQ(env_.Unit("app/1").life, domain::Life::kDying);
  EXPECT_EQ(env_.units->MarkUnitDead(env_.UnitId("app/0")).code(), absl::StatusCode::kFailedPrecondition)
      << "an alive unit cannot be marked dead";
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("app/1")).ok());
  EXPECT_EQ(env_.Count("units", "name = 'app/1'"), 0);
  EXPECT_EQ(env_.Count("relation_scopes", "unit_id NOT IN (SELECT id FROM units)"), 0);
  EXPECT_EQ(env_.apps->RemoveUnits("test", {"app/9"}).status().message(), "unit \"app/9\" not found");
}

TEST_F(RemovalTest, LeaderIsReelectedWhenItGoes) {
  ASSERT_EQ(env_.Leader("db"), "db/0");
  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"db/0"}).ok());
  EXPECT_EQ(env_.Leader("db"), "db/1");
  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"db/1"}).ok());
  EXPECT_EQ(env_.Leader("db"), "db/1") << "with no alive unit left the dying leader stays";
  auto added = env_.apps->AddUnit("test", "db", 1);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(env_.Leader("db"), "db/2");
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("db/0")).ok());
  EXPECT_EQ(env_.Leader("db"), "db/2");
}

TEST_F(RemovalTest, ApplicationRemovalCompletesWhenUnitsAndRelationsAreGone) {
  auto removed = env_.apps->RemoveApplications("test", {"db"});
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_THAT(removed->units, ElementsAre("db/0", "db/1"));
  EXPECT_EQ(env_.App("db").life, domain::Life::kDying);
  EXPECT_EQ(env_.Count("relations", "life = 1"), 2) << "peer and regular relation are dying";

  // The db units run departed/broken, leave, then die; the app side leaves too.
  for (const char* u : {"db/0", "db/1"}) {
    Leave(u, 0);
    Leave(u, 1);
  }
  EXPECT_EQ(env_.Count("relations", "relation_id = 0"), 0);
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("db/0")).ok());
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("db/1")).ok());
  EXPECT_EQ(env_.Count("applications", "name = 'db'"), 1) << "app/* are still in the relation's scope";
  Leave("app/0", 1);
  Leave("app/1", 1);
  EXPECT_EQ(env_.Count("applications", "name = 'db'"), 0);
  EXPECT_EQ(env_.Count("relations"), 0);
  EXPECT_EQ(env_.Count("relation_bags"), 0);
  EXPECT_EQ(env_.Count("units", "name LIKE 'db/%'"), 0);

  // The name is free again.
  env_.Deploy("db", MakeCharm(kDbMetadata), 1);
  EXPECT_EQ(env_.App("db").charm_url, "local:db-1");
}

TEST_F(RemovalTest, ApplicationWithoutUnitsGoesAtOnce) {
  env_.Deploy("empty", MakeCharm("name: empty\n"), 0);
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"empty"}).ok());
  EXPECT_EQ(env_.Count("applications", "name = 'empty'"), 0);
  EXPECT_EQ(env_.apps->RemoveApplications("test", {"empty"}).status().message(),
            "application \"empty\" not found");
}

TEST_F(RemovalTest, DeadUnitOfDyingAppRemovesItsEmptyRelations) {
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"app"}).ok());
  // app units die without leaving explicitly: MarkUnitDead takes them out of every scope.
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("app/0")).ok());
  ASSERT_TRUE(env_.units->MarkUnitDead(env_.UnitId("app/1")).ok());
  EXPECT_EQ(env_.Count("applications", "name = 'app'"), 1) << "db units are still in relation 1";
  Leave("db/0", 1);
  Leave("db/1", 1);
  EXPECT_EQ(env_.Count("applications", "name = 'app'"), 0);
  EXPECT_EQ(env_.Count("relations"), 1) << "db's peer relation stays";
}

// A dying unit's snapshot says whether its application goes too: the SDK's stop and remove
// events tell a scale to zero from the application's removal by it.
TEST_F(RemovalTest, DyingUnitsSnapshotSaysWhetherItsApplicationGoesToo) {
  auto life = [&](const std::string& unit) {
    auto view = watch::BuildUnitSnapshot(*env_.db, env_.UnitId(unit));
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? std::make_pair(view->snapshot.life(), view->snapshot.application_life())
                     : std::make_pair(v1::LIFE_DEAD, v1::LIFE_DEAD);
  };
  EXPECT_EQ(life("app/0"), std::make_pair(v1::LIFE_ALIVE, v1::LIFE_ALIVE));
  ASSERT_TRUE(env_.apps->RemoveUnits("test", {"app/0"}).ok());
  EXPECT_EQ(life("app/0"), std::make_pair(v1::LIFE_DYING, v1::LIFE_ALIVE)) << "remove-unit: the application stays";
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"db"}).ok());
  EXPECT_EQ(life("db/0"), std::make_pair(v1::LIFE_DYING, v1::LIFE_DYING));
}

}  // namespace
}  // namespace skein::controller
