// Table tests of the uniter's resolver: (local state, snapshot) -> the operations the unit
// runs, for every sequence of juju-semantics §1.3. Each test drives the resolver the way the
// loop does (Observe, NextOp, record the committed op) until it has nothing left to do.

#include "agents/unit/resolver/resolver.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace skein::agent::resolver {
namespace {

using Lines = std::vector<std::string>;

v1::UnitSnapshot Unit(bool leader) {
  v1::UnitSnapshot s;
  s.set_version(1);
  s.set_unit("app/0");
  s.set_application("app");
  s.set_life(v1::LIFE_ALIVE);
  s.set_leader(leader);
  s.mutable_charm()->set_url("local:app-0");
  s.mutable_charm()->set_sha256("sha-1");
  s.set_config_json(R"({"port":80})");
  s.set_private_address("10.0.0.1");
  return s;
}

v1::RelationSnapshot* AddRelation(v1::UnitSnapshot& s, int64_t id, const std::string& endpoint,
                                  const std::string& remote_app, const std::string& role = "requires") {
  v1::RelationSnapshot* r = s.add_relations();
  r->set_id(id);
  r->set_endpoint(endpoint);
  r->set_remote_application(remote_app);
  r->set_role(role);
  r->set_life(v1::LIFE_ALIVE);
  return r;
}

void AddMember(v1::RelationSnapshot* r, const std::string& unit, int64_t version = 1) {
  v1::RelationMember* m = r->add_members();
  m->set_unit(unit);
  m->set_settings_version(version);
}

std::string Describe(const Op& op) {
  switch (op.kind) {
    case OperationKind::kRunHook: {
      std::string line = op.hook.Name();
      const auto& r = op.hook.relation;
      if (op.hook.IsRelation()) {
        if (!r.remote_unit.empty()) line += " " + r.remote_unit;
        if (!r.departing_unit.empty()) line += " departing=" + r.departing_unit;
      }
      if (charm::IsStorageHook(op.hook.kind)) line += " " + op.hook.storage_id;
      if (charm::IsSecretHook(op.hook.kind)) {
        line += " " + op.hook.secret_uri + " label=" + op.hook.secret_label;
        if (op.hook.secret_revision > 0) line += " revision=" + std::to_string(op.hook.secret_revision);
      }
      return line;
    }
    case OperationKind::kDeployCharm:
      return "deploy " + op.charm_sha256;
    case OperationKind::kResignLeadership:
      return "resign";
    case OperationKind::kLeaveRelation:
      return "leave " + std::to_string(op.relation_id);
    case OperationKind::kMarkDead:
      return "mark-dead";
    case OperationKind::kRunAction:
      return "action " + op.action.task_id();
    case OperationKind::kNone:
      return "none";
  }
  return "?";
}

// Runs every operation the resolver asks for against a fixed snapshot, as if each succeeded.
Lines Drain(LocalState& local, const v1::UnitSnapshot& remote, Options options = {}) {
  Lines out;
  for (int i = 0; i < 200; ++i) {
    Observe(local, remote);
    Op op = NextOp(local, remote, options);
    if (op.kind == OperationKind::kNone) return out;
    out.push_back(Describe(op));
    RecordOp(local, op);
    if (op.kind == OperationKind::kMarkDead) return out;
    if (op.kind == OperationKind::kRunHook && op.hook.kind == HookKind::kUpdateStatus) options.update_status_due = false;
  }
  ADD_FAILURE() << "resolver never settled";
  return out;
}

// A unit that already went through setup with `remote`.
LocalState SetUpUnit(const v1::UnitSnapshot& remote) {
  LocalState local;
  Drain(local, remote);
  return local;
}

TEST(ResolverTest, DeployLeaderRunsInstallLeaderElectedConfigChangedStart) {
  LocalState local;
  EXPECT_EQ(Drain(local, Unit(true)), (Lines{"deploy sha-1", "install", "leader-elected", "config-changed", "start"}));
  EXPECT_TRUE(local.installed && local.started && local.leader);
  EXPECT_EQ(NextOp(local, Unit(true)).wait, resolver::WaitReason::kIdle);
}

TEST(ResolverTest, DeployNonLeaderWithPeersAndAnExistingRelation) {
  v1::UnitSnapshot remote = Unit(false);
  v1::RelationSnapshot* peers = AddRelation(remote, 0, "cluster", "app", "peers");
  AddMember(peers, "app/1");
  v1::RelationSnapshot* db = AddRelation(remote, 3, "db", "mysql");
  db->set_remote_app_settings_version(2);
  AddMember(db, "mysql/0");
  LocalState local;
  EXPECT_EQ(Drain(local, remote),
            (Lines{"deploy sha-1", "install", "cluster-relation-created", "db-relation-created",
                   "leader-settings-changed", "config-changed", "start", "cluster-relation-joined app/1",
                   "cluster-relation-changed app/1", "db-relation-changed", "db-relation-joined mysql/0",
                   "db-relation-changed mysql/0"}));
}

TEST(ResolverTest, NothingBeforeTheCharmIsKnown) {
  v1::UnitSnapshot remote = Unit(true);
  remote.clear_charm();
  LocalState local;
  Op op = NextOp(local, remote);
  EXPECT_EQ(op.kind, OperationKind::kNone);
  EXPECT_EQ(op.wait, resolver::WaitReason::kWaitingForCharm);
}

TEST(ResolverTest, IntegrateRunsCreatedThenAppChangedThenJoinedChangedPerUnit) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  v1::RelationSnapshot* db = AddRelation(remote, 5, "db", "mysql");
  db->set_remote_app_settings_version(1);
  AddMember(db, "mysql/1");
  AddMember(db, "mysql/0");
  EXPECT_EQ(Drain(local, remote), (Lines{"db-relation-created", "db-relation-changed", "db-relation-joined mysql/0",
                                         "db-relation-changed mysql/0", "db-relation-joined mysql/1",
                                         "db-relation-changed mysql/1"}));
}

