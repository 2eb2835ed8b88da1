// UnitHookContext: opened ports, charm state and leader settings (juju-semantics §1.5, §3.3).
// Ports and state are buffered and leave with the hook's CommitHook; a failed hook drops them.
// Reads see the committed values overlaid with this hook's own writes: state-get its
// state-set, and opened-ports its open-port and close-port (as Juju 3.6 does).

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/port_range.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "lib/base/limits.h"

namespace skein::agent {
namespace {

constexpr char kNotLeader[] = "cannot write settings: not the leader";

v1::PortRange ToProto(const PortRange& r) {
  v1::PortRange out;
  out.set_protocol(r.protocol);
  out.set_from_port(r.from);
  out.set_to_port(r.to);
  for (const auto& ep : r.endpoints) out.add_endpoints(ep);
  return out;
}

PortRange FromProto(const v1::PortRange& p) {
  PortRange r;
  r.protocol = p.protocol();
  r.from = p.from_port();
  r.to = p.to_port();
  r.endpoints.assign(p.endpoints().begin(), p.endpoints().end());
  return r;
}

}  // namespace

absl::StatusOr<const v1::GetUnitStateResponse*> UnitHookContext::CommittedStateLocked() {
  if (!committed_state_) {
    auto fetched = CallController<v1::GetUnitStateResponse>([&] { return p_.client->GetUnitState(); });
    if (!fetched.ok()) return fetched.status();
    committed_state_ = std::move(*fetched);
  }
  return &*committed_state_;
}

void UnitHookContext::AddStateChangesLocked(v1::CommitHookRequest& req) const {
  for (const v1::PortChange& c : port_changes_) *req.add_port_changes() = c;
  for (const auto& [key, value] : state_pending_) {
    if (value) {
      (*req.mutable_state_set())[key] = *value;
    } else {
      req.add_state_unset(key);
    }
  }
}

absl::Status UnitHookContext::OpenPort(const PortRange& range) {
  MutexLock lock(mu_);
  v1::PortChange& c = port_changes_.emplace_back();
  c.set_open(true);
  *c.mutable_range() = ToProto(range);
  return absl::OkStatus();
}

absl::Status UnitHookContext::ClosePort(const PortRange& range) {
  MutexLock lock(mu_);
  v1::PortChange& c = port_changes_.emplace_back();
  c.set_open(false);
  *c.mutable_range() = ToProto(range);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<PortRange>> UnitHookContext::OpenedPorts() {
  MutexLock lock(mu_);
  auto state = CommittedStateLocked();
  if (!state.ok()) return state.status();
  std::vector<PortRange> committed;
  for (const v1::PortRange& p : (*state)->opened_ports()) committed.push_back(FromProto(p));
  std::vector<tools::PortChange> changes;
  for (const v1::PortChange& c : port_changes_) changes.emplace_back(c.open(), FromProto(c.range()));
  return tools::MergePortChanges(committed, changes);
}

absl::StatusOr<std::map<std::string, std::string>> UnitHookContext::StateGet() {
  MutexLock lock(mu_);
  auto state = CommittedStateLocked();
  if (!state.ok()) return state.status();
  std::map<std::string, std::string> out((*state)->state().begin(), (*state)->state().end());
  for (const auto& [key, value] : state_pending_) {
    if (value) {
      out[key] = *value;
    } else {
      out.erase(key);
    }
  }
  return out;
}

absl::Status UnitHookContext::StateSet(const std::map<std::string, std::string>& values) {
  MutexLock lock(mu_);
  // Juju's caps (juju-semantics §3.3), checked here so that state-set fails and the charm sees it.
  for (const auto& [key, value] : values) {
    if (absl::Status s = limits::CheckSize(limits::kStateKey, "the state key", key.size()); !s.ok()) return s;
    if (absl::Status s = limits::CheckSize(limits::kStateValue, absl::StrCat("state value \"", key, "\""),
                                           value.size());
        !s.ok()) {
      return s;
    }
  }
  std::map<std::string, std::optional<std::string>> pending = state_pending_;
  for (const auto& [key, value] : values) {
    pending[key] = value.empty() ? std::nullopt : std::optional<std::string>(value);
  }
  auto state = CommittedStateLocked();
  if (!state.ok()) return state.status();
  std::map<std::string, std::string> after((*state)->state().begin(), (*state)->state().end());
  for (const auto& [key, value] : pending) {
    if (value) {
      after[key] = *value;
    } else {
      after.erase(key);
    }
  }
  if (absl::Status s = limits::CheckSize(limits::kStateTotal, "the unit's charm state", limits::SettingsBytes(after));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckCommitSizeLocked({-1, false}, {}, pending); !s.ok()) return s;
  state_pending_ = std::move(pending);
  return absl::OkStatus();
}

absl::Status UnitHookContext::StateDelete(const std::string& key) {
  MutexLock lock(mu_);
  state_pending_[key] = std::nullopt;
  return absl::OkStatus();
}

absl::StatusOr<std::map<std::string, std::string>> UnitHookContext::LeaderGet() {
  return CallController<std::map<std::string, std::string>>([&] { return p_.client->GetLeaderSettings(); });
}

absl::Status UnitHookContext::LeaderSet(const std::map<std::string, std::string>& values) {
  {
    MutexLock lock(mu_);
    if (!LeaderLocked()) return absl::PermissionDeniedError(kNotLeader);
  }
  // The settings' total is the controller's to check: it holds them.
  for (const auto& [key, value] : values) {
    if (absl::Status s = limits::CheckSize(limits::kLeaderValue, absl::StrCat("leader setting \"", key, "\""),
                                           value.size());
        !s.ok()) {
      return s;
    }
  }
  absl::Status s = CallController([&] { return p_.client->SetLeaderSettings(values, {}); });
  // The controller's refusal carries the whole text; leader-set adds its own prefix.
  if (s.code() == absl::StatusCode::kPermissionDenied) return absl::PermissionDeniedError(kNotLeader);
  return s;
}

}  // namespace skein::agent
