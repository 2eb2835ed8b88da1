#include "relations/relation_state.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace skein::relations {
namespace {

constexpr char kSelf[] = "app/0";

RelationView View(std::vector<MemberView> members, int64_t app_version = 0, bool dying = false,
                  bool peer = false) {
  RelationView v;
  v.id = 7;
  v.endpoint = peer ? "cluster" : "db";
  v.remote_application = peer ? "app" : "mysql";
  v.peer = peer;
  v.dying = dying;
  v.members = std::move(members);
  v.remote_app_version = app_version;
  return v;
}

RelationProgress Created(const RelationView& view) {
  RelationProgress p;
  RecordRelationHook(p, CreatedHook(view));
  return p;
}

// Runs every step the relation needs against a fixed view (as the agent would, committing
// each), and returns them as `<hook> <remote unit>` / `<hook> app` / `leave` lines.
std::vector<std::string> Drain(RelationProgress& p, const RelationView* view, bool unit_dying = false) {
  std::vector<std::string> out;
  for (int i = 0; i < 100; ++i) {
    RelationStep step = NextRelationStep(p, view, unit_dying, kSelf);
    if (step.kind == RelationStep::Kind::kNone) return out;
    if (step.kind == RelationStep::Kind::kLeave) {
      out.push_back("leave");
      RecordLeave(p);
      continue;
    }
    std::string line = step.hook.HookName();
    if (!step.hook.remote_unit.empty()) line += " " + step.hook.remote_unit;
    if (step.hook.kind == RelationHookKind::kChanged && step.hook.remote_unit.empty()) line += " app";
    if (step.hook.kind == RelationHookKind::kDeparted) line += " departing=" + step.hook.departing_unit;
    out.push_back(line);
    RecordRelationHook(p, step.hook);
  }
  ADD_FAILURE() << "relation never settled";
  return out;
}

using Lines = std::vector<std::string>;

TEST(RelationStateTest, HookNamesKeepTheEndpointPrefix) {
  RelationHook h;
  h.endpoint = "object-storage";
  h.kind = RelationHookKind::kBroken;
  EXPECT_EQ(h.HookName(), "object-storage-relation-broken");
}

TEST(RelationStateTest, NothingBeforeCreated) {
  RelationProgress p;
  RelationView v = View({{"mysql/0", 1}});
  EXPECT_EQ(NextRelationStep(p, &v, false, kSelf).kind, RelationStep::Kind::kNone);
}

TEST(RelationStateTest, IntegrateRunsAppChangedThenJoinedChangedPerUnitSorted) {
  RelationView v = View({{"mysql/10", 1}, {"mysql/2", 4}, {"mysql/0", 2}}, /*app_version=*/3);
  RelationProgress p = Created(v);
  EXPECT_EQ(Drain(p, &v), (Lines{"db-relation-changed app", "db-relation-joined mysql/0",
                                 "db-relation-changed mysql/0", "db-relation-joined mysql/2",
                                 "db-relation-changed mysql/2", "db-relation-joined mysql/10",
                                 "db-relation-changed mysql/10"}));
  EXPECT_EQ(p.members.at("mysql/2"), 4);
  EXPECT_EQ(p.remote_app_version, 3);
}

TEST(RelationStateTest, NoAppChangedWhenRemoteAppBagNeverWritten) {
  RelationView v = View({{"mysql/0", 1}});
  RelationProgress p = Created(v);
  EXPECT_EQ(Drain(p, &v), (Lines{"db-relation-joined mysql/0", "db-relation-changed mysql/0"}));
}

TEST(RelationStateTest, JoinedIsImmediatelyFollowedByChangedEvenIfADepartureAppears) {
  RelationView v = View({{"mysql/0", 1}, {"mysql/1", 1}});
  RelationProgress p = Created(v);
  Drain(p, &v);
  RelationView scaled = View({{"mysql/0", 1}, {"mysql/2", 1}});
  RelationStep step = NextRelationStep(p, &scaled, false, kSelf);
  ASSERT_EQ(step.kind, RelationStep::Kind::kHook);
  EXPECT_EQ(step.hook.kind, RelationHookKind::kDeparted);  // departures before joins
  RecordRelationHook(p, step.hook);
  step = NextRelationStep(p, &scaled, false, kSelf);
  EXPECT_EQ(step.hook.HookName() + " " + step.hook.remote_unit, "db-relation-joined mysql/2");
  RecordRelationHook(p, step.hook);
  // The bag of mysql/0 changed meanwhile: the joined unit's changed still comes first.
  scaled.members[0].settings_version = 9;
  step = NextRelationStep(p, &scaled, false, kSelf);
  EXPECT_EQ(step.hook.HookName() + " " + step.hook.remote_unit, "db-relation-changed mysql/2");
}

TEST(RelationStateTest, UnitChangedOnlyWhenItsVersionChanges) {
  RelationView v = View({{"mysql/0", 1}, {"mysql/1", 1}});
  RelationProgress p = Created(v);
  Drain(p, &v);
  EXPECT_EQ(Drain(p, &v), Lines{});
  v.members[1].settings_version = 2;
  EXPECT_EQ(Drain(p, &v), (Lines{"db-relation-changed mysql/1"}));
  v.remote_app_version = 5;
  EXPECT_EQ(Drain(p, &v), (Lines{"db-relation-changed app"}));
}

TEST(RelationStateTest, ScaleDownDepartsTheRemovedUnitWithItAsDepartingUnit) {
  RelationView v = View({{"mysql/0", 1}, {"mysql/1", 1}});
  RelationProgress p = Created(v);
  Drain(p, &v);
  RelationView down = View({{"mysql/0", 1}});
  EXPECT_EQ(Drain(p, &down), (Lines{"db-relation-departed mysql/1 departing=mysql/1"}));
}

TEST(RelationStateTest, RemoveRelationDepartsEveryKnownMemberThenBreaksThenLeaves) {
  RelationView v = View({{"mysql/0", 1}, {"mysql/1", 1}});
  RelationProgress p = Created(v);
  Drain(p, &v);
  RelationView dying = View({{"mysql/0", 1}, {"mysql/1", 1}, {"mysql/2", 1}}, 0, /*dying=*/true);
  EXPECT_EQ(Drain(p, &dying), (Lines{"db-relation-departed mysql/0 departing=mysql/0",
                                     "db-relation-departed mysql/1 departing=mysql/1",
                                     "db-relation-broken", "leave"}));
  EXPECT_FALSE(CanForget(p, &dying));
  EXPECT_TRUE(CanForget(p, nullptr));
}

TEST(RelationStateTest, BrokenMayBeTheOnlyHookAfterCreated) {
  RelationView dying = View({}, 0, /*dying=*/true);
  RelationView alive = View({});
  RelationProgress p = Created(alive);
  EXPECT_EQ(Drain(p, &dying), (Lines{"db-relation-broken", "leave"}));
}

TEST(RelationStateTest, RelationGoneFromSnapshotIsBrokenWithoutLeaving) {
  RelationView v = View({{"mysql/0", 1}});
  RelationProgress p = Created(v);
  Drain(p, &v);
  EXPECT_EQ(Drain(p, nullptr), (Lines{"db-relation-departed mysql/0 departing=mysql/0", "db-relation-broken"}));
  EXPECT_TRUE(CanForget(p, nullptr));
}

TEST(RelationStateTest, PeerRelationsAreNeverBroken) {
  RelationView v = View({{"app/1", 1}}, 0, false, /*peer=*/true);
  RelationProgress p = Created(v);
  EXPECT_EQ(Drain(p, &v), (Lines{"cluster-relation-joined app/1", "cluster-relation-changed app/1"}));
  RelationView dying = View({{"app/1", 1}}, 0, /*dying=*/true, /*peer=*/true);
  EXPECT_EQ(Drain(p, &dying), (Lines{"cluster-relation-departed app/1 departing=app/1", "leave"}));
}

TEST(RelationStateTest, DyingUnitDepartsEveryMemberAsItselfThenBreaks) {
  RelationView v = View({{"mysql/0", 1}, {"mysql/1", 1}});
  RelationProgress p = Created(v);
  Drain(p, &v);
  EXPECT_EQ(Drain(p, &v, /*unit_dying=*/true),
            (Lines{"db-relation-departed mysql/0 departing=app/0", "db-relation-departed mysql/1 departing=app/0",
                   "db-relation-broken"}));
  EXPECT_TRUE(DoneForDyingUnit(p));
}

TEST(RelationStateTest, DyingUnitDoesNotBreakPeers) {
  RelationView v = View({{"app/1", 1}}, 0, false, /*peer=*/true);
  RelationProgress p = Created(v);
  Drain(p, &v);
  EXPECT_EQ(Drain(p, &v, /*unit_dying=*/true), (Lines{"cluster-relation-departed app/1 departing=app/0"}));
  EXPECT_TRUE(DoneForDyingUnit(p));
}

TEST(RelationStateTest, DyingRelationNeverCreatedIsLeftWithoutHooks) {
  RelationProgress p;
  p.id = 7;
  RelationView dying = View({{"mysql/0", 1}}, 0, /*dying=*/true);
  EXPECT_EQ(Drain(p, &dying), (Lines{"leave"}));
  EXPECT_TRUE(CanForget(p, nullptr));
}

TEST(RelationStateTest, LeaderDoesNotSeeItsOwnPeerAppWrite) {
  RelationView v = View({{"app/1", 1}}, /*app_version=*/0, false, /*peer=*/true);
  RelationProgress p = Created(v);
  Drain(p, &v);
  RecordOwnAppWrite(p, /*current_app_version=*/0);
  v.remote_app_version = 1;  // the snapshot after the leader's commit
  EXPECT_TRUE(ObserveView(p, v));
  EXPECT_EQ(Drain(p, &v), Lines{});
  // A later write by someone else (a new leader) is seen.
  v.remote_app_version = 2;
  EXPECT_FALSE(ObserveView(p, v));
  EXPECT_EQ(Drain(p, &v), (Lines{"cluster-relation-changed app"}));
}

TEST(RelationStateTest, OwnWriteIsAbsorbedOnlyOnceTheSnapshotShowsIt) {
  RelationView v = View({}, /*app_version=*/4, false, /*peer=*/true);
  RelationProgress p = Created(v);
  Drain(p, &v);
  RecordOwnAppWrite(p, 4);
  EXPECT_FALSE(ObserveView(p, v));  // a snapshot from before the commit changes nothing
  EXPECT_TRUE(p.own_app_write_pending);
  v.remote_app_version = 5;
  EXPECT_TRUE(ObserveView(p, v));
  EXPECT_EQ(p.remote_app_version, 5);
  EXPECT_FALSE(p.own_app_write_pending);
}

TEST(RelationStateTest, OwnAppWritesOnRegularRelationsNeedNoBookkeeping) {
  RelationView v = View({});
  RelationProgress p = Created(v);
  RecordOwnAppWrite(p, 3);
  EXPECT_FALSE(p.own_app_write_pending);
}

}  // namespace
}  // namespace skein::relations
