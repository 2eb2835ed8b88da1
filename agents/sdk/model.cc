#include "agents/sdk/model.h"

namespace skein::sdk {

std::vector<std::string> Relation::RemoteUnits() const {
  auto members = ctx_->RelationMembers(r_.id);
  return members.ok() ? *members : std::vector<std::string>{};
}

Bag Relation::Read(const std::string& owner, bool application) const {
  auto bag = ctx_->ReadSettings(r_.id, owner, application);
  return bag.ok() ? *bag : Bag{};
}

Bag Relation::RemoteAppBag() const { return r_.remote_application.empty() ? Bag{} : Read(r_.remote_application, true); }
Bag Relation::RemoteUnitBag(const std::string& unit) const { return Read(unit, false); }
Bag Relation::LocalAppBag() const { return Read(ctx_->ApplicationName(), true); }
Bag Relation::LocalUnitBag() const { return Read(ctx_->UnitName(), false); }

namespace {

Bag Changed(const Bag& current, const Bag& wanted) {
  Bag out;
  for (const auto& [k, v] : wanted) {
    auto it = current.find(k);
    if (v.empty() ? it != current.end() : (it == current.end() || it->second != v)) out[k] = v;
  }
  return out;
}

}  // namespace

absl::Status Relation::UpdateAppBag(const Bag& values) {
  Bag changed = Changed(LocalAppBag(), values);
  if (changed.empty()) return absl::OkStatus();
  return ctx_->WriteSettings(r_.id, true, changed);
}

absl::Status Relation::UpdateUnitBag(const Bag& values) {
  Bag changed = Changed(LocalUnitBag(), values);
  if (changed.empty()) return absl::OkStatus();
  return ctx_->WriteSettings(r_.id, false, changed);
}

bool Model::IsLeader() {
  auto leader = ctx_->IsLeader();
  return leader.ok() && *leader;
}

std::string Model::ConfigString(const std::string& key, const std::string& fallback) const {
  nlohmann::json config = ctx_->Config();
  if (!config.contains(key)) return fallback;
  const auto& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

int64_t Model::ConfigInt(const std::string& key, int64_t fallback) const {
  nlohmann::json config = ctx_->Config();
  if (!config.contains(key) || !config[key].is_number()) return fallback;
  return config[key].get<int64_t>();
}

bool Model::ConfigBool(const std::string& key, bool fallback) const {
  nlohmann::json config = ctx_->Config();
  if (!config.contains(key) || !config[key].is_boolean()) return fallback;
  return config[key].get<bool>();
}

std::vector<Relation> Model::Relations(const std::string& endpoint) const {
  std::vector<Relation> out;
  for (const auto& r : ctx_->Relations()) {
    if (r.endpoint == endpoint) out.emplace_back(ctx_, r);
  }
  return out;
}

std::string Model::UnitAddress() const {
  auto address = ctx_->UnitAddress(false);
  return address.ok() ? *address : "127.0.0.1";
}

}  // namespace skein::sdk
