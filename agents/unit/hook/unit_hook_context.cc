#include "agents/unit/hook/unit_hook_context.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/base/names.h"
#include "lib/rpc/retry.h"
#include "relations/bag_rules.h"

namespace skein::agent {
namespace {

using relations::RelationHookKind;

absl::Status RelationNotFound() { return absl::NotFoundError("relation not found"); }

StatusValue FromInfo(const v1::StatusInfo& info) {
  StatusValue value;
  value.status = info.current();
  value.message = info.message();
  if (!info.data_json().empty()) {
    nlohmann::json data = nlohmann::json::parse(info.data_json(), nullptr, /*allow_exceptions=*/false);
    if (data.is_object()) value.data = std::move(data);
  }
  return value;
}

}  // namespace

UnitHookContext::UnitHookContext(HookContextParams params)
    : p_(std::move(params)),
      hook_name_(p_.action ? "" : p_.hook.Name()),
      remote_app_(p_.hook.IsRelation() ? p_.hook.relation.remote_application : "") {}

bool UnitHookContext::IsHookRelation(int64_t id) const {
  return p_.hook.IsRelation() && p_.hook.relation.relation_id == id;
}

std::optional<int64_t> UnitHookContext::HookRelationId() const {
  if (!p_.hook.IsRelation()) return std::nullopt;
  return p_.hook.relation.relation_id;
}

std::vector<HookRelation> UnitHookContext::Relations() const {
  std::vector<HookRelation> out;
  for (const auto& [id, progress] : p_.local.relations) {
    if (!progress.created || progress.broken || progress.left) continue;
    if (IsHookRelation(id) && p_.hook.relation.kind == RelationHookKind::kBroken) continue;
    out.push_back(HookRelation{id, progress.endpoint, progress.remote_application, progress.peer});
  }
  // During -created the relation is not in the local state yet, but the hook may use it.
  if (p_.hook.IsRelation() && p_.hook.relation.kind == RelationHookKind::kCreated &&
      p_.local.relations.count(p_.hook.relation.relation_id) == 0) {
    const auto& r = p_.hook.relation;
    out.push_back(HookRelation{r.relation_id, r.endpoint, r.remote_application, r.peer});
  }
  std::sort(out.begin(), out.end(), [](const HookRelation& a, const HookRelation& b) { return a.id < b.id; });
  return out;
}

absl::StatusOr<HookRelation> UnitHookContext::Relation(int64_t id) const {
  if (IsHookRelation(id)) {
    const auto& r = p_.hook.relation;
    return HookRelation{r.relation_id, r.endpoint, r.remote_application, r.peer};
  }
  auto it = p_.local.relations.find(id);
  if (it == p_.local.relations.end() || !it->second.created) return RelationNotFound();
  return HookRelation{id, it->second.endpoint, it->second.remote_application, it->second.peer};
}

absl::StatusOr<std::vector<std::string>> UnitHookContext::RelationMembers(int64_t id) {
  auto rel = Relation(id);
  if (!rel.ok()) return rel.status();
  std::vector<std::string> members;
  if (auto it = p_.local.relations.find(id); it != p_.local.relations.end()) {
    for (const auto& [unit, version] : it->second.members) members.push_back(unit);
  }
  if (IsHookRelation(id)) {
    const auto& h = p_.hook.relation;
    if (h.kind == RelationHookKind::kJoined &&
        std::find(members.begin(), members.end(), h.remote_unit) == members.end()) {
      members.push_back(h.remote_unit);
    }
    if (h.kind == RelationHookKind::kDeparted) {
      members.erase(std::remove(members.begin(), members.end(), h.remote_unit), members.end());
    }
  }
  std::sort(members.begin(), members.end(), [](const std::string& a, const std::string& b) {
    return NaturalLess(a, b);
  });
  return members;
}

absl::StatusOr<std::map<std::string, std::string>> UnitHookContext::ReadSettings(int64_t id, const std::string& owner,
                                                                                 bool application) {
  auto rel = Relation(id);
  if (!rel.ok()) return rel.status();
  MutexLock lock(mu_);
  bool own_app = application && owner == p_.application;
  relations::Accessor who{p_.unit, p_.application, own_app && LeaderLocked()};
  relations::RelationSides sides{p_.application, rel->remote_application};
  if (absl::Status s = relations::CheckRead(who, sides, relations::BagOwner{owner, application}); !s.ok()) return s;

  auto fetched = FetchBagLocked(id, owner, application);
  if (!fetched.ok()) return fetched.status();
  std::map<std::string, std::string> bag = std::move(*fetched);
  bool own_bag = own_app || (!application && owner == p_.unit);
  if (own_bag) {
    if (auto pending = pending_.find({id, application}); pending != pending_.end()) {
      for (const auto& [k, v] : pending->second) {
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

absl::Status UnitHookContext::WriteSettings(int64_t id, bool application,
                                            const std::map<std::string, std::string>& values) {
  auto rel = Relation(id);
  if (!rel.ok()) return rel.status();
  MutexLock lock(mu_);
  relations::Accessor who{p_.unit, p_.application, application && LeaderLocked()};
  relations::RelationSides sides{p_.application, rel->remote_application};
  relations::BagOwner bag{application ? p_.application : p_.unit, application};
  if (absl::Status s = relations::CheckWrite(who, sides, bag); !s.ok()) return s;
  // The caps (lib/base/limits.h) are checked here, so that relation-set fails and the charm
  // sees why, rather than the whole hook failing when the controller refuses the commit.
  bool grows = false;
  for (const auto& [k, v] : values) {
    absl::Status within =
        limits::CheckSize(limits::kRelationValue, absl::StrCat("relation value \"", k, "\""), v.size());
    if (!within.ok()) return within;
    grows = grows || !v.empty();
  }
  std::map<std::string, std::string> pending = pending_[{id, application}];
  for (const auto& [k, v] : values) pending[k] = v;
  if (grows) {
    auto committed = FetchBagLocked(id, bag.name, application);
    // A relation the controller no longer shows (being broken, or removed meanwhile) has no bag
    // to add to: the write is buffered as before, and the commit skips it or checks it.
    if (absl::IsNotFound(committed.status()) || absl::IsPermissionDenied(committed.status())) {
      committed = std::map<std::string, std::string>();
    }
    if (!committed.ok()) return committed.status();
    std::string subject = absl::StrCat("the ", application ? "application" : "unit", " data bag of relation ", id);
    absl::Status within =
        limits::CheckSize(limits::kRelationBag, subject, limits::SettingsBytesAfter(*committed, pending));
    if (!within.ok()) return within;
    if (absl::Status s = CheckCommitSizeLocked({id, application}, pending, state_pending_); !s.ok()) return s;
  }
  pending_[{id, application}] = std::move(pending);
  return absl::OkStatus();
}

absl::Status UnitHookContext::CallController(const std::function<absl::Status()>& call) const {
  if (!p_.pause) return call();
  return rpc::RetryTransient(*p_.clock, rpc::kHookCallBudget, call, [this](Clock::Duration delay) {
    return p_.pause(std::chrono::duration_cast<std::chrono::milliseconds>(delay));
  });
}

absl::StatusOr<std::map<std::string, std::string>> UnitHookContext::FetchBagLocked(int64_t id, const std::string& owner,
                                                                                   bool application) {
  auto key = std::make_tuple(id, owner, application);
  auto cached = read_cache_.find(key);
  if (cached == read_cache_.end()) {
    auto fetched = CallController<std::map<std::string, std::string>>(
        [&] { return p_.client->ReadRelationSettings(id, owner, application); });
    if (!fetched.ok()) return fetched.status();
    cached = read_cache_.emplace(key, std::move(*fetched)).first;
  }
  return cached->second;
}

absl::Status UnitHookContext::CheckCommitSizeLocked(
    std::pair<int64_t, bool> bag, const std::map<std::string, std::string>& pending,
    const std::map<std::string, std::optional<std::string>>& state) const {
  size_t total = limits::SettingsBytes(pending);
  for (const auto& [key, values] : pending_) {
    if (key != bag) total += limits::SettingsBytes(values);
  }
  for (const auto& [key, value] : state) total += key.size() + (value ? value->size() : 0);
  return limits::CheckSize(limits::kHookCommit, "this hook's relation and state changes", total);
}

bool UnitHookContext::LeaderLocked() {
  if (minion_) return false;
  bool leader = p_.leader_now ? p_.leader_now() : p_.snapshot->leader();
  if (!leader) minion_ = true;
  return leader;
}

absl::StatusOr<bool> UnitHookContext::IsLeader() {
  MutexLock lock(mu_);
  return LeaderLocked();
}

nlohmann::json UnitHookContext::Config() const {
  if (!p_.snapshot || p_.snapshot->config_json().empty()) return nlohmann::json::object();
  nlohmann::json config = nlohmann::json::parse(p_.snapshot->config_json(), nullptr, /*allow_exceptions=*/false);
  return config.is_object() ? config : nlohmann::json::object();
}

absl::Status UnitHookContext::SetStatus(bool application, const StatusValue& status) {
  if (absl::Status s = limits::CheckSize(limits::kStatusMessage, "the status message", status.message.size());
      !s.ok()) {
    return s;
  }
  if (application) {
    MutexLock lock(mu_);
    if (!LeaderLocked()) return absl::PermissionDeniedError("this unit is not the leader");
  }
  std::string data = status.data.is_object() && !status.data.empty() ? status.data.dump() : "";
  absl::Status s = CallController([&] {
    return p_.client->SetStatus(application ? v1::SetStatusRequest::APPLICATION : v1::SetStatusRequest::WORKLOAD,
                                status.status, status.message, data);
  });
  if (s.ok() && !application) {
    MutexLock lock(mu_);
    workload_status_set_ = true;
  }
  return s;
}

absl::StatusOr<StatusValue> UnitHookContext::UnitStatus() {
  auto resp = CallController<v1::GetAgentStatusResponse>([&] { return p_.client->GetStatus(false); });
  if (!resp.ok()) return resp.status();
  return FromInfo(resp->unit());
}

absl::StatusOr<ApplicationStatusValue> UnitHookContext::ApplicationStatus() {
  {
    MutexLock lock(mu_);
    if (!LeaderLocked()) return absl::PermissionDeniedError("this unit is not the leader");
  }
  auto resp = CallController<v1::GetAgentStatusResponse>([&] { return p_.client->GetStatus(true); });
  if (!resp.ok()) return resp.status();
  ApplicationStatusValue value;
  value.application = FromInfo(resp->application());
  for (const auto& [unit, info] : resp->units()) value.units[unit] = FromInfo(info);
  return value;
}

absl::Status UnitHookContext::SetWorkloadVersion(const std::string& version) {
  if (absl::Status s = limits::CheckSize(limits::kApplicationVersion, "the application version", version.size());
      !s.ok()) {
    return s;
  }
  return CallController([&] { return p_.client->SetWorkloadVersion(version); });
}

void UnitHookContext::Log(const std::string& level, const std::string& message) {
  if (p_.log) p_.log(level, message);
}

v1::CommitHookRequest UnitHookContext::BuildCommit(int64_t commit_seq) const {
  MutexLock lock(mu_);
  v1::CommitHookRequest req;
  req.set_commit_seq(commit_seq);
  req.set_hook(hook_name_);
  for (const auto& [key, values] : pending_) {
    v1::RelationSettingsChange* change = req.add_relation_changes();
    change->set_relation_id(key.first);
    change->set_application(key.second);
    for (const auto& [k, v] : values) {
      if (v.empty()) {
        change->add_unset(k);
      } else {
        (*change->mutable_set())[k] = v;
      }
    }
  }
  AddStateChangesLocked(req);
  AddStorageChangesLocked(req);
  return req;
}

std::set<int64_t> UnitHookContext::AppWriteRelations() const {
  MutexLock lock(mu_);
  std::set<int64_t> ids;
  for (const auto& [key, values] : pending_) {
    if (key.second && !values.empty()) ids.insert(key.first);
  }
  return ids;
}

bool UnitHookContext::WorkloadStatusSet() const {
  MutexLock lock(mu_);
  return workload_status_set_;
}

}  // namespace skein::agent
