#include "agents/sdk/event.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein::sdk {
namespace {

std::string EnvOr(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

}  // namespace

Event EventFor(const std::string& hook_name, const std::map<std::string, std::string>& env) {
  Event e;
  e.hook = hook_name;
  if (absl::StartsWith(hook_name, "actions/")) {
    e.kind = EventKind::kAction;
    e.action = hook_name.substr(std::string("actions/").size());
    return e;
  }
  static const std::map<std::string, EventKind> kPlain = {
      {"install", EventKind::kInstall},
      {"start", EventKind::kStart},
      {"stop", EventKind::kStop},
      {"remove", EventKind::kRemove},
      {"config-changed", EventKind::kConfigChanged},
      {"upgrade-charm", EventKind::kUpgradeCharm},
      {"leader-elected", EventKind::kLeaderElected},
      {"leader-settings-changed", EventKind::kLeaderSettingsChanged},
      {"update-status", EventKind::kUpdateStatus},
  };
  if (auto it = kPlain.find(hook_name); it != kPlain.end()) {
    e.kind = it->second;
    return e;
  }
  static const std::pair<const char*, EventKind> kRelation[] = {
      {"-relation-created", EventKind::kRelationCreated},   {"-relation-joined", EventKind::kRelationJoined},
      {"-relation-changed", EventKind::kRelationChanged},   {"-relation-departed", EventKind::kRelationDeparted},
      {"-relation-broken", EventKind::kRelationBroken},
  };
  for (const auto& [suffix, kind] : kRelation) {
    if (!absl::EndsWith(hook_name, suffix)) continue;
    e.kind = kind;
    e.endpoint = hook_name.substr(0, hook_name.size() - std::string(suffix).size());
    // JUJU_RELATION_ID is `endpoint:id`.
    std::vector<std::string> parts = absl::StrSplit(EnvOr(env, "JUJU_RELATION_ID"), ':');
    int64_t id = 0;
    if (parts.size() == 2 && absl::SimpleAtoi(parts[1], &id)) e.relation_id = id;
    e.remote_app = EnvOr(env, "JUJU_REMOTE_APP");
    e.remote_unit = EnvOr(env, "JUJU_REMOTE_UNIT");
    e.departing_unit = EnvOr(env, "JUJU_DEPARTING_UNIT");
    return e;
  }
  return e;
}

namespace {

EventKind RelationEventKind(relations::RelationHookKind kind) {
  switch (kind) {
    case relations::RelationHookKind::kCreated: return EventKind::kRelationCreated;
    case relations::RelationHookKind::kJoined: return EventKind::kRelationJoined;
    case relations::RelationHookKind::kChanged: return EventKind::kRelationChanged;
    case relations::RelationHookKind::kDeparted: return EventKind::kRelationDeparted;
    case relations::RelationHookKind::kBroken: return EventKind::kRelationBroken;
  }
  return EventKind::kOther;
}

EventKind PlainEventKind(agent::HookKind kind) {
  switch (kind) {
    case agent::HookKind::kInstall: return EventKind::kInstall;
    case agent::HookKind::kStart: return EventKind::kStart;
    case agent::HookKind::kConfigChanged: return EventKind::kConfigChanged;
    case agent::HookKind::kUpgradeCharm: return EventKind::kUpgradeCharm;
    case agent::HookKind::kStop: return EventKind::kStop;
    case agent::HookKind::kRemove: return EventKind::kRemove;
    case agent::HookKind::kUpdateStatus: return EventKind::kUpdateStatus;
    case agent::HookKind::kLeaderElected: return EventKind::kLeaderElected;
    case agent::HookKind::kLeaderSettingsChanged: return EventKind::kLeaderSettingsChanged;
    case agent::HookKind::kRelation: break;  // by the relation hook's own kind
  }
  return EventKind::kOther;
}

}  // namespace

Event EventForHook(const agent::HookInfo& hook) {
  Event e;
  e.hook = hook.Name();
  if (hook.kind != agent::HookKind::kRelation) {
    e.kind = PlainEventKind(hook.kind);
    return e;
  }
  const relations::RelationHook& r = hook.relation;
  e.kind = RelationEventKind(r.kind);
  e.endpoint = r.endpoint;
  e.relation_id = r.relation_id;
  e.remote_app = r.remote_application;
  e.remote_unit = r.remote_unit;
  e.departing_unit = r.departing_unit;
  return e;
}

Event EventForAction(const std::string& action) {
  Event e;
  e.kind = EventKind::kAction;
  e.hook = absl::StrCat("actions/", action);
  e.action = action;
  return e;
}

const char* EventKindName(EventKind kind) {
  switch (kind) {
    case EventKind::kInstall: return "install";
    case EventKind::kStart: return "start";
    case EventKind::kStop: return "stop";
    case EventKind::kRemove: return "remove";
    case EventKind::kConfigChanged: return "config-changed";
    case EventKind::kUpgradeCharm: return "upgrade-charm";
    case EventKind::kLeaderElected: return "leader-elected";
    case EventKind::kLeaderSettingsChanged: return "leader-settings-changed";
    case EventKind::kUpdateStatus: return "update-status";
    case EventKind::kRelationCreated: return "relation-created";
    case EventKind::kRelationJoined: return "relation-joined";
    case EventKind::kRelationChanged: return "relation-changed";
    case EventKind::kRelationDeparted: return "relation-departed";
    case EventKind::kRelationBroken: return "relation-broken";
    case EventKind::kAction: return "action";
    case EventKind::kOther: return "other";
  }
  return "other";
}

}  // namespace skein::sdk
