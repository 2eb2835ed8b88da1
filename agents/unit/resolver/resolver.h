#pragma once

// The uniter's decision: given what the unit has done (LocalState) and what the controller
// wants (the latest UnitSnapshot), the one operation to run next (juju-semantics §1.2). Pure:
// no gRPC, no files, no clock; the loop passes in whether the update-status timer is due.
//
// Fixed priority order, first match wins:
//  -1. a queued action (even while a hook is in error; not while dying or before the charm is
//      on disk), oldest first, one at a time; `parallel: true` actions also run serially;
//   0. a hook failed (juju-semantics §1.7): `skein resolved` re-runs it (resolve_serial set) or,
//      with --no-retry, skips it (ResolveMode::kNoRetry: recorded as done without running or
//      committing, so chained hooks still follow); the automatic retry timer re-runs it;
//      otherwise nothing.
//      Actions are the only operations that run ahead of this check;
//   1. unit dying: `<name>-storage-detaching` for every attached storage instance, then relation
//      teardown (-departed for every known member with
//      JUJU_DEPARTING_UNIT = this unit, then -broken for non-peers), then stop (if started),
//      then remove (if installed), then mark dead;
//   2. not installed: fetch the charm, then `<name>-storage-attached` for each storage instance
//      (machine charms attach their initial storage before install), then install;
//   3. -relation-created for every alive relation not created yet;
//   4. leadership: leader-elected (became leader), resign without a hook (lost it),
//      leader-settings-changed (non-leader whose leader settings version differs; -1 = never
//      ran, so every non-leader runs it once during setup);
//   4a. workload hooks of sidecar charms (`<container>-pebble-ready`, -custom-notice,
//      -check-failed, -check-recovered), the oldest event the unit's Pebble watcher reported
//      first, each once (WorkloadEventDone);
//   4b. secret hooks, each once per event: secret-rotate and secret-expired once due (by the
//      wall clock the loop passes in), secret-remove for an obsolete revision the unit owns,
//      secret-changed for a newer revision of a secret it reads;
//   4c. `<name>-storage-attached` for storage added since (storage-add);
//   5. charm changed: fetch it, then upgrade-charm (which forces config-changed);
//   6. config-changed when the config hash differs (or it never ran);
//   7. start when not started (so start follows the first config-changed);
//   8. relation hooks (relations/relation_state.h order, relations by id);
//   9. update-status when its timer is due.

#include <cstdint>
#include <optional>
#include <string>

#include "agents/unit/local_state/local_state.h"
#include "relations/relation_state.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent::resolver {

// What `skein resolved` asked for (UnitSnapshot.resolve_mode, which carries Juju's spellings
// `retry` and `no-retry`; empty when nothing was asked).
enum class ResolveMode {
  kNone,
  kRetry,    // run the failed hook again
  kNoRetry,  // count the failed hook as run without running or committing it
};
ResolveMode ResolveModeOf(const v1::UnitSnapshot& remote);

// Why the resolver chose no operation; the uniter waits differently for each.
enum class WaitReason {
  kIdle,            // nothing to do: wait for a change or the update-status timer
  kHookFailed,      // a hook is in error: wait for `skein resolved` or the retry timer
  kWaitingForCharm, // the application's charm is not known yet: wait for a change
};
const char* WaitReasonName(WaitReason reason);  // `idle`, `hook failed`, `waiting for charm`

struct Op {
  OperationKind kind = OperationKind::kNone;
  HookInfo hook;             // kRunHook
  int64_t relation_id = 0;   // kLeaveRelation
  std::string charm_url;     // kDeployCharm
  std::string charm_sha256;  // kDeployCharm
  // kDeployCharm while a hook is in error (`refresh --force-units`): the failed hook stays
  // failed, and upgrade-charm does not run for this charm (it counts as skipped).
  bool forced = false;
  v1::PendingAction action;  // kRunAction
  // kRunHook of a failed hook on `skein resolved`: the request's serial, which the uniter
  // records and acknowledges (ClearResolved) before running or skipping the hook.
  int64_t resolve_serial = 0;
  // kRunHook with resolve_serial set: what the request asked for. kNoRetry: do not run the
  // hook; record it as done without committing.
  ResolveMode resolve_mode = ResolveMode::kNone;
  // kNone: why nothing runs.
  WaitReason wait = WaitReason::kIdle;

  bool SkipsHook() const { return kind == OperationKind::kRunHook && resolve_mode == ResolveMode::kNoRetry; }

  // `run install hook`, `deploy charm local:app-0`, ... for logs.
  std::string String() const;
};

struct Options {
  bool update_status_due = false;
  // The automatic hook retry timer (automatically-retry-hooks) fired for the failed hook.
  bool retry_due = false;
  // The wall clock, for the secret hooks that fall due (secret-rotate, secret-expired).
  int64_t now_unix_ms = 0;
  // The oldest workload event not yet run (agents/unit/workload/pebble.h), if any.
  std::optional<HookInfo> workload_event;
};

// Whether the local state records `event` (a workload hook) as run: pebble-ready for this
// Pebble instance, a notice or check hook for this notice cursor.
bool WorkloadEventDone(const LocalState& local, const HookInfo& event);

Op NextOp(const LocalState& local, const v1::UnitSnapshot& remote, const Options& options = {});

// The earliest due time after `now_unix_ms` of a timed secret hook that has not run: when an
// idle unit must look again. nullopt: none.
std::optional<int64_t> NextSecretDue(const LocalState& local, const v1::UnitSnapshot& remote, int64_t now_unix_ms);

// Brings the local state up to date with a snapshot without running anything: absorbs this
// unit's own peer app-bag writes and forgets relations that are gone and need no hook.
// Returns true when `local` changed (the caller persists it).
bool Observe(LocalState& local, const v1::UnitSnapshot& remote);

// What committing `op` means for the local state (hooks: juju-semantics §1.2 "chaining rules").
void RecordOp(LocalState& local, const Op& op);
void RecordHook(LocalState& local, const HookInfo& hook);
// A failed hook that `skein resolved --no-retry` counts as run without running it: recorded as
// RecordHook does, and a skipped upgrade-charm marks the unit as running its charm without
// having upgraded to it (LocalState::upgrade_charm_skipped).
void RecordSkippedHook(LocalState& local, const HookInfo& hook);

// Hash of everything whose change runs config-changed: the config and the unit's address.
std::string ConfigHash(const v1::UnitSnapshot& remote);
relations::RelationView ToView(const v1::RelationSnapshot& relation);

}  // namespace skein::agent::resolver