TEST(ResolverTest, RelationDataChangeRunsChangedForThatUnitOnly) {
  v1::UnitSnapshot remote = Unit(true);
  v1::RelationSnapshot* db = AddRelation(remote, 5, "db", "mysql");
  AddMember(db, "mysql/0");
  AddMember(db, "mysql/1");
  LocalState local = SetUpUnit(remote);
  db->mutable_members(1)->set_settings_version(7);
  EXPECT_EQ(Drain(local, remote), (Lines{"db-relation-changed mysql/1"}));
}

TEST(ResolverTest, ScaleUpAndDownOnAnExistingUnit) {
  v1::UnitSnapshot remote = Unit(true);
  v1::RelationSnapshot* peers = AddRelation(remote, 0, "cluster", "app", "peers");
  LocalState local = SetUpUnit(remote);
  AddMember(peers, "app/1");
  EXPECT_EQ(Drain(local, remote), (Lines{"cluster-relation-joined app/1", "cluster-relation-changed app/1"}));
  peers->clear_members();
  EXPECT_EQ(Drain(local, remote), (Lines{"cluster-relation-departed app/1 departing=app/1"}));
}

TEST(ResolverTest, RemoveRelationDepartsEachUnitThenBreaksThenLeaves) {
  v1::UnitSnapshot remote = Unit(true);
  v1::RelationSnapshot* db = AddRelation(remote, 5, "db", "mysql");
  AddMember(db, "mysql/0");
  AddMember(db, "mysql/1");
  LocalState local = SetUpUnit(remote);
  db->set_life(v1::LIFE_DYING);
  EXPECT_EQ(Drain(local, remote), (Lines{"db-relation-departed mysql/0 departing=mysql/0",
                                         "db-relation-departed mysql/1 departing=mysql/1", "db-relation-broken",
                                         "leave 5"}));
  // Once the controller deleted the relation, the unit forgets it.
  remote.clear_relations();
  EXPECT_TRUE(Observe(local, remote));
  EXPECT_TRUE(local.relations.empty());
}

TEST(ResolverTest, RemoveUnitOnTheDepartingUnit) {
  v1::UnitSnapshot remote = Unit(true);
  v1::RelationSnapshot* peers = AddRelation(remote, 0, "cluster", "app", "peers");
  AddMember(peers, "app/1");
  v1::RelationSnapshot* db = AddRelation(remote, 5, "db", "mysql");
  AddMember(db, "mysql/0");
  LocalState local = SetUpUnit(remote);
  remote.set_life(v1::LIFE_DYING);
  EXPECT_EQ(Drain(local, remote),
            (Lines{"cluster-relation-departed app/1 departing=app/0", "db-relation-departed mysql/0 departing=app/0",
                   "db-relation-broken", "stop", "remove", "mark-dead"}));
}

