#pragma once

// Typed events for built-in charms (DESIGN §5), as ops names them: one Event per hook or action
// the uniter runs. A charm reconciles from current state, so an event says what happened and on
// which relation, not what to do.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agents/unit/hook/hook_context.h"
#include "agents/unit/local_state/local_state.h"

namespace skein::sdk {

enum class EventKind {
  kInstall,
  kStart,
  kStop,
  kRemove,
  kConfigChanged,
  kUpgradeCharm,
  kLeaderElected,
  kLeaderSettingsChanged,
  kUpdateStatus,
  kRelationCreated,
  kRelationJoined,
  kRelationChanged,
  kRelationDeparted,
  kRelationBroken,
  kAction,
  kOther,  // a hook this SDK has no type for (secrets, storage, pebble): still dispatched
};

struct Event {
  EventKind kind = EventKind::kOther;
  std::string hook;    // `install`, `db-relation-changed`, `actions/create-profile`
  std::string action;  // kAction only
  // Relation events only.
  std::string endpoint;
  std::optional<int64_t> relation_id;
  std::string remote_app;
  std::string remote_unit;
  std::string departing_unit;
  // Why the unit goes, on every hook event of a unit that is going away: its teardown's
  // relation-departed and -broken, then stop and remove (kNone while it is alive). A charm
  // deletes what it shares with its application (objects, namespaces, dispatched manifests) only
  // for kApplicationRemoved or kModelDestroyed, never when just this unit goes (remove-unit,
  // scale to zero). Directory charms get no such variable: Juju has none.
  agent::RemovalReason removal = agent::RemovalReason::kNone;

  bool IsRelationEvent() const { return relation_id.has_value(); }
};

// The event for a hook name as the uniter passes it (`actions/<name>` for actions) and the
// hook's environment (JUJU_RELATION, JUJU_RELATION_ID, JUJU_REMOTE_APP, ...).
Event EventFor(const std::string& hook_name, const std::map<std::string, std::string>& env);

// The event for a hook the uniter runs, from the typed hook itself: how the agent dispatches
// built-in charms, with no name or environment to parse.
Event EventForHook(const agent::HookInfo& hook);
// The event for running the action `action` (`backup`).
Event EventForAction(const std::string& action);

const char* EventKindName(EventKind kind);

}  // namespace skein::sdk
