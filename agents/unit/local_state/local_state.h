#pragma once

// What this unit has done (DESIGN §5: the uniter's local state), as Juju's uniter keeps it in
// its state file: lifecycle flags, the leadership and config it last acted on, per-relation
// progress, and the operation in progress. The resolver compares it with the latest snapshot
// to choose the next operation; the executor persists it after every step so that a restarted
// agent resumes where it stopped.

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "lib/charm/hooks.h"
#include "nlohmann/json.hpp"
#include "relations/relation_state.h"

namespace skein::agent {

// The agent names hooks by the one hook table (lib/charm/hooks.h).
using HookKind = charm::HookKind;

// One hook to run, with everything needed to run it again after a restart.
struct HookInfo {
  HookKind kind = HookKind::kInstall;
  // Relation hooks only (their kind is relations::ToHookKind(relation.kind); ForRelation keeps
  // the two in step).
  relations::RelationHook relation;
  std::string config_hash;           // kConfigChanged: the config it shows
  int64_t leader_settings_version = 0;  // kLeaderSettingsChanged: the version it shows
  std::string storage_id;            // storage hooks: the instance (`data/0`)
  // Secret hooks: JUJU_SECRET_ID, JUJU_SECRET_LABEL, JUJU_SECRET_REVISION (0: none), and for
  // secret-rotate the due time it answers (part of the event's identity, see SecretEventKey).
  std::string secret_uri;
  std::string secret_label;
  int64_t secret_revision = 0;
  int64_t secret_due_unix_ms = 0;
  // Workload hooks (`<container>-pebble-*`): JUJU_WORKLOAD_NAME; custom notices also
  // JUJU_NOTICE_ID, JUJU_NOTICE_TYPE and JUJU_NOTICE_KEY; checks JUJU_PEBBLE_CHECK_NAME.
  std::string workload_name;
  std::string notice_id;
  std::string notice_type;
  std::string notice_key;
  std::string check_name;
  // pebble-ready: which Pebble answered (the kernel's boot id and its pid). Notice and check hooks: the notice's
  // last-repeated time as Pebble gave it, from which the next notices are asked for. Each is what
  // LocalState records once the hook ran (see LocalState::pebble_*).
  std::string pebble_instance;
  std::string notice_cursor;

  static HookInfo ForRelation(relations::RelationHook hook);
  bool IsRelation() const { return charm::IsRelationHook(kind); }
  static HookInfo ForStorage(HookKind kind, std::string storage_id);
  // The hook's name: `install`, `db-relation-joined`, `data-storage-attached`, `web-pebble-ready`.
  std::string Name() const;
  bool operator==(const HookInfo&) const = default;
};

enum class OperationKind {
  kNone,
  kDeployCharm,        // fetch the charm and write the charm dir
  kRunHook,
  kResignLeadership,   // lost leadership: no hook, just remember it
  kLeaveRelation,      // leave the scope of a dying relation without a hook
  kMarkDead,           // after remove: tell the controller, then exit
  kRunAction,          // run a queued action (never changes `operation`: a failed hook stays failed)
};

enum class OperationStep {
  kNone,     // no operation in progress
  kPending,  // prepared; executing (a restart re-runs it unless its commit was acknowledged)
  kDone,     // committed
};

struct OperationState {
  OperationKind kind = OperationKind::kNone;
  OperationStep step = OperationStep::kNone;
  HookInfo hook;           // kRunHook
  int64_t commit_seq = 0;  // kRunHook: the CommitHook sequence number this run uses
  // The hook failed: the unit runs nothing else (but actions) until resolved or retried.
  // Persisted so that a restart keeps the unit in error.
  bool failed = false;

  bool operator==(const OperationState&) const = default;
};

struct LocalState {
  bool installed = false;
  bool started = false;
  bool stopped = false;
  bool removed = false;
  // The leadership the unit last acted on (leader-elected ran and it has not resigned since).
  bool leader = false;
  // The leader settings version leader-settings-changed last showed; -1 = never ran.
  int64_t leader_settings_version = -1;
  std::string config_hash;  // of the config config-changed last showed; empty = never ran
  std::string charm_url;
  std::string charm_sha256;  // of the charm written to the charm dir; empty = none yet
  bool upgrade_pending = false;  // a new charm was written; upgrade-charm has not run yet
  // The unit moved to its current charm without a successful upgrade-charm (it failed and was
  // resolved with --no-retry). Every hook commit reports it, so that status keeps flagging the
  // unit until a later upgrade-charm succeeds.
  bool upgrade_charm_skipped = false;
  // A hook set the workload status (status-set); Juju then stops setting it on the unit's
  // behalf (`unknown` after start).
  bool workload_status_set = false;
  std::map<int64_t, relations::RelationProgress> relations;
  // Storage instances whose `<name>-storage-attached` ran and whose -detaching has not.
  std::set<std::string> storage_attached;
  // Secret hook events already run (SecretEventKey), so that each runs once. Keys the
  // snapshot no longer lists are forgotten (resolver::Observe).
  std::set<std::string> secret_events_done;
  // Per container: the Pebble instance whose pebble-ready ran, and the cursor (a notice's
  // last-repeated time) of the last notice a hook ran for. A restarted agent asks its Pebble for
  // notices after the cursor, so that no notice fires twice; a Pebble that restarted has a new
  // instance, and pebble-ready fires again for it, as under Juju.
  std::map<std::string, std::string> pebble_ready_instances;
  std::map<std::string, std::string> pebble_notice_cursors;
  OperationState operation;
  int64_t next_commit_seq = 1;
  // The newest task id this unit finished (task ids grow; queued tasks at or below it are done
  // and only wait for the controller's snapshot to drop them).
  int64_t last_action_id = 0;
  // The task this unit started and has not finished (0 = none). Saved before the action's
  // process starts, so a restarted agent knows the action was interrupted and, as Juju does,
  // fails it with "action terminated" instead of running it a second time.
  int64_t running_action_id = 0;
  // The serial of the last `skein resolved` request acted on (UnitSnapshot.resolve_serial), so
  // that a request still shown before the controller cleared it is not acted on twice.
  int64_t resolved_serial = 0;

  bool operator==(const LocalState&) const = default;
};

// `secret-changed secret:abc/3`, `secret-rotate secret:abc@1700000000000`: one secret hook
// event, as LocalState::secret_events_done keeps it.
std::string SecretEventKey(HookKind kind, const std::string& uri, int64_t revision, int64_t due_unix_ms);
std::string SecretEventKey(const HookInfo& hook);

nlohmann::json ToJson(const LocalState& state);
// InvalidArgument when the document is not a local state.
absl::StatusOr<LocalState> LocalStateFromJson(const nlohmann::json& json);

}  // namespace skein::agent