void AddStorage(v1::UnitSnapshot& s, const std::string& id, v1::Life life = v1::LIFE_ALIVE) {
  v1::StorageAttachment* a = s.add_storage();
  a->set_id(id);
  a->set_kind("filesystem");
  a->set_life(life);
}

TEST(ResolverTest, MachineStorageIsAttachedBeforeInstall) {
  v1::UnitSnapshot remote = Unit(true);
  AddStorage(remote, "data/0");
  AddStorage(remote, "logs/3");
  LocalState local;
  EXPECT_EQ(Drain(local, remote), (Lines{"deploy sha-1", "data-storage-attached data/0", "logs-storage-attached logs/3",
                                         "install", "leader-elected", "config-changed", "start"}));
  EXPECT_EQ(local.storage_attached, (std::set<std::string>{"data/0", "logs/3"}));
}

TEST(ResolverTest, StorageAddedLaterIsAttachedBeforeOtherHooks) {
  v1::UnitSnapshot remote = Unit(true);
  AddStorage(remote, "data/0");
  LocalState local = SetUpUnit(remote);
  AddStorage(remote, "logs/4");
  remote.set_config_json(R"({"port":81})");
  EXPECT_EQ(Drain(local, remote), (Lines{"logs-storage-attached logs/4", "config-changed"}));
}

TEST(ResolverTest, DyingUnitDetachesItsStorageFirst) {
  v1::UnitSnapshot remote = Unit(true);
  AddStorage(remote, "data/0");
  v1::RelationSnapshot* db = AddRelation(remote, 5, "db", "mysql");
  AddMember(db, "mysql/0");
  LocalState local = SetUpUnit(remote);
  remote.set_life(v1::LIFE_DYING);
  remote.mutable_storage(0)->set_life(v1::LIFE_DYING);  // --destroy-storage changes nothing here
  EXPECT_EQ(Drain(local, remote),
            (Lines{"data-storage-detaching data/0", "db-relation-departed mysql/0 departing=app/0", "db-relation-broken",
                   "stop", "remove", "mark-dead"}));
  EXPECT_TRUE(local.storage_attached.empty());
}

v1::SecretHookEvent* AddSecretEvent(google::protobuf::RepeatedPtrField<v1::SecretHookEvent>* events,
                                    const std::string& uri, int64_t revision, int64_t due_unix_ms = 0) {
  v1::SecretHookEvent* e = events->Add();
  e->set_uri(uri);
  e->set_label("db-pass");
  e->set_revision(revision);
  e->set_due_unix_ms(due_unix_ms);
  return e;
}

TEST(ResolverTest, SecretChangedAndSecretRemoveRunOncePerEventBeforeConfigChanged) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  AddSecretEvent(remote.mutable_secrets_changed(), "secret:aaa", 2);
  AddSecretEvent(remote.mutable_secret_revisions_obsolete(), "secret:bbb", 1);
  remote.set_config_json(R"({"port":81})");
  // Secrets come with leadership (juju-semantics §1.2 step 5), ahead of config-changed; the
  // owner's remove ahead of the reader's changed.
  EXPECT_EQ(Drain(local, remote), (Lines{"secret-remove secret:bbb label=db-pass revision=1",
                                         "secret-changed secret:aaa label=db-pass revision=2", "config-changed"}));
  // Shown again, nothing runs again; a newer revision is a new event.
  EXPECT_EQ(Drain(local, remote), Lines{});
  remote.mutable_secrets_changed(0)->set_revision(3);
  EXPECT_EQ(Drain(local, remote), (Lines{"secret-changed secret:aaa label=db-pass revision=3"}));
  // Events the controller stops listing (the reader refreshed, the revision was removed) are
  // forgotten, so the local state stays small.
  remote.clear_secrets_changed();
  remote.clear_secret_revisions_obsolete();
  Observe(local, remote);
  EXPECT_TRUE(local.secret_events_done.empty());
}

