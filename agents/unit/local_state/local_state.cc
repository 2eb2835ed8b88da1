#include "agents/unit/local_state/local_state.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/charm/hooks.h"

namespace skein::agent {
namespace {

using json = nlohmann::json;
using relations::RelationHook;
using relations::RelationHookKind;
using relations::RelationProgress;

const std::vector<std::pair<RelationHookKind, std::string>>& RelationKindNames() {
  static const auto* names = [] {
    auto* out = new std::vector<std::pair<RelationHookKind, std::string>>;
    for (RelationHookKind kind : {RelationHookKind::kCreated, RelationHookKind::kJoined, RelationHookKind::kChanged,
                                  RelationHookKind::kDeparted, RelationHookKind::kBroken}) {
      std::string_view name = charm::HookKindName(relations::ToHookKind(kind));
      out->emplace_back(kind, name.substr(name.rfind('-') + 1));
    }
    return out;
  }();
  return *names;
}

const std::vector<std::pair<OperationKind, std::string>> kOperationKinds = {
    {OperationKind::kNone, "none"},
    {OperationKind::kDeployCharm, "deploy-charm"},
    {OperationKind::kRunHook, "run-hook"},
    {OperationKind::kResignLeadership, "resign-leadership"},
    {OperationKind::kLeaveRelation, "leave-relation"},
    {OperationKind::kMarkDead, "mark-dead"},
    {OperationKind::kRunAction, "run-action"},
};

const std::vector<std::pair<OperationStep, std::string>> kSteps = {
    {OperationStep::kNone, "none"}, {OperationStep::kPending, "pending"}, {OperationStep::kDone, "done"}};

template <typename E>
std::string EnumName(const std::vector<std::pair<E, std::string>>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E>
absl::StatusOr<E> EnumValue(const std::vector<std::pair<E, std::string>>& table, const std::string& name) {
  for (const auto& [e, n] : table) {
    if (n == name) return e;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown value \"", name, "\" in local state"));
}

json RelationHookToJson(const RelationHook& h) {
  return json{{"kind", EnumName(RelationKindNames(), h.kind)},
              {"relation-id", h.relation_id},
              {"endpoint", h.endpoint},
              {"remote-application", h.remote_application},
              {"peer", h.peer},
              {"remote-unit", h.remote_unit},
              {"departing-unit", h.departing_unit},
              {"version", h.version}};
}

absl::StatusOr<RelationHook> RelationHookFromJson(const json& j) {
  RelationHook h;
  auto kind = EnumValue(RelationKindNames(), j.value("kind", std::string("created")));
  if (!kind.ok()) return kind.status();
  h.kind = *kind;
  h.relation_id = j.value("relation-id", int64_t{0});
  h.endpoint = j.value("endpoint", "");
  h.remote_application = j.value("remote-application", "");
  h.peer = j.value("peer", false);
  h.remote_unit = j.value("remote-unit", "");
  h.departing_unit = j.value("departing-unit", "");
  h.version = j.value("version", int64_t{0});
  return h;
}

json ProgressToJson(const RelationProgress& p) {
  json members = json::object();
  for (const auto& [unit, version] : p.members) members[unit] = version;
  return json{{"id", p.id},
              {"endpoint", p.endpoint},
              {"remote-application", p.remote_application},
              {"peer", p.peer},
              {"created", p.created},
              {"members", members},
              {"changed-pending", p.changed_pending},
              {"remote-app-version", p.remote_app_version},
              {"own-app-write-pending", p.own_app_write_pending},
              {"app-version-before-own-write", p.app_version_before_own_write},
              {"broken", p.broken},
              {"left", p.left}};
}

RelationProgress ProgressFromJson(const json& j) {
  RelationProgress p;
  p.id = j.value("id", int64_t{0});
  p.endpoint = j.value("endpoint", "");
  p.remote_application = j.value("remote-application", "");
  p.peer = j.value("peer", false);
  p.created = j.value("created", false);
  if (j.contains("members") && j["members"].is_object()) {
    for (const auto& [unit, version] : j["members"].items()) p.members[unit] = version.get<int64_t>();
  }
  p.changed_pending = j.value("changed-pending", "");
  p.remote_app_version = j.value("remote-app-version", int64_t{0});
  p.own_app_write_pending = j.value("own-app-write-pending", false);
  p.app_version_before_own_write = j.value("app-version-before-own-write", int64_t{0});
  p.broken = j.value("broken", false);
  p.left = j.value("left", false);
  return p;
}

// A hook's kind as stored in the state row: a unit hook by its hook name (lib/charm/hooks.h), a
// relation hook as `relation` with its own kind inside `relation` by the name's last word
// (`joined`), so that the relation's kind is stored once.
json HookToJson(const HookInfo& h) {
  return json{{"kind", h.IsRelation() ? std::string("relation") : std::string(charm::HookKindName(h.kind))},
              {"relation", RelationHookToJson(h.relation)},
              {"config-hash", h.config_hash},
              {"leader-settings-version", h.leader_settings_version},
              {"storage-id", h.storage_id},
              {"secret-uri", h.secret_uri},
              {"secret-label", h.secret_label},
              {"secret-revision", h.secret_revision},
              {"secret-due-unix-ms", h.secret_due_unix_ms},
              {"workload-name", h.workload_name},
              {"notice-id", h.notice_id},
              {"notice-type", h.notice_type},
              {"notice-key", h.notice_key},
              {"check-name", h.check_name},
              {"pebble-instance", h.pebble_instance},
              {"notice-cursor", h.notice_cursor}};
}

absl::StatusOr<HookInfo> HookFromJson(const json& j) {
  HookInfo h;
  const std::string kind = j.value("kind", std::string("install"));
  if (j.contains("relation")) {
    auto rel = RelationHookFromJson(j["relation"]);
    if (!rel.ok()) return rel.status();
    h.relation = *rel;
  }
  if (kind == "relation") {
    h.kind = relations::ToHookKind(h.relation.kind);
  } else {
    std::optional<charm::HookKind> unit_hook = charm::HookKindFromName(kind);
    if (!unit_hook.has_value() || charm::IsRelationHook(*unit_hook)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown value \"", kind, "\" in local state"));
    }
    h.kind = *unit_hook;
  }
  h.config_hash = j.value("config-hash", "");
  h.leader_settings_version = j.value("leader-settings-version", int64_t{0});
  h.storage_id = j.value("storage-id", "");
  h.secret_uri = j.value("secret-uri", "");
  h.secret_label = j.value("secret-label", "");
  h.secret_revision = j.value("secret-revision", int64_t{0});
  h.secret_due_unix_ms = j.value("secret-due-unix-ms", int64_t{0});
  h.workload_name = j.value("workload-name", "");
  h.notice_id = j.value("notice-id", "");
  h.notice_type = j.value("notice-type", "");
  h.notice_key = j.value("notice-key", "");
  h.check_name = j.value("check-name", "");
  h.pebble_instance = j.value("pebble-instance", "");
  h.notice_cursor = j.value("notice-cursor", "");
  return h;
}

}  // namespace

