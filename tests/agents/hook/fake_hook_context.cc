#include "tests/agents/hook/fake_hook_context.h"

#include <cstdio>

namespace skein::agent::testing {

FakeHookContext::FakeHookContext(std::string unit, std::string hook) : unit_(std::move(unit)), hook_(std::move(hook)) {
  app_ = unit_.substr(0, unit_.find('/'));
  app_status.application = {"active", "", nlohmann::json::object()};
}

FakeHookContext::FakeRelation& FakeHookContext::AddRelation(int64_t id, std::string endpoint, std::string remote_app,
                                                            std::vector<std::string> members, bool peer) {
  FakeRelation& r = relations_[id];
  r.relation = HookRelation{id, std::move(endpoint), std::move(remote_app), peer};
  r.members = std::move(members);
  return r;
}

void FakeHookContext::SetHookRelation(int64_t id, std::string remote_unit, std::string remote_app) {
  hook_relation_ = id;
  remote_unit_ = std::move(remote_unit);
  remote_app_ = std::move(remote_app);
}

ToolResult FakeHookContext::Run(const std::string& command, std::vector<std::string> args,
                                std::optional<std::string> stdin_data, std::string dir) {
  ToolInput input;
  input.args = std::move(args);
  input.dir = std::move(dir);
  input.stdin_data = std::move(stdin_data);
  return RunTool(*this, command, input);
}

std::vector<HookRelation> FakeHookContext::Relations() const {
  std::vector<HookRelation> out;
  for (const auto& [id, r] : relations_) {
    if (!r.broken) out.push_back(r.relation);
  }
  return out;
}

absl::StatusOr<HookRelation> FakeHookContext::Relation(int64_t id) const {
  auto it = relations_.find(id);
  if (it == relations_.end()) return absl::NotFoundError("relation not found");
  return it->second.relation;
}

absl::StatusOr<std::vector<std::string>> FakeHookContext::RelationMembers(int64_t id) {
  auto it = relations_.find(id);
  if (it == relations_.end()) return absl::NotFoundError("relation not found");
  return it->second.members;
}

absl::StatusOr<std::map<std::string, std::string>> FakeHookContext::ReadSettings(int64_t id, const std::string& owner,
                                                                                 bool application) {
  auto it = relations_.find(id);
  if (it == relations_.end()) return absl::NotFoundError("relation not found");
  const FakeRelation& r = it->second;
  if (application && owner == app_ && !r.relation.peer && !leader) {
    return absl::PermissionDeniedError("permission denied");
  }
  std::map<std::string, std::string> bag;
  if (auto b = r.bags.find(owner); b != r.bags.end()) bag = b->second;
  // The own bags include this hook's pending writes.
  const auto* pending = owner == unit_ ? &unit_writes : (owner == app_ && application ? &app_writes : nullptr);
  if (pending != nullptr) {
    if (auto w = pending->find(id); w != pending->end()) {
      for (const auto& [k, v] : w->second) {
        if (v.empty()) {
          bag.erase(k);
        } else {
          bag[k] = v;
        }
      }
    }
  }
  return bag;
}

absl::Status FakeHookContext::WriteSettings(int64_t id, bool application,
                                            const std::map<std::string, std::string>& values) {
  if (!relations_.count(id)) return absl::NotFoundError("relation not found");
  if (application && !leader) return absl::PermissionDeniedError("cannot write relation settings");
  auto& writes = application ? app_writes[id] : unit_writes[id];
  for (const auto& [k, v] : values) writes[k] = v;
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeHookContext::IsLeader() {
  if (leader_error) return absl::UnavailableError(*leader_error);
  return leader;
}

absl::Status FakeHookContext::SetStatus(bool application, const StatusValue& status) {
  if (application && !leader) return absl::PermissionDeniedError("this unit is not the leader");
  status_sets.emplace_back(application, status);
  return absl::OkStatus();
}

absl::StatusOr<ApplicationStatusValue> FakeHookContext::ApplicationStatus() {
  if (!leader) return absl::PermissionDeniedError("this unit is not the leader");
  return app_status;
}

absl::Status FakeHookContext::SetWorkloadVersion(const std::string& version) {
  workload_version = version;
  return absl::OkStatus();
}

}  // namespace skein::agent::testing

namespace skein::agent::testing {

absl::Status FakeHookContext::OpenPort(const PortRange& range) {
  port_changes.push_back({true, range});
  return absl::OkStatus();
}

absl::Status FakeHookContext::ClosePort(const PortRange& range) {
  port_changes.push_back({false, range});
  return absl::OkStatus();
}

absl::StatusOr<NetworkInfo> FakeHookContext::NetworkGet(const std::string& binding,
                                                        std::optional<int64_t> relation_id) {
  if (relation_id && !relations_.count(*relation_id)) return absl::NotFoundError("relation not found");
  auto it = networks.find(binding);
  if (it == networks.end()) {
    return absl::NotFoundError("no network config found for binding \"" + binding + "\"");
  }
  return it->second;
}

absl::StatusOr<std::string> FakeHookContext::UnitAddress(bool public_addr) {
  return public_addr ? public_address : private_address;
}

absl::Status FakeHookContext::LeaderSet(const std::map<std::string, std::string>& values) {
  if (!leader) {
    return absl::PermissionDeniedError("cannot write leadership settings: cannot write settings: not the leader");
  }
  for (const auto& [k, v] : values) {
    if (v.empty()) {
      leader_settings.erase(k);
    } else {
      leader_settings[k] = v;
    }
  }
  return absl::OkStatus();
}

absl::Status FakeHookContext::StateSet(const std::map<std::string, std::string>& values) {
  for (const auto& [k, v] : values) {
    if (v.empty()) {
      charm_state.erase(k);  // HookContext::StateSet: an empty value deletes its key
    } else {
      charm_state[k] = v;
    }
  }
  return absl::OkStatus();
}

absl::Status FakeHookContext::StateDelete(const std::string& key) {
  charm_state.erase(key);
  return absl::OkStatus();
}

namespace {

absl::Status NoSecret(const std::string& what) {
  return absl::NotFoundError("secret \"" + what + "\" not found");
}

}  // namespace

absl::StatusOr<std::string> FakeHookContext::SecretAdd(const std::string& owner, const SecretFields& fields) {
  if (owner == "application" && !leader) return absl::PermissionDeniedError("this unit is not the leader");
  char id[32];
  std::snprintf(id, sizeof(id), "secret:cfake%015zu", secrets.size() + 1);
  FakeSecret& s = secrets[id];
  s.owner = owner;
  s.fields = fields;
  s.revisions.push_back(fields.content);
  return std::string(id);
}

absl::Status FakeHookContext::SecretSet(const std::string& uri, const SecretFields& fields) {
  auto it = secrets.find(uri);
  if (it == secrets.end()) return NoSecret(uri);
  SecretFields& f = it->second.fields;
  if (fields.label) f.label = fields.label;
  if (fields.description) f.description = fields.description;
  if (fields.expire) f.expire = fields.expire;
  if (fields.rotate) f.rotate = fields.rotate;
  if (!fields.content.empty() && fields.content != it->second.revisions.back()) {
    it->second.revisions.push_back(fields.content);
    f.content = fields.content;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> FakeHookContext::SecretGet(const std::string& uri,
                                                                              const std::string& label, bool peek,
                                                                              bool refresh) {
  for (auto& [id, s] : secrets) {
    if (id == uri || (uri.empty() && s.fields.label == label)) {
      s.peeked = peek;
      s.refreshed = refresh;
      return s.revisions.back();
    }
  }
  return NoSecret(uri.empty() ? label : uri);
}

absl::StatusOr<SecretInfo> FakeHookContext::SecretInfoGet(const std::string& uri, const std::string& label) {
  for (const auto& [id, s] : secrets) {
    if (id != uri && (!uri.empty() || s.fields.label != label)) continue;
    SecretInfo info;
    info.id = id.substr(7);
    info.owner = s.owner;
    info.label = s.fields.label.value_or("");
    info.description = s.fields.description.value_or("");
    info.rotation = s.fields.rotate.value_or("");
    info.expiry = s.fields.expire.value_or("");
    info.revision = static_cast<int64_t>(s.revisions.size());
    return info;
  }
  return NoSecret(uri.empty() ? label : uri);
}

absl::Status FakeHookContext::SecretGrant(const std::string& uri, int64_t relation_id, const std::string& unit) {
  auto it = secrets.find(uri);
  if (it == secrets.end()) return NoSecret(uri);
  it->second.grants[relation_id] = unit;
  return absl::OkStatus();
}

absl::Status FakeHookContext::SecretRevoke(const std::string& uri, int64_t relation_id, const std::string& unit) {
  auto it = secrets.find(uri);
  if (it == secrets.end()) return NoSecret(uri);
  it->second.grants.erase(relation_id);
  return absl::OkStatus();
}

absl::Status FakeHookContext::SecretRemove(const std::string& uri, std::optional<int64_t> revision) {
  auto it = secrets.find(uri);
  if (it == secrets.end()) return NoSecret(uri);
  if (!revision) {
    secrets.erase(it);
    return absl::OkStatus();
  }
  auto& revisions = it->second.revisions;
  if (*revision < 1 || *revision > static_cast<int64_t>(revisions.size())) {
    return absl::NotFoundError("revision " + std::to_string(*revision) + " of secret \"" + uri + "\" not found");
  }
  revisions.erase(revisions.begin() + (*revision - 1));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> FakeHookContext::SecretIds() {
  std::vector<std::string> out;
  for (const auto& [id, s] : secrets) out.push_back(id);
  return out;
}

}  // namespace skein::agent::testing