TEST(ResolverTest, SecretRotateAndExpiredRunWhenDueOnly) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  AddSecretEvent(remote.mutable_secret_rotations(), "secret:rrr", 0, /*due=*/1000);
  AddSecretEvent(remote.mutable_secret_expiries(), "secret:eee", 4, /*due=*/2000);
  EXPECT_EQ(Drain(local, remote, Options{.now_unix_ms = 999}), Lines{});
  EXPECT_EQ(NextSecretDue(local, remote, 999), 1000);
  EXPECT_EQ(Drain(local, remote, Options{.now_unix_ms = 1000}), (Lines{"secret-rotate secret:rrr label=db-pass"}));
  EXPECT_EQ(NextSecretDue(local, remote, 1000), 2000);
  EXPECT_EQ(Drain(local, remote, Options{.now_unix_ms = 5000}),
            (Lines{"secret-expired secret:eee label=db-pass revision=4"}));
  EXPECT_EQ(NextSecretDue(local, remote, 5000), std::nullopt);
  // The controller schedules the next rotation after the hook's commit: a new due time is a new
  // event, run when it falls due.
  remote.mutable_secret_rotations(0)->set_due_unix_ms(9000);
  EXPECT_EQ(Drain(local, remote, Options{.now_unix_ms = 5000}), Lines{});
  EXPECT_EQ(NextSecretDue(local, remote, 5000), 9000);
  EXPECT_EQ(Drain(local, remote, Options{.now_unix_ms = 9001}), (Lines{"secret-rotate secret:rrr label=db-pass"}));
}

HookInfo Ready(const std::string& container, const std::string& boot_id) {
  HookInfo h;
  h.kind = HookKind::kPebbleReady;
  h.workload_name = container;
  h.pebble_instance = boot_id;
  return h;
}

HookInfo Notice(const std::string& container, const std::string& key, const std::string& cursor) {
  HookInfo h;
  h.kind = HookKind::kPebbleCustomNotice;
  h.workload_name = container;
  h.notice_id = "1";
  h.notice_type = "custom";
  h.notice_key = key;
  h.notice_cursor = cursor;
  return h;
}

TEST(ResolverTest, AWorkloadEventRunsOnceAheadOfSecretsAndConfigChangedAfterInstall) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local;
  // Before install nothing but the setup runs; the event waits.
  Options options{.workload_event = Ready("web", "boot-1")};
  EXPECT_EQ(Describe(NextOp(local, remote, options)), "deploy sha-1");
  EXPECT_EQ(Drain(local, remote, options), (Lines{"deploy sha-1", "install", "leader-elected", "web-pebble-ready",
                                                  "config-changed", "start"}));
  EXPECT_EQ(local.pebble_ready_instances.at("web"), "boot-1");
  EXPECT_TRUE(WorkloadEventDone(local, Ready("web", "boot-1")));
  // A Pebble that restarted (a new boot id) is ready again; a notice runs once per cursor.
  EXPECT_EQ(Drain(local, remote, Options{.workload_event = Ready("web", "boot-2")}), (Lines{"web-pebble-ready"}));
  AddSecretEvent(remote.mutable_secrets_changed(), "secret:aaa", 2);
  EXPECT_EQ(Drain(local, remote, Options{.workload_event = Notice("web", "example.com/a", "t1")}),
            (Lines{"web-pebble-custom-notice", "secret-changed secret:aaa label=db-pass revision=2"}));
  EXPECT_EQ(local.pebble_notice_cursors.at("web"), "t1");
  EXPECT_EQ(Drain(local, remote, Options{.workload_event = Notice("web", "example.com/a", "t1")}), Lines{});
  // Not while dying.
  remote.set_life(v1::LIFE_DYING);
  EXPECT_EQ(Drain(local, remote, Options{.workload_event = Notice("web", "example.com/b", "t2")}),
            (Lines{"stop", "remove", "mark-dead"}));
}

