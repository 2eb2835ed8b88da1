// The charm SDK: events from hook names, observation order, collect-status severity, actions.

#include "agents/sdk/charm.h"

#include "agents/sdk/builtin_runner.h"
#include "agents/sdk/event.h"
#include "fake_substrate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/agents/hook/fake_hook_context.h"

namespace skein::sdk {
namespace {

using agent::testing::FakeHookContext;
using ::testing::ElementsAre;

TEST(EventTest, RelationHooksCarryEndpointAndRelation) {
  Event e = EventFor("object-storage-relation-changed", {{"JUJU_RELATION_ID", "object-storage:7"},
                                                          {"JUJU_REMOTE_APP", "minio"},
                                                          {"JUJU_REMOTE_UNIT", "minio/0"}});
  EXPECT_EQ(e.kind, EventKind::kRelationChanged);
  EXPECT_EQ(e.endpoint, "object-storage");
  ASSERT_TRUE(e.relation_id.has_value());
  EXPECT_EQ(*e.relation_id, 7);
  EXPECT_EQ(e.remote_unit, "minio/0");
  EXPECT_EQ(EventFor("db-relation-broken", {{"JUJU_RELATION_ID", "db:3"}}).kind, EventKind::kRelationBroken);
  EXPECT_EQ(EventFor("install", {}).kind, EventKind::kInstall);
  EXPECT_EQ(EventFor("leader-settings-changed", {}).kind, EventKind::kLeaderSettingsChanged);
  Event action = EventFor("actions/create-profile", {});
  EXPECT_EQ(action.kind, EventKind::kAction);
  EXPECT_EQ(action.action, "create-profile");
  EXPECT_EQ(EventFor("secret-changed", {}).kind, EventKind::kOther);
}

struct Fixture {
  FakeHookContext ctx{"app/0", "config-changed"};
  charms::testing::FakeSubstrate substrate;
  Model model{&ctx, &substrate, charm::Metadata{}, "kubeflow"};
};

TEST(FrameworkTest, RunsObserversInOrderAndOnlyForTheirEvent) {
  Fixture f;
  Framework fw;
  std::vector<std::string> calls;
  fw.Observe(EventKind::kConfigChanged, [&](const Event&) { calls.push_back("config"); return absl::OkStatus(); });
  fw.Observe(EventKind::kInstall, [&](const Event&) { calls.push_back("install"); return absl::OkStatus(); });
  fw.ObserveAll([&](const Event&) { calls.push_back("all"); return absl::OkStatus(); });
  fw.Observe(EventKind::kRelationChanged, "db", [&](const Event&) { calls.push_back("db"); return absl::OkStatus(); });
  ASSERT_TRUE(fw.Dispatch(EventFor("config-changed", {}), f.model).ok());
  EXPECT_THAT(calls, ElementsAre("config", "all"));
  calls.clear();
  ASSERT_TRUE(fw.Dispatch(EventFor("web-relation-changed", {{"JUJU_RELATION_ID", "web:1"}}), f.model).ok());
  EXPECT_THAT(calls, ElementsAre("all"));
}

TEST(FrameworkTest, CollectStatusSetsTheMostSevere) {
  Fixture f;
  Framework fw;
  fw.ObserveCollectUnitStatus([](StatusCollector& c) {
    c.Add(Active());
    c.Add(Waiting("waiting for db"));
    c.Add(Blocked("needs object storage"));
    c.Add(Blocked("second blocked"));
    c.Add(Maintenance("installing"));
  });
  ASSERT_TRUE(fw.Dispatch(EventFor("update-status", {}), f.model).ok());
  ASSERT_EQ(f.ctx.status_sets.size(), 1u);
  EXPECT_FALSE(f.ctx.status_sets[0].first);
  EXPECT_EQ(f.ctx.status_sets[0].second.status, "blocked");
  EXPECT_EQ(f.ctx.status_sets[0].second.message, "needs object storage");
}

TEST(FrameworkTest, AppStatusIsCollectedOnTheLeaderOnly) {
  Fixture f;
  Framework fw;
  fw.ObserveCollectAppStatus([](StatusCollector& c) { c.Add(Active("all units ready")); });
  f.ctx.leader = false;
  ASSERT_TRUE(fw.Dispatch(EventFor("update-status", {}), f.model).ok());
  EXPECT_TRUE(f.ctx.status_sets.empty());
  f.ctx.leader = true;
  ASSERT_TRUE(fw.Dispatch(EventFor("update-status", {}), f.model).ok());
  ASSERT_EQ(f.ctx.status_sets.size(), 1u);
  EXPECT_TRUE(f.ctx.status_sets[0].first);
}

TEST(FrameworkTest, AFailingHandlerFailsTheHookAndSkipsTheRest) {
  Fixture f;
  Framework fw;
  bool second = false;
  fw.ObserveAll([](const Event&) { return absl::InternalError("boom"); });
  fw.ObserveAll([&](const Event&) { second = true; return absl::OkStatus(); });
  fw.ObserveCollectUnitStatus([](StatusCollector& c) { c.Add(Active()); });
  absl::Status s = fw.Dispatch(EventFor("start", {}), f.model);
  EXPECT_EQ(s.message(), "boom");
  EXPECT_FALSE(second);
  EXPECT_TRUE(f.ctx.status_sets.empty());
}

TEST(FrameworkTest, AnActionNobodyObservesCompletesAsInOps) {
  Fixture f;
  Framework fw;
  fw.ObserveAll([](const Event&) { return absl::OkStatus(); });
  EXPECT_TRUE(fw.Dispatch(EventFor("actions/backup", {}), f.model).ok());
  ASSERT_FALSE(f.ctx.logs.empty());
  EXPECT_EQ(f.ctx.logs.back().message, "action \"backup\" has no handler");
  bool ran = false;
  fw.ObserveAction("backup", [&](const Event&) { ran = true; return absl::OkStatus(); });
  EXPECT_TRUE(fw.Dispatch(EventFor("actions/backup", {}), f.model).ok());
  EXPECT_TRUE(ran);
}

TEST(ModelTest, BagWritesSkipUnchangedKeysAndNonLeadersCannotWriteTheAppBag) {
  Fixture f;
  auto& rel = f.ctx.AddRelation(4, "db", "mysql", {"mysql/0"});
  rel.bags["app"]["database"] = "mlflow";
  auto relations = f.model.Relations("db");
  ASSERT_EQ(relations.size(), 1u);
  ASSERT_TRUE(relations[0].UpdateAppBag({{"database", "mlflow"}, {"extra", "1"}}).ok());
  EXPECT_EQ(f.ctx.app_writes[4], (std::map<std::string, std::string>{{"extra", "1"}}));
  f.ctx.leader = false;
  EXPECT_EQ(relations[0].UpdateAppBag({{"other", "2"}}).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(f.model.Relations("web").empty());
}

}  // namespace
}  // namespace skein::sdk
