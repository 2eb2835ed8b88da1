#include "agents/sdk/event.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
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