TEST(ResolverTest, SecretHooksWaitForInstallAndStopWhenDying) {
  v1::UnitSnapshot remote = Unit(false);
  AddSecretEvent(remote.mutable_secrets_changed(), "secret:aaa", 2);
  LocalState local;
  Lines setup = Drain(local, remote);
  ASSERT_GE(setup.size(), 2u);
  EXPECT_EQ(setup[0], "deploy sha-1");
  EXPECT_EQ(setup[1], "install");
  EXPECT_NE(std::find(setup.begin(), setup.end(), "secret-changed secret:aaa label=db-pass revision=2"), setup.end());
  AddSecretEvent(remote.mutable_secrets_changed(), "secret:ccc", 1);
  remote.set_life(v1::LIFE_DYING);
  Lines dying = Drain(local, remote);
  EXPECT_EQ(std::count_if(dying.begin(), dying.end(), [](const std::string& l) { return l.rfind("secret-", 0) == 0; }), 0)
      << "a dying unit runs no secret hook";
}

TEST(ResolverTest, DyingBeforeInstallIsMarkedDeadWithoutHooks) {
  v1::UnitSnapshot remote = Unit(true);
  AddRelation(remote, 0, "cluster", "app", "peers");
  remote.set_life(v1::LIFE_DYING);
  LocalState local;
  EXPECT_EQ(Drain(local, remote), (Lines{"mark-dead"}));
}

TEST(ResolverTest, DyingUnitCreatesNoRelations) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  AddMember(AddRelation(remote, 9, "db", "mysql"), "mysql/0");
  remote.set_life(v1::LIFE_DYING);
  EXPECT_EQ(Drain(local, remote), (Lines{"stop", "remove", "mark-dead"}));
}

TEST(ResolverTest, ConfigChangeRunsConfigChangedOnly) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  remote.set_config_json(R"({"port":81})");
  EXPECT_EQ(Drain(local, remote), (Lines{"config-changed"}));
  remote.set_private_address("10.0.0.2");  // an address change also runs it
  EXPECT_EQ(Drain(local, remote), (Lines{"config-changed"}));
}

TEST(ResolverTest, LeaderChange) {
  v1::UnitSnapshot minion = Unit(false);
  LocalState local = SetUpUnit(minion);
  EXPECT_FALSE(local.leader);
  v1::UnitSnapshot leader = Unit(true);
  EXPECT_EQ(Drain(local, leader), (Lines{"leader-elected"}));
  // Losing leadership runs no hook; new leader settings then run leader-settings-changed.
  EXPECT_EQ(Drain(local, minion), (Lines{"resign"}));
  minion.set_leader_settings_version(3);
  EXPECT_EQ(Drain(local, minion), (Lines{"leader-settings-changed"}));
}

TEST(ResolverTest, FailedHookStopsTheUnit) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local;
  local.installed = true;
  local.charm_sha256 = "sha-1";
  local.operation.kind = OperationKind::kRunHook;
  local.operation.step = OperationStep::kPending;
  local.operation.hook.kind = HookKind::kLeaderElected;
  local.operation.failed = true;
  Op op = NextOp(local, remote);
  EXPECT_EQ(op.kind, OperationKind::kNone);
  EXPECT_EQ(op.wait, resolver::WaitReason::kHookFailed);
  remote.set_life(v1::LIFE_DYING);  // not even a removal gets past a failed hook
  EXPECT_EQ(NextOp(local, remote).kind, OperationKind::kNone);
}

TEST(ResolverTest, CharmChangeRunsUpgradeCharmThenConfigChanged) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  remote.mutable_charm()->set_sha256("sha-2");
  EXPECT_EQ(Drain(local, remote), (Lines{"deploy sha-2", "upgrade-charm", "config-changed"}));
}

