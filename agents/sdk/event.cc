#include "agents/sdk/event.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/charm/hooks.h"

namespace skein::sdk {
namespace {

std::string EnvOr(const std::map<std::string, std::string>& env, const std::string& key) {
  auto it = env.find(key);
  return it == env.end() ? "" : it->second;
}

// The event of each hook kind (hook names: lib/charm/hooks.h).
constexpr std::pair<charm::HookKind, EventKind> kHookEvents[] = {
    {charm::HookKind::kInstall, EventKind::kInstall},
    {charm::HookKind::kStart, EventKind::kStart},
    {charm::HookKind::kStop, EventKind::kStop},
    {charm::HookKind::kRemove, EventKind::kRemove},
    {charm::HookKind::kConfigChanged, EventKind::kConfigChanged},
    {charm::HookKind::kUpgradeCharm, EventKind::kUpgradeCharm},
    {charm::HookKind::kLeaderElected, EventKind::kLeaderElected},
    {charm::HookKind::kLeaderSettingsChanged, EventKind::kLeaderSettingsChanged},
    {charm::HookKind::kUpdateStatus, EventKind::kUpdateStatus},
    {charm::HookKind::kRelationCreated, EventKind::kRelationCreated},
    {charm::HookKind::kRelationJoined, EventKind::kRelationJoined},
    {charm::HookKind::kRelationChanged, EventKind::kRelationChanged},
    {charm::HookKind::kRelationDeparted, EventKind::kRelationDeparted},
    {charm::HookKind::kRelationBroken, EventKind::kRelationBroken},
};

EventKind EventKindOf(charm::HookKind hook) {
  for (const auto& [h, event] : kHookEvents) {
    if (h == hook) return event;
  }
  return EventKind::kOther;
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
  auto parsed = charm::ParseHookName(hook_name);
  if (!parsed.has_value()) return e;  // kOther: a hook this SDK has no type for
  e.kind = EventKindOf(parsed->kind);
  if (!charm::IsRelationHook(parsed->kind)) return e;
  e.endpoint = parsed->endpoint;
  // JUJU_RELATION_ID is `endpoint:id`.
  std::vector<std::string> parts = absl::StrSplit(EnvOr(env, "JUJU_RELATION_ID"), ':');
  int64_t id = 0;
  if (parts.size() == 2 && absl::SimpleAtoi(parts[1], &id)) e.relation_id = id;
  e.remote_app = EnvOr(env, "JUJU_REMOTE_APP");
  e.remote_unit = EnvOr(env, "JUJU_REMOTE_UNIT");
  e.departing_unit = EnvOr(env, "JUJU_DEPARTING_UNIT");
  return e;
}

Event EventForHook(const agent::HookInfo& hook) {
  Event e;
  e.hook = hook.Name();
  e.kind = EventKindOf(hook.kind);
  if (!hook.IsRelation()) return e;
  const relations::RelationHook& r = hook.relation;
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
  if (kind == EventKind::kAction) return "action";
  for (const auto& [hook, event] : kHookEvents) {
    if (event == kind) return charm::HookKindName(hook).data();
  }
  return "other";
}

}  // namespace skein::sdk