HookInfo HookInfo::ForRelation(relations::RelationHook hook) {
  HookInfo info;
  info.kind = relations::ToHookKind(hook.kind);
  info.relation = std::move(hook);
  return info;
}

HookInfo HookInfo::ForStorage(HookKind kind, std::string storage_id) {
  HookInfo info;
  info.kind = kind;
  info.storage_id = std::move(storage_id);
  return info;
}

std::string SecretEventKey(HookKind kind, const std::string& uri, int64_t revision, int64_t due_unix_ms) {
  if (kind == HookKind::kSecretRotate) return absl::StrCat(std::string(charm::HookKindName(kind)), " ", uri, "@", due_unix_ms);
  return absl::StrCat(std::string(charm::HookKindName(kind)), " ", uri, "/", revision);
}

std::string SecretEventKey(const HookInfo& hook) {
  return SecretEventKey(hook.kind, hook.secret_uri, hook.secret_revision, hook.secret_due_unix_ms);
}

std::string HookInfo::Name() const {
  if (IsRelation()) return relation.HookName();
  if (charm::IsStorageHook(kind)) return charm::HookName(kind, storage_id.substr(0, storage_id.find('/')));
  if (charm::IsWorkloadHook(kind)) return charm::HookName(kind, workload_name);
  return std::string(charm::HookKindName(kind));
}