TEST(ResolverTest, ForceUnitsGivesAUnitInErrorTheCharmAndSkipsUpgradeCharm) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  local.operation.kind = OperationKind::kRunHook;
  local.operation.step = OperationStep::kPending;
  local.operation.hook.kind = HookKind::kConfigChanged;
  local.operation.failed = true;
  local.config_hash.clear();
  remote.mutable_charm()->set_sha256("sha-2");
  // A plain refresh waits for the error to be resolved.
  EXPECT_EQ(Drain(local, remote), Lines{});
  EXPECT_EQ(local.charm_sha256, "sha-1");

  // `--force-units`: the charm moves in, the unit stays in error on its failed hook, and the
  // upgrade-charm of this charm counts as skipped.
  remote.mutable_charm()->set_force_upgrade(true);
  EXPECT_EQ(Drain(local, remote), (Lines{"deploy sha-2"}));
  EXPECT_EQ(local.charm_sha256, "sha-2");
  EXPECT_TRUE(local.operation.failed);
  EXPECT_EQ(local.operation.hook.kind, HookKind::kConfigChanged);
  EXPECT_TRUE(local.upgrade_charm_skipped);
  EXPECT_FALSE(local.upgrade_pending);

  // Once the failed hook succeeds (here: as its retry leaves the state), the unit goes on without
  // an upgrade-charm.
  local.operation.failed = false;
  EXPECT_EQ(Drain(local, remote), (Lines{"config-changed"}));
  EXPECT_TRUE(local.upgrade_charm_skipped);

  // A unit not in error upgrades as usual, forced or not, and the skip is over.
  remote.mutable_charm()->set_sha256("sha-3");
  EXPECT_EQ(Drain(local, remote), (Lines{"deploy sha-3", "upgrade-charm", "config-changed"}));
  EXPECT_FALSE(local.upgrade_charm_skipped);
}

TEST(ResolverTest, SameArchiveAsANewRevisionStillUpgrades) {
  // `refresh --path` with an unchanged charm: a new local revision, the same archive.
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  remote.mutable_charm()->set_url("local:app-1");
  EXPECT_EQ(Drain(local, remote), (Lines{"deploy sha-1", "upgrade-charm", "config-changed"}));
  EXPECT_EQ(local.charm_url, "local:app-1");
}

TEST(ResolverTest, UpdateStatusOnlyWhenDueAndNothingElseIsPending) {
  v1::UnitSnapshot remote = Unit(true);
  LocalState local = SetUpUnit(remote);
  EXPECT_EQ(Drain(local, remote, Options{.update_status_due = true}), (Lines{"update-status"}));
  remote.set_config_json("{}");
  EXPECT_EQ(Drain(local, remote, Options{.update_status_due = true}), (Lines{"config-changed", "update-status"}));
  LocalState fresh;
  EXPECT_EQ(Drain(fresh, remote, Options{.update_status_due = true}),
            (Lines{"deploy sha-1", "install", "leader-elected", "config-changed", "start", "update-status"}));
}

TEST(ResolverTest, LeaderDoesNotGetChangedForItsOwnPeerAppWrite) {
  v1::UnitSnapshot remote = Unit(true);
  v1::RelationSnapshot* peers = AddRelation(remote, 0, "cluster", "app", "peers");
  AddMember(peers, "app/1");
  LocalState local = SetUpUnit(remote);
  relations::RecordOwnAppWrite(local.relations.at(0), peers->remote_app_settings_version());
  peers->set_remote_app_settings_version(1);
  peers->set_local_app_settings_version(1);
  EXPECT_EQ(Drain(local, remote), Lines{});
  // The non-leader, which did not write, sees it.
  v1::UnitSnapshot other = remote;
  other.set_unit("app/1");
  other.set_leader(false);
  other.mutable_relations(0)->mutable_members(0)->set_unit("app/0");
  other.mutable_relations(0)->set_remote_app_settings_version(0);
  LocalState minion = SetUpUnit(other);
  other.mutable_relations(0)->set_remote_app_settings_version(1);
  EXPECT_EQ(Drain(minion, other), (Lines{"cluster-relation-changed"}));
}

TEST(ResolverTest, OperationStringsNameTheHookAndUnit) {
  v1::UnitSnapshot remote = Unit(true);
  AddMember(AddRelation(remote, 5, "db", "mysql"), "mysql/0");
  LocalState local;
  Drain(local, Unit(true));
  Observe(local, remote);
  Op created = NextOp(local, remote);
  EXPECT_EQ(created.String(), "run db-relation-created hook");
  RecordOp(local, created);
  EXPECT_EQ(NextOp(local, remote).String(), "run db-relation-joined hook for mysql/0");
}

TEST(ResolverTest, ConfigHashIsStableAndSensitive) {
  v1::UnitSnapshot a = Unit(true);
  v1::UnitSnapshot b = Unit(true);
  EXPECT_EQ(ConfigHash(a), ConfigHash(b));
  b.set_config_json(R"({"port":8})");
  EXPECT_NE(ConfigHash(a), ConfigHash(b));
}

}  // namespace
}  // namespace skein::agent::resolver
