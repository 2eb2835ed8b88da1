#include "relations/relation_state.h"

#include <algorithm>

#include "lib/base/names.h"

namespace skein::relations {
namespace {

RelationHook BaseHook(const RelationProgress& progress, RelationHookKind kind) {
  RelationHook hook;
  hook.kind = kind;
  hook.relation_id = progress.id;
  hook.endpoint = progress.endpoint;
  hook.remote_application = progress.remote_application;
  hook.peer = progress.peer;
  return hook;
}

RelationStep Hook(RelationHook hook) { return RelationStep{RelationStep::Kind::kHook, std::move(hook)}; }

const MemberView* FindMember(const RelationView& view, const std::string& unit) {
  for (const auto& m : view.members) {
    if (m.unit == unit) return &m;
  }
  return nullptr;
}

bool ByName(const std::string& a, const std::string& b) { return NaturalLess(a, b); }

// Departures while the relation or the unit is dying: every known member, sorted.
RelationStep NextTeardownStep(const RelationProgress& progress, const RelationView* view, bool unit_dying,
                              const std::string& self_unit) {
  if (!progress.members.empty()) {
    std::vector<std::string> known;
    for (const auto& [unit, version] : progress.members) known.push_back(unit);
    std::sort(known.begin(), known.end(), ByName);
    RelationHook hook = BaseHook(progress, RelationHookKind::kDeparted);
    hook.remote_unit = known.front();
    hook.departing_unit = unit_dying ? self_unit : known.front();
    hook.version = progress.members.at(known.front());
    return Hook(std::move(hook));
  }
  if (!progress.broken && !progress.peer) return Hook(BaseHook(progress, RelationHookKind::kBroken));
  // Leaving the scope is for dying relations only: a dying unit's scopes go with MarkUnitDead,
  // and a relation gone from the snapshot has no scope left.
  bool relation_dying = view != nullptr && view->dying;
  if (relation_dying && !progress.left) return RelationStep{RelationStep::Kind::kLeave, {}};
  return {};
}

}  // namespace

charm::HookKind ToHookKind(RelationHookKind kind) {
  switch (kind) {
    case RelationHookKind::kCreated:
      return charm::HookKind::kRelationCreated;
    case RelationHookKind::kJoined:
      return charm::HookKind::kRelationJoined;
    case RelationHookKind::kChanged:
      return charm::HookKind::kRelationChanged;
    case RelationHookKind::kDeparted:
      return charm::HookKind::kRelationDeparted;
    case RelationHookKind::kBroken:
      return charm::HookKind::kRelationBroken;
  }
  return charm::HookKind::kRelationChanged;  // unreachable: every kind is listed
}

std::optional<RelationHookKind> RelationHookKindOf(charm::HookKind kind) {
  for (RelationHookKind k : {RelationHookKind::kCreated, RelationHookKind::kJoined, RelationHookKind::kChanged,
                             RelationHookKind::kDeparted, RelationHookKind::kBroken}) {
    if (ToHookKind(k) == kind) return k;
  }
  return std::nullopt;
}

std::string RelationHook::HookName() const { return charm::HookName(ToHookKind(kind), endpoint); }

RelationStep NextRelationStep(const RelationProgress& progress, const RelationView* view, bool unit_dying,
                              const std::string& self_unit) {
  bool relation_dying = view == nullptr || view->dying;
  if (!progress.created) {
    // A relation this unit never created needs no hooks, but a dying one still waits for this
    // unit to leave its scope before the controller can remove it.
    if (view != nullptr && view->dying && !progress.left) return RelationStep{RelationStep::Kind::kLeave, {}};
    return {};
  }
  if (unit_dying || relation_dying) return NextTeardownStep(progress, view, unit_dying, self_unit);

  // 1. joined is immediately followed by changed for the same unit (if it is still in scope).
  if (!progress.changed_pending.empty()) {
    if (const MemberView* m = FindMember(*view, progress.changed_pending)) {
      RelationHook hook = BaseHook(progress, RelationHookKind::kChanged);
      hook.remote_unit = m->unit;
      hook.version = m->settings_version;
      return Hook(std::move(hook));
    }
  }
  // 2. departures.
  std::vector<std::string> departed;
  for (const auto& [unit, version] : progress.members) {
    if (FindMember(*view, unit) == nullptr) departed.push_back(unit);
  }
  if (!departed.empty()) {
    std::sort(departed.begin(), departed.end(), ByName);
    RelationHook hook = BaseHook(progress, RelationHookKind::kDeparted);
    hook.remote_unit = departed.front();
    hook.departing_unit = departed.front();
    hook.version = progress.members.at(departed.front());
    return Hook(std::move(hook));
  }
  // 4. app-level changed (3, broken, only happens while dying).
  if (view->remote_app_version > 0 && view->remote_app_version != progress.remote_app_version) {
    RelationHook hook = BaseHook(progress, RelationHookKind::kChanged);
    hook.version = view->remote_app_version;
    return Hook(std::move(hook));
  }
  std::vector<MemberView> members = view->members;
  std::sort(members.begin(), members.end(), [](const MemberView& a, const MemberView& b) {
    return NaturalLess(a.unit, b.unit);
  });
  // 5. joins.
  for (const auto& m : members) {
    if (progress.members.count(m.unit) == 0) {
      RelationHook hook = BaseHook(progress, RelationHookKind::kJoined);
      hook.remote_unit = m.unit;
      hook.version = m.settings_version;
      return Hook(std::move(hook));
    }
  }
  // 6. unit changed.
  for (const auto& m : members) {
    if (progress.members.at(m.unit) != m.settings_version) {
      RelationHook hook = BaseHook(progress, RelationHookKind::kChanged);
      hook.remote_unit = m.unit;
      hook.version = m.settings_version;
      return Hook(std::move(hook));
    }
  }
  return {};
}

RelationHook CreatedHook(const RelationView& view) {
  RelationHook hook;
  hook.kind = RelationHookKind::kCreated;
  hook.relation_id = view.id;
  hook.endpoint = view.endpoint;
  hook.remote_application = view.remote_application;
  hook.peer = view.peer;
  return hook;
}

void RecordRelationHook(RelationProgress& progress, const RelationHook& hook) {
  switch (hook.kind) {
    case RelationHookKind::kCreated:
      progress.id = hook.relation_id;
      progress.endpoint = hook.endpoint;
      progress.remote_application = hook.remote_application;
      progress.peer = hook.peer;
      progress.created = true;
      break;
    case RelationHookKind::kJoined:
      // The -changed that must follow shows the member's latest bag version and records it.
      progress.members[hook.remote_unit] = hook.version;
      progress.changed_pending = hook.remote_unit;
      break;
    case RelationHookKind::kChanged:
      if (hook.remote_unit.empty()) {
        progress.remote_app_version = hook.version;
      } else {
        if (progress.members.count(hook.remote_unit) != 0) progress.members[hook.remote_unit] = hook.version;
        if (progress.changed_pending == hook.remote_unit) progress.changed_pending.clear();
      }
      break;
    case RelationHookKind::kDeparted:
      progress.members.erase(hook.remote_unit);
      if (progress.changed_pending == hook.remote_unit) progress.changed_pending.clear();
      break;
    case RelationHookKind::kBroken:
      progress.broken = true;
      break;
  }
}

void RecordLeave(RelationProgress& progress) {
  progress.left = true;
  // Peers and never-created relations leave without a -broken hook; nothing remains to break.
  progress.broken = true;
  progress.members.clear();
  progress.changed_pending.clear();
}

void RecordOwnAppWrite(RelationProgress& progress, int64_t current_app_version) {
  if (!progress.peer) return;
  progress.own_app_write_pending = true;
  progress.app_version_before_own_write = current_app_version;
}

bool ObserveView(RelationProgress& progress, const RelationView& view) {
  if (!progress.own_app_write_pending || view.remote_app_version == progress.app_version_before_own_write) {
    return false;
  }
  // Only the leader writes the app bag, and this unit was the leader when it wrote: the next
  // version is its own write. If it had not yet seen the version before its write, that
  // earlier change is still shown by an app-level -changed (the versions differ).
  if (progress.remote_app_version == progress.app_version_before_own_write) {
    progress.remote_app_version = view.remote_app_version;
  }
  progress.own_app_write_pending = false;
  progress.app_version_before_own_write = 0;
  return true;
}

bool DoneForDyingUnit(const RelationProgress& progress) {
  if (!progress.created) return true;
  return progress.members.empty() && (progress.broken || progress.peer);
}

bool CanForget(const RelationProgress& progress, const RelationView* view) {
  if (view != nullptr) return false;
  return !progress.created || (progress.members.empty() && (progress.broken || progress.peer));
}

}  // namespace skein::relations
