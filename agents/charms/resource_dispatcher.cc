// resource-dispatcher (kubeflow-catalog §4.3): gathers the Kubernetes objects every related
// application sends on `secrets`, `service-accounts` and `pod-defaults` and keeps them applied
// in every namespace labelled `<target_namespace_label>: "true"`. On Kubernetes a
// DecoratorController and the dispatcher's web hook do that; on the local substrate the charm
// applies each object as a decoration of labelled namespaces, which the substrate expands for
// every such namespace, those created later included.

#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "relations/interfaces/kubernetes_manifests.h"
#include "relations/interfaces/sdi.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace km = relations::interfaces::kubernetes_manifests;
namespace sdi = relations::interfaces::sdi;

constexpr const char* kEndpoints[] = {"secrets", "service-accounts", "pod-defaults"};

class ResourceDispatcher : public StandardCharm {
 public:
  ResourceDispatcher() : StandardCharm(ProfileFor("resource-dispatcher")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override {
    for (const char* name : kEndpoints) {
      if (ep.name == name) return false;
    }
    return true;
  }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    const std::string label = r.model.ConfigString("target_namespace_label", "user.kubeflow.org/enabled");
    for (const char* endpoint : kEndpoints) {
      const charm::Endpoint* ep = r.model.metadata().FindEndpoint(endpoint);
      if (ep == nullptr) continue;
      // The 2.0 dispatcher provides the endpoint and reads `kubernetes_manifests`; the 1.0 one
      // requires it and reads the SDI `data` of the sending side.
      const bool sdi_form = ep->role == charm::Role::kRequires;
      std::vector<json> lists;
      for (auto& rel : r.model.Relations(endpoint)) {
        sdk::Bag remote = rel.RemoteAppBag();
        if (sdi_form) {
          if (r.leader) {
            absl::Status s = rel.UpdateAppBag(sdi::WriteBag({"v1"}, std::nullopt));
            if (!s.ok()) return s;
          }
          auto list = km::ReadSdiBag(endpoint, remote);
          if (list.ok()) lists.push_back(*list);
          continue;
        }
        auto list = km::ReadBag(remote);
        if (!list.ok()) {
          r.model.context().Log("ERROR", absl::StrCat("invalid manifests from ", rel.remote_app(), ": ", list.status().message()));
          r.Block(km::kInvalidManifestMessage);
          continue;
        }
        lists.push_back(*list);
      }
      auto gathered = km::Gather(lists);
      if (!gathered.ok()) {
        r.model.context().Log("ERROR", absl::StrCat("endpoint ", endpoint, ": two manifests share a name"));
        r.Block(std::string(gathered.status().message()));
        continue;  // what was applied stays, as upstream keeps its files
      }
      if (!r.leader) continue;
      std::vector<sdk::K8sObject> objects;
      for (const auto& manifest : *gathered) objects.push_back({manifest, label});
      absl::Status s = r.model.substrate().ApplyManifests(endpoint, objects);
      if (!s.ok()) {
        r.model.context().Log("ERROR", std::string(s.message()));
        r.Block(km::kInvalidManifestMessage);
      }
    }
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewResourceDispatcher() { return std::make_unique<ResourceDispatcher>(); }

}  // namespace skein::charms