json ToJson(const LocalState& s) {
  json relations = json::array();
  for (const auto& [id, progress] : s.relations) relations.push_back(ProgressToJson(progress));
  return json{{"installed", s.installed},
              {"started", s.started},
              {"stopped", s.stopped},
              {"removed", s.removed},
              {"leader", s.leader},
              {"leader-settings-version", s.leader_settings_version},
              {"config-hash", s.config_hash},
              {"charm-url", s.charm_url},
              {"charm-sha256", s.charm_sha256},
              {"upgrade-pending", s.upgrade_pending},
              {"upgrade-charm-skipped", s.upgrade_charm_skipped},
              {"workload-status-set", s.workload_status_set},
              {"relations", relations},
              {"storage-attached", s.storage_attached},
              {"secret-events-done", s.secret_events_done},
              {"pebble-ready-instances", s.pebble_ready_instances},
              {"pebble-notice-cursors", s.pebble_notice_cursors},
              {"operation",
               {{"kind", EnumName(kOperationKinds, s.operation.kind)},
                {"step", EnumName(kSteps, s.operation.step)},
                {"hook", HookToJson(s.operation.hook)},
                {"commit-seq", s.operation.commit_seq},
                {"failed", s.operation.failed}}},
              {"next-commit-seq", s.next_commit_seq},
              {"last-action-id", s.last_action_id},
              {"running-action-id", s.running_action_id},
              {"resolved-serial", s.resolved_serial}};
}

absl::StatusOr<LocalState> LocalStateFromJson(const json& j) {
  if (!j.is_object()) return absl::InvalidArgumentError("local state is not a JSON object");
  LocalState s;
  try {
    s.installed = j.value("installed", false);
    s.started = j.value("started", false);
    s.stopped = j.value("stopped", false);
    s.removed = j.value("removed", false);
    s.leader = j.value("leader", false);
    s.leader_settings_version = j.value("leader-settings-version", int64_t{-1});
    s.config_hash = j.value("config-hash", "");
    s.charm_url = j.value("charm-url", "");
    s.charm_sha256 = j.value("charm-sha256", "");
    s.upgrade_pending = j.value("upgrade-pending", false);
    s.upgrade_charm_skipped = j.value("upgrade-charm-skipped", false);
    s.workload_status_set = j.value("workload-status-set", false);
    if (j.contains("relations")) {
      for (const auto& r : j["relations"]) {
        RelationProgress p = ProgressFromJson(r);
        s.relations[p.id] = std::move(p);
      }
    }
    if (j.contains("storage-attached")) s.storage_attached = j["storage-attached"].get<std::set<std::string>>();
    if (j.contains("secret-events-done")) {
      s.secret_events_done = j["secret-events-done"].get<std::set<std::string>>();
    }
    if (j.contains("pebble-ready-instances")) {
      s.pebble_ready_instances = j["pebble-ready-instances"].get<std::map<std::string, std::string>>();
    }
    if (j.contains("pebble-notice-cursors")) {
      s.pebble_notice_cursors = j["pebble-notice-cursors"].get<std::map<std::string, std::string>>();
    }
    if (j.contains("operation")) {
      const json& op = j["operation"];
      auto kind = EnumValue(kOperationKinds, op.value("kind", std::string("none")));
      if (!kind.ok()) return kind.status();
      auto step = EnumValue(kSteps, op.value("step", std::string("none")));
      if (!step.ok()) return step.status();
      s.operation.kind = *kind;
      s.operation.step = *step;
      if (op.contains("hook")) {
        auto hook = HookFromJson(op["hook"]);
        if (!hook.ok()) return hook.status();
        s.operation.hook = *hook;
      }
      s.operation.commit_seq = op.value("commit-seq", int64_t{0});
      s.operation.failed = op.value("failed", false);
    }
    s.next_commit_seq = j.value("next-commit-seq", int64_t{1});
    s.last_action_id = j.value("last-action-id", int64_t{0});
    s.running_action_id = j.value("running-action-id", int64_t{0});
    s.resolved_serial = j.value("resolved-serial", int64_t{0});
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed local state: ", e.what()));
  }
  return s;
}

}  // namespace skein::agent
