#pragma once

// The order of relation hooks one unit runs for one relation (juju-semantics §1.3-§1.4), as
// pure functions over two plain values: what the unit has done so far (RelationProgress, which
// the agent persists) and what the controller shows now (RelationView, from the latest
// snapshot). The unit agent asks NextRelationStep for the next step, runs it, and on success
// records it with RecordRelationHook / RecordLeave. No gRPC, no clock, no files: every
// sequence is a table test.
//
// Per pass, within one relation, the order is:
//   1. -changed for the unit whose -joined just ran (joined is immediately followed by changed);
//   2. -departed for known members no longer in scope (sorted by name);
//   3. -broken once the relation (or the unit) is dying and every known member departed;
//      never for peer relations;
//   4. app-level -changed when the remote application's bag version differs (and is > 0);
//   5. -joined for members not yet known (sorted);
//   6. -changed for members whose bag version differs from the one last seen.
// -created is not chosen here: the resolver runs it for every alive relation first.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/charm/hooks.h"

namespace skein::relations {

enum class RelationHookKind { kCreated, kJoined, kChanged, kDeparted, kBroken };

// The lib/charm hook kind (and so the hook name, lib/charm/hooks.h) of a relation hook kind.
charm::HookKind ToHookKind(RelationHookKind kind);
// The relation hook kind of a lib/charm kind; nullopt for a kind that is not a relation hook.
std::optional<RelationHookKind> RelationHookKindOf(charm::HookKind kind);

// What the unit has done in one relation. Persisted by the agent after every step.
struct RelationProgress {
  int64_t id = 0;
  std::string endpoint;            // local endpoint
  std::string remote_application;  // own application for peers
  bool peer = false;
  bool created = false;  // -relation-created ran
  // Remote units the unit has joined, with the bag version its last -joined/-changed showed.
  std::map<std::string, int64_t> members;
  // The unit whose -joined ran last and whose -changed must run next.
  std::string changed_pending;
  // The remote application's bag version the last app-level -changed showed (0 = none).
  int64_t remote_app_version = 0;
  // A peer relation has one application bag, written by the leader and read by everybody. A
  // leader must not get -changed for its own write, so when it commits an app-bag write it
  // notes the version it saw then; the next different version is its own write and is
  // absorbed without a hook (ObserveView).
  bool own_app_write_pending = false;
  int64_t app_version_before_own_write = 0;
  bool broken = false;  // -relation-broken ran (or, for peers and never-created ones, is moot)
  bool left = false;    // the unit called LeaveRelation for this dying relation

  bool operator==(const RelationProgress&) const = default;
};

struct MemberView {
  std::string unit;
  int64_t settings_version = 0;
};

// The controller's view of one relation in the latest snapshot.
struct RelationView {
  int64_t id = 0;
  std::string endpoint;
  std::string remote_application;
  bool peer = false;
  bool dying = false;
  std::vector<MemberView> members;  // alive remote units in scope
  int64_t remote_app_version = 0;   // 0 = never written
};

struct RelationHook {
  RelationHookKind kind = RelationHookKind::kCreated;
  int64_t relation_id = 0;
  std::string endpoint;
  std::string remote_application;
  bool peer = false;
  std::string remote_unit;     // empty for created, broken and app-level changed
  std::string departing_unit;  // -departed only: the remote unit, or this unit when it is dying
  int64_t version = 0;         // the member's (or app bag's, for app-level changed) bag version

  // `<endpoint>-relation-<kind>`, e.g. `db-relation-joined`.
  std::string HookName() const;
  bool operator==(const RelationHook&) const = default;
};

struct RelationStep {
  enum class Kind {
    kNone,   // nothing to do in this relation now
    kHook,   // run `hook`
    kLeave,  // no hook: leave the scope of this dying relation (peers, never-created, after broken)
  };
  Kind kind = Kind::kNone;
  RelationHook hook;  // kHook only
};

// The next step for one relation. `view` is nullptr when the relation is gone from the snapshot
// (treated as dying, with nothing left to leave). `unit_dying`: this unit is dying, so it
// departs every member (JUJU_DEPARTING_UNIT = `self_unit`) and breaks every non-peer relation.
RelationStep NextRelationStep(const RelationProgress& progress, const RelationView* view, bool unit_dying,
                              const std::string& self_unit);

// The -created hook for a relation the unit has not created yet.
RelationHook CreatedHook(const RelationView& view);

// Records a hook that ran and committed.
void RecordRelationHook(RelationProgress& progress, const RelationHook& hook);
// Records that the unit left the relation's scope.
void RecordLeave(RelationProgress& progress);
// Records that this unit committed a write to its own application bag. `current_app_version`
// is the app bag version of the latest snapshot. Only peer relations need this (the own app
// bag of a regular relation is not the bag that triggers -changed).
void RecordOwnAppWrite(RelationProgress& progress, int64_t current_app_version);
// Absorbs the app bag version produced by this unit's own write (see own_app_write_pending).
// Returns true when `progress` changed.
bool ObserveView(RelationProgress& progress, const RelationView& view);

// True when nothing about this relation keeps a dying unit from stopping: every member
// departed and the relation is broken (or never needs breaking).
bool DoneForDyingUnit(const RelationProgress& progress);
// True when the agent may forget a relation: it is gone from the snapshot and needs no hook.
bool CanForget(const RelationProgress& progress, const RelationView* view);

}  // namespace skein::relations
