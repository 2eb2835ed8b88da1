#include "agents/charms/standard_charm.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "agents/charms/crds.h"
#include "relations/interfaces/kubernetes_manifests.h"

namespace skein::charms {

using charm::Role;
namespace km = relations::interfaces::kubernetes_manifests;

std::string RandomSecret(size_t length) {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string out;
  for (size_t i = 0; i < length; ++i) out.push_back(kAlphabet[pick(rd)]);
  return out;
}

std::string AppValue(sdk::Model& model, const std::string& key, const std::function<std::string()>& make) {
  auto settings = model.context().LeaderGet();
  if (settings.ok()) {
    auto it = settings->find(key);
    if (it != settings->end() && !it->second.empty()) return it->second;
  }
  if (!model.IsLeader()) return "";
  std::string value = make();
  if (!model.context().LeaderSet({{key, value}}).ok()) return "";
  return value;
}

absl::Status UpdateAppBags(sdk::Model& model, const std::string& endpoint, const sdk::Bag& bag) {
  for (auto& rel : model.Relations(endpoint)) {
    absl::Status s = rel.UpdateAppBag(bag);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status SendManifests(sdk::Model& model, const std::string& endpoint, const nlohmann::ordered_json& manifests) {
  const charm::Endpoint* ep = model.metadata().FindEndpoint(endpoint);
  if (ep == nullptr) return absl::OkStatus();
  return UpdateAppBags(model, endpoint,
                       ep->role == Role::kRequires ? km::WriteBag(manifests) : km::WriteSdiBag(endpoint, manifests));
}

nlohmann::ordered_json Topology(sdk::Model& model, bool with_unit) {
  nlohmann::ordered_json t = {{"model", model.model_name()}, {"model_uuid", model.model_uuid()},
                              {"application", model.app()}};
  if (with_unit) t["unit"] = model.unit();
  t["charm_name"] = model.charm_name();
  return t;
}

absl::Status StandardCharm::ApplyCrds(sdk::Model& model) {
  std::vector<sdk::K8sObject> objects;
  for (const std::string& name : profile_.crds) {
    auto crd = Crd(name);
    if (!crd.ok()) return crd.status();
    objects.push_back({std::move(*crd), ""});
  }
  return model.substrate().ApplyManifests(kCrdSet, objects);
}

void StandardCharm::Setup(sdk::Framework& framework, sdk::Model& model) {
  framework.ObserveAll([this, &model](const sdk::Event& event) { return OnEvent(event, model); });
  SetupActions(framework, model);
  framework.ObserveCollectUnitStatus([this](sdk::StatusCollector& status) {
    if (result_.has_value()) status.Add(*result_);
  });
}

absl::Status StandardCharm::OnEvent(const sdk::Event& event, sdk::Model& model) {
  if (event.kind == sdk::EventKind::kStop || event.kind == sdk::EventKind::kRemove) {
    if (model.substrate().CanRunWorkloads()) {
      absl::Status stopped = model.substrate().ReplanWorkload({});
      if (!stopped.ok()) return stopped;
    }
    return Teardown(event, model);
  }
  if (event.removal == agent::RemovalReason::kUnitRemoved) {
    // Only this unit goes (remove-unit, scale to zero) and the application stays: the relation
    // hooks of its teardown must not reconcile as if the relations were gone, which would
    // delete what the application shares (its objects, the manifests it dispatched to every
    // profile namespace) until another unit puts them back.
    return absl::OkStatus();
  }
  // An action reconciles too (ops charms commonly do), but its outcome is the action's.
  Reconcile r{model, profile_, model.IsLeader(), {}};
  if (r.leader && !profile_.crds.empty()) {
    absl::Status s = ApplyCrds(model);
    if (!s.ok()) return s;
  }
  for (const auto& [name, endpoint] : model.metadata().endpoints) {
    if (endpoint.role == Role::kPeers || profile_.unhandled_endpoints.count(name) || !HandlesEndpoint(endpoint)) {
      continue;
    }
    auto required = profile_.required_relations.find(name);
    if (required != profile_.required_relations.end() && model.Relations(name).empty()) {
      r.Block(required->second);
      continue;
    }
    absl::Status s = ReconcileEndpoint(endpoint, r);
    if (!s.ok()) return s;
  }
  absl::Status s = ReconcileCharm(event, r);
  if (!s.ok()) return s;
  result_ = r.status.empty() ? sdk::Active(ActiveMessage(r)) : r.status.Winner();
  return absl::OkStatus();
}

}  // namespace skein::charms
