#include "agents/unit/local_state/local_state.h"

#include "agents/unit/local_state/store.h"
#include "gtest/gtest.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

LocalState Sample() {
  LocalState s;
  s.installed = true;
  s.started = true;
  s.leader = true;
  s.leader_settings_version = 4;
  s.config_hash = "abc";
  s.charm_url = "local:app-1";
  s.charm_sha256 = "sha";
  s.upgrade_pending = true;
  s.workload_status_set = true;
  relations::RelationProgress p;
  p.id = 3;
  p.endpoint = "db";
  p.remote_application = "mysql";
  p.created = true;
  p.members = {{"mysql/0", 2}, {"mysql/1", 5}};
  p.changed_pending = "mysql/1";
  p.remote_app_version = 7;
  p.own_app_write_pending = true;
  p.app_version_before_own_write = 6;
  s.relations[3] = p;
  relations::RelationProgress peer;
  peer.id = 0;
  peer.endpoint = "cluster";
  peer.remote_application = "app";
  peer.peer = true;
  peer.created = true;
  peer.broken = true;
  peer.left = true;
  s.relations[0] = peer;
  s.operation.kind = OperationKind::kRunHook;
  s.operation.step = OperationStep::kPending;
  s.operation.hook.kind = HookKind::kRelationDeparted;
  s.operation.hook.relation.kind = relations::RelationHookKind::kDeparted;
  s.operation.hook.relation.relation_id = 3;
  s.operation.hook.relation.endpoint = "db";
  s.operation.hook.relation.remote_unit = "mysql/0";
  s.operation.hook.relation.departing_unit = "app/0";
  s.operation.hook.relation.version = 2;
  s.operation.commit_seq = 41;
  s.operation.failed = true;
  s.next_commit_seq = 42;
  return s;
}

TEST(LocalStateTest, JsonRoundTripKeepsEveryField) {
  LocalState s = Sample();
  auto back = LocalStateFromJson(ToJson(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(ToJson(s)["operation"]["step"], "pending");
  EXPECT_EQ(back->operation.hook.Name(), "db-relation-departed");
  // The relation's kind is stored once, inside `relation`; the hook's kind is read from it.
  EXPECT_EQ(ToJson(s)["operation"]["hook"]["kind"], "relation");
  EXPECT_EQ(back->operation.hook.kind, HookKind::kRelationDeparted);
}

TEST(LocalStateTest, StorageHooksAndAttachedStorageSurviveARestart) {
  LocalState s;
  s.storage_attached = {"data/0", "logs/2"};
  s.operation.kind = OperationKind::kRunHook;
  s.operation.step = OperationStep::kPending;
  s.operation.hook = HookInfo::ForStorage(HookKind::kStorageAttached, "logs/2");
  auto back = LocalStateFromJson(ToJson(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->operation.hook.Name(), "logs-storage-attached");
  EXPECT_EQ(ToJson(s)["operation"]["hook"]["storage-id"], "logs/2");
}

TEST(LocalStateTest, ASecretHookAndTheSecretEventsDoneSurviveARestart) {
  LocalState s;
  s.secret_events_done = {SecretEventKey(HookKind::kSecretChanged, "secret:aaa", 2, 0),
                          SecretEventKey(HookKind::kSecretRotate, "secret:bbb", 0, 1700000000000)};
  s.operation.kind = OperationKind::kRunHook;
  s.operation.step = OperationStep::kPending;
  s.operation.hook.kind = HookKind::kSecretRemove;
  s.operation.hook.secret_uri = "secret:aaa";
  s.operation.hook.secret_label = "db-pass";
  s.operation.hook.secret_revision = 1;
  auto back = LocalStateFromJson(ToJson(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->operation.hook.Name(), "secret-remove");
  // A rotation is told apart by its due time, the other events by their revision.
  EXPECT_EQ(SecretEventKey(HookKind::kSecretRotate, "secret:bbb", 0, 1700000000000), "secret-rotate secret:bbb@1700000000000");
  EXPECT_EQ(SecretEventKey(back->operation.hook), "secret-remove secret:aaa/1");
}

TEST(LocalStateTest, AWorkloadHookAndWhatRanPerContainerSurviveARestart) {
  LocalState s;
  s.pebble_ready_instances = {{"web", "boot-1"}};
  s.pebble_notice_cursors = {{"web", "2026-12-07T19:55:57.773591405Z"}};
  s.operation.kind = OperationKind::kRunHook;
  s.operation.step = OperationStep::kPending;
  s.operation.hook.kind = HookKind::kPebbleCheckFailed;
  s.operation.hook.workload_name = "web";
  s.operation.hook.check_name = "up";
  s.operation.hook.notice_cursor = "2026-12-07T19:56:00Z";
  auto back = LocalStateFromJson(ToJson(s));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->operation.hook.Name(), "web-pebble-check-failed");
}

TEST(LocalStateTest, AHookKindOutsideTheHookTableIsRefused) {
  auto hook_with = [](const std::string& kind) {
    return nlohmann::json{{"operation", {{"kind", "run-hook"}, {"hook", {{"kind", kind}}}}}};
  };
  auto install = LocalStateFromJson(hook_with("install"));
  ASSERT_TRUE(install.ok()) << install.status();
  EXPECT_EQ(install->operation.hook.kind, HookKind::kInstall);
  // A relation hook's name without its relation, and a name no hook has, are not hooks.
  EXPECT_FALSE(LocalStateFromJson(hook_with("relation-joined")).ok());
  auto bogus = LocalStateFromJson(hook_with("bogus-hook"));
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.status().message(), "unknown value \"bogus-hook\" in local state");
}

TEST(LocalStateTest, DefaultsAreAFreshUnit) {
  auto s = LocalStateFromJson(nlohmann::json::object());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, LocalState{});
  EXPECT_EQ(s->leader_settings_version, -1);
  EXPECT_FALSE(LocalStateFromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(LocalStateFromJson(nlohmann::json{{"operation", {{"kind", "bogus"}}}}).ok());
}

TEST(LocalStateStoreTest, SavedStateSurvivesReopening) {
  testing::TempDir dir;
  std::string path = dir.path() + "/state.db";
  {
    auto store = LocalStateStore::Open(path, RealClock());
    ASSERT_TRUE(store.ok()) << store.status();
    auto fresh = (*store)->Load();
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ(*fresh, LocalState{});
    ASSERT_TRUE((*store)->Save(Sample()).ok());
    LocalState later = Sample();
    later.operation = {};
    later.next_commit_seq = 43;
    ASSERT_TRUE((*store)->Save(later).ok());
  }
  auto store = LocalStateStore::Open(path, RealClock());
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->next_commit_seq, 43);
  EXPECT_EQ(loaded->operation.kind, OperationKind::kNone);
  EXPECT_EQ(loaded->relations.at(3).members.at("mysql/1"), 5);
}

}  // namespace
}  // namespace skein::agent
