#include "agents/unit/resolver/resolver.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/charm/metadata.h"

namespace skein::agent::resolver {
namespace {

using relations::RelationProgress;
using relations::RelationStep;
using relations::RelationView;

Op RunHook(HookInfo hook) {
  Op op;
  op.kind = OperationKind::kRunHook;
  op.hook = std::move(hook);
  return op;
}

Op SimpleHook(HookKind kind) {
  HookInfo hook;
  hook.kind = kind;
  return RunHook(std::move(hook));
}

Op Nothing(WaitReason reason) {
  Op op;
  op.wait = reason;
  return op;
}

// Every relation the unit has to think about: the ones in the snapshot and the ones it still
// remembers, by id.
std::set<int64_t> RelationIds(const LocalState& local, const std::map<int64_t, RelationView>& views) {
  std::set<int64_t> ids;
  for (const auto& [id, progress] : local.relations) ids.insert(id);
  for (const auto& [id, view] : views) ids.insert(id);
  return ids;
}

std::map<int64_t, RelationView> Views(const v1::UnitSnapshot& remote) {
  std::map<int64_t, RelationView> views;
  for (const auto& r : remote.relations()) views.emplace(r.id(), ToView(r));
  return views;
}

// The first relation step over all relations (by id), as an operation.
std::optional<Op> NextRelationOp(const LocalState& local, const std::map<int64_t, RelationView>& views,
                                 bool unit_dying, const std::string& self_unit) {
  for (int64_t id : RelationIds(local, views)) {
    auto p = local.relations.find(id);
    RelationProgress progress = p != local.relations.end() ? p->second : RelationProgress{};
    progress.id = id;
    auto v = views.find(id);
    const RelationView* view = v != views.end() ? &v->second : nullptr;
    RelationStep step = relations::NextRelationStep(progress, view, unit_dying, self_unit);
    if (step.kind == RelationStep::Kind::kHook) {
      return RunHook(HookInfo::ForRelation(step.hook));
    }
    if (step.kind == RelationStep::Kind::kLeave) {
      Op op;
      op.kind = OperationKind::kLeaveRelation;
      op.relation_id = id;
      return op;
    }
  }
  return std::nullopt;
}

// `<name>-storage-attached` for the first alive instance of the snapshot it has not run for.
std::optional<Op> NextStorageAttachedOp(const LocalState& local, const v1::UnitSnapshot& remote) {
  for (const auto& s : remote.storage()) {
    if (s.life() != v1::LIFE_ALIVE || local.storage_attached.count(s.id()) > 0) continue;
    return RunHook(HookInfo::ForStorage(HookKind::kStorageAttached, s.id()));
  }
  return std::nullopt;
}

HookInfo SecretHook(HookKind kind, const v1::SecretHookEvent& event) {
  HookInfo info;
  info.kind = kind;
  info.secret_uri = event.uri();
  info.secret_label = event.label();
  info.secret_revision = event.revision();
  // The due time tells one rotation from the next; the other hooks have their revision.
  if (kind == HookKind::kSecretRotate) info.secret_due_unix_ms = event.due_unix_ms();
  return info;
}

// Every secret hook the snapshot asks for, timed ones whatever their time, in the order they
// are run: rotate, expired, remove, changed (owners act on their own secrets first).
template <typename Fn>
void ForEachSecretEvent(const v1::UnitSnapshot& remote, Fn&& fn) {
  for (const auto& e : remote.secret_rotations()) fn(HookKind::kSecretRotate, e);
  for (const auto& e : remote.secret_expiries()) fn(HookKind::kSecretExpired, e);
  for (const auto& e : remote.secret_revisions_obsolete()) fn(HookKind::kSecretRemove, e);
  for (const auto& e : remote.secrets_changed()) fn(HookKind::kSecretChanged, e);
}

bool Timed(HookKind kind) { return kind == HookKind::kSecretRotate || kind == HookKind::kSecretExpired; }

// The first secret hook that is due and has not run for its event.
std::optional<Op> NextSecretOp(const LocalState& local, const v1::UnitSnapshot& remote, const Options& options) {
  std::optional<Op> next;
  ForEachSecretEvent(remote, [&](HookKind kind, const v1::SecretHookEvent& e) {
    if (next.has_value()) return;
    if (Timed(kind) && e.due_unix_ms() > options.now_unix_ms) return;
    HookInfo hook = SecretHook(kind, e);
    if (local.secret_events_done.count(SecretEventKey(hook)) > 0) return;
    next = RunHook(std::move(hook));
  });
  return next;
}

Op DyingOp(const LocalState& local, const v1::UnitSnapshot& remote, const std::map<int64_t, RelationView>& views) {
  // Juju's storage resolver detaches every attached instance before the relations are torn down.
  if (!local.storage_attached.empty()) {
    return RunHook(HookInfo::ForStorage(HookKind::kStorageDetaching, *local.storage_attached.begin()));
  }
  if (auto op = NextRelationOp(local, views, /*unit_dying=*/true, remote.unit())) return *op;
  if (local.started && !local.stopped) return SimpleHook(HookKind::kStop);
  if (local.installed && !local.removed) return SimpleHook(HookKind::kRemove);
  Op op;
  op.kind = OperationKind::kMarkDead;
  return op;
}

// The application's charm is not the one on disk: another archive, or the same archive as a
// new revision (a local `refresh --path` always runs the upgrade sequence, juju-semantics §7).
bool CharmChanged(const LocalState& local, const v1::UnitSnapshot& remote) {
  if (local.charm_sha256 != remote.charm().sha256()) return true;
  return !local.charm_url.empty() && !remote.charm().url().empty() && local.charm_url != remote.charm().url();
}

Op DeployCharm(const v1::UnitSnapshot& remote) {
  Op op;
  op.kind = OperationKind::kDeployCharm;
  op.charm_url = remote.charm().url();
  op.charm_sha256 = remote.charm().sha256();
  return op;
}

Op FailedHookOp(const LocalState& local, const v1::UnitSnapshot& remote, const Options& options) {
  // `refresh --force-units` reaches a unit in error: it takes the new charm first, so that the
  // failed hook, when retried or resolved, runs on it (Juju's ForceCharmUpgrade).
  if (remote.charm().force_upgrade() && !remote.charm().sha256().empty() && CharmChanged(local, remote)) {
    Op op = DeployCharm(remote);
    op.forced = true;
    return op;
  }
  const ResolveMode mode = ResolveModeOf(remote);
  if (mode != ResolveMode::kNone && remote.resolve_serial() > local.resolved_serial) {
    Op op = RunHook(local.operation.hook);
    op.resolve_serial = remote.resolve_serial();
    op.resolve_mode = mode;
    return op;
  }
  // Retrying re-runs the same hook with the same context (juju-semantics §1.7).
  if (options.retry_due) return RunHook(local.operation.hook);
  return Nothing(WaitReason::kHookFailed);
}

}  // namespace

ResolveMode ResolveModeOf(const v1::UnitSnapshot& remote) {
  // Any other non-empty mode is a plain resolve, as Juju treats it.
  if (remote.resolve_mode().empty()) return ResolveMode::kNone;
  return remote.resolve_mode() == "no-retry" ? ResolveMode::kNoRetry : ResolveMode::kRetry;
}

const char* WaitReasonName(WaitReason reason) {
  switch (reason) {
    case WaitReason::kIdle:
      return "idle";
    case WaitReason::kHookFailed:
      return "hook failed";
    case WaitReason::kWaitingForCharm:
      return "waiting for charm";
  }
  return "idle";
}

std::string Op::String() const {
  switch (kind) {
    case OperationKind::kNone:
      return absl::StrCat("no operation (", WaitReasonName(wait), ")");
    case OperationKind::kDeployCharm:
      return absl::StrCat("deploy charm ", charm_url, forced ? " (forced: the unit stays in error)" : "");
    case OperationKind::kRunHook:
      if (SkipsHook()) return absl::StrCat("skip ", hook.Name(), " hook (resolved --no-retry)");
      if (!hook.relation.remote_unit.empty() && hook.IsRelation()) {
        return absl::StrCat("run ", hook.Name(), " hook for ", hook.relation.remote_unit);
      }
      return absl::StrCat("run ", hook.Name(), " hook");
    case OperationKind::kResignLeadership:
      return "resign leadership";
    case OperationKind::kLeaveRelation:
      return absl::StrCat("leave relation ", relation_id);
    case OperationKind::kMarkDead:
      return "mark unit dead";
    case OperationKind::kRunAction:
      return absl::StrCat("run action ", action.task_id());
  }
  return "unknown operation";
}

relations::RelationView ToView(const v1::RelationSnapshot& r) {
  RelationView view;
  view.id = r.id();
  view.endpoint = r.endpoint();
  view.remote_application = r.remote_application();
  view.peer = charm::ParseRole(r.role()) == charm::Role::kPeers;
  view.dying = r.life() != v1::LIFE_ALIVE;
  for (const auto& m : r.members()) view.members.push_back({m.unit(), m.settings_version()});
  view.remote_app_version = r.remote_app_settings_version();
  return view;
}

std::string ConfigHash(const v1::UnitSnapshot& remote) {
  // FNV-1a: stable across builds and machines, which is all a change detector needs.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(remote.config_json().empty() ? "{}" : remote.config_json());
  mix(remote.private_address());
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Op NextOp(const LocalState& local, const v1::UnitSnapshot& remote, const Options& options) {
  // -1. Actions run ahead of the error check: they run even while a hook is in error
  // (juju-semantics §1.7). Not while dying, nor before the charm is on disk.
  if (remote.life() == v1::LIFE_ALIVE && !local.charm_sha256.empty()) {
    for (const auto& action : remote.actions()) {
      int64_t id = 0;
      if (!absl::SimpleAtoi(action.task_id(), &id) || id <= local.last_action_id) continue;
      Op op;
      op.kind = OperationKind::kRunAction;
      op.action = action;
      return op;
    }
  }

  // 0. A failed hook blocks everything until it is resolved or retried.
  if (local.operation.failed) return FailedHookOp(local, remote, options);
  std::map<int64_t, RelationView> views = Views(remote);

  // 1. Dying.
  if (remote.life() != v1::LIFE_ALIVE) return DyingOp(local, remote, views);

  // 2. Install.
  bool charm_known = !remote.charm().sha256().empty();
  if (!local.installed) {
    if (!charm_known) return Nothing(WaitReason::kWaitingForCharm);
    if (CharmChanged(local, remote)) return DeployCharm(remote);
    // On machines the unit's initial storage is attached before install (juju-semantics §1.3).
    if (auto op = NextStorageAttachedOp(local, remote)) return *op;
    return SimpleHook(HookKind::kInstall);
  }

  // 3. relation-created for alive relations not created yet.
  for (const auto& [id, view] : views) {
    if (view.dying) continue;
    auto p = local.relations.find(id);
    if (p != local.relations.end() && (p->second.created || p->second.left)) continue;
    return RunHook(HookInfo::ForRelation(relations::CreatedHook(view)));
  }

  // 4. Leadership.
  if (remote.leader() && !local.leader) return SimpleHook(HookKind::kLeaderElected);
  if (!remote.leader() && local.leader) {
    Op op;
    op.kind = OperationKind::kResignLeadership;
    return op;
  }
  if (!remote.leader() && local.leader_settings_version != remote.leader_settings_version()) {
    HookInfo hook;
    hook.kind = HookKind::kLeaderSettingsChanged;
    hook.leader_settings_version = remote.leader_settings_version();
    return RunHook(std::move(hook));
  }

  // 4a. Workload hooks: Juju's optional workload resolver runs ahead of the secret hooks
  // (juju-semantics §1.2 step 5).
  if (options.workload_event.has_value() && !WorkloadEventDone(local, *options.workload_event)) {
    return RunHook(*options.workload_event);
  }

  // 4b. Secret hooks (juju-semantics §1.2 step 5).
  if (auto op = NextSecretOp(local, remote, options)) return *op;

  // 4c. Storage added later (storage-add, juju-semantics §1.2 step 6).
  if (auto op = NextStorageAttachedOp(local, remote)) return *op;

  // 5. Charm upgrade.
  if (charm_known && CharmChanged(local, remote)) return DeployCharm(remote);
  if (local.upgrade_pending) return SimpleHook(HookKind::kUpgradeCharm);

  // 6. config-changed.
  std::string config_hash = ConfigHash(remote);
  if (local.config_hash != config_hash) {
    HookInfo hook;
    hook.kind = HookKind::kConfigChanged;
    hook.config_hash = config_hash;
    return RunHook(std::move(hook));
  }

  // 7. start.
  if (!local.started) return SimpleHook(HookKind::kStart);

  // 8. Relation hooks.
  if (auto op = NextRelationOp(local, views, /*unit_dying=*/false, remote.unit())) return *op;

  // 9. update-status.
  if (options.update_status_due) return SimpleHook(HookKind::kUpdateStatus);
  return Nothing(WaitReason::kIdle);
}

bool WorkloadEventDone(const LocalState& local, const HookInfo& event) {
  const auto& done = event.kind == HookKind::kPebbleReady ? local.pebble_ready_instances : local.pebble_notice_cursors;
  auto it = done.find(event.workload_name);
  if (it == done.end()) return false;
  return it->second == (event.kind == HookKind::kPebbleReady ? event.pebble_instance : event.notice_cursor);
}

std::optional<int64_t> NextSecretDue(const LocalState& local, const v1::UnitSnapshot& remote, int64_t now_unix_ms) {
  std::optional<int64_t> next;
  ForEachSecretEvent(remote, [&](HookKind kind, const v1::SecretHookEvent& e) {
    if (!Timed(kind) || e.due_unix_ms() <= now_unix_ms) return;
    if (local.secret_events_done.count(SecretEventKey(SecretHook(kind, e))) > 0) return;
    if (!next.has_value() || e.due_unix_ms() < *next) next = e.due_unix_ms();
  });
  return next;
}

bool Observe(LocalState& local, const v1::UnitSnapshot& remote) {
  std::map<int64_t, RelationView> views = Views(remote);
  bool changed = false;
  // Secret events the controller no longer lists (the reader refreshed, the revision went,
  // the rotation moved on) are forgotten, so that the set stays as small as the snapshot.
  std::set<std::string> listed;
  ForEachSecretEvent(remote, [&](HookKind kind, const v1::SecretHookEvent& e) {
    listed.insert(SecretEventKey(SecretHook(kind, e)));
  });
  for (auto it = local.secret_events_done.begin(); it != local.secret_events_done.end();) {
    if (listed.count(*it) > 0) {
      ++it;
      continue;
    }
    it = local.secret_events_done.erase(it);
    changed = true;
  }
  for (auto it = local.relations.begin(); it != local.relations.end();) {
    auto v = views.find(it->first);
    const RelationView* view = v != views.end() ? &v->second : nullptr;
    if (relations::CanForget(it->second, view)) {
      it = local.relations.erase(it);
      changed = true;
      continue;
    }
    if (view != nullptr && relations::ObserveView(it->second, *view)) changed = true;
    ++it;
  }
  return changed;
}

void RecordHook(LocalState& local, const HookInfo& hook) {
  switch (hook.kind) {
    case HookKind::kInstall:
      local.installed = true;
      break;
    case HookKind::kStart:
      local.started = true;
      break;
    case HookKind::kConfigChanged:
      local.config_hash = hook.config_hash;
      break;
    case HookKind::kUpgradeCharm:
      // upgrade-charm is always followed by config-changed.
      local.upgrade_pending = false;
      local.upgrade_charm_skipped = false;
      local.config_hash.clear();
      break;
    case HookKind::kStop:
      local.stopped = true;
      break;
    case HookKind::kRemove:
      local.removed = true;
      break;
    case HookKind::kUpdateStatus:
      break;
    case HookKind::kLeaderElected:
      local.leader = true;
      break;
    case HookKind::kLeaderSettingsChanged:
      local.leader_settings_version = hook.leader_settings_version;
      break;
    case HookKind::kRelationCreated:
    case HookKind::kRelationJoined:
    case HookKind::kRelationChanged:
    case HookKind::kRelationDeparted:
    case HookKind::kRelationBroken:
      relations::RecordRelationHook(local.relations[hook.relation.relation_id], hook.relation);
      break;
    case HookKind::kStorageAttached:
      local.storage_attached.insert(hook.storage_id);
      break;
    case HookKind::kStorageDetaching:
      local.storage_attached.erase(hook.storage_id);
      break;
    case HookKind::kSecretChanged:
    case HookKind::kSecretRemove:
    case HookKind::kSecretRotate:
    case HookKind::kSecretExpired:
      local.secret_events_done.insert(SecretEventKey(hook));
      break;
    case HookKind::kPebbleReady:
      local.pebble_ready_instances[hook.workload_name] = hook.pebble_instance;
      break;
    case HookKind::kPebbleCustomNotice:
    case HookKind::kPebbleCheckFailed:
    case HookKind::kPebbleCheckRecovered:
      local.pebble_notice_cursors[hook.workload_name] = hook.notice_cursor;
      break;
  }
}

void RecordSkippedHook(LocalState& local, const HookInfo& hook) {
  RecordHook(local, hook);
  if (hook.kind == HookKind::kUpgradeCharm) local.upgrade_charm_skipped = true;
}

void RecordOp(LocalState& local, const Op& op) {
  switch (op.kind) {
    case OperationKind::kNone:
    case OperationKind::kMarkDead:
      break;
    case OperationKind::kRunAction: {
      int64_t id = 0;
      if (absl::SimpleAtoi(op.action.task_id(), &id)) local.last_action_id = std::max(local.last_action_id, id);
      local.running_action_id = 0;
      break;
    }
    case OperationKind::kDeployCharm:
      local.charm_url = op.charm_url;
      local.charm_sha256 = op.charm_sha256;
      if (op.forced && local.installed) {
        local.upgrade_pending = false;
        local.upgrade_charm_skipped = true;
      } else if (local.installed) {
        local.upgrade_pending = true;
      }
      break;
    case OperationKind::kRunHook:
      RecordHook(local, op.hook);
      break;
    case OperationKind::kResignLeadership:
      local.leader = false;
      break;
    case OperationKind::kLeaveRelation: {
      RelationProgress& progress = local.relations[op.relation_id];
      progress.id = op.relation_id;
      relations::RecordLeave(progress);
      break;
    }
  }
}

}  // namespace skein::agent::resolver
