// kserve-controller and knative-serving, the serving pair of the Kubeflow bundles:
// knative-serving shares its local gateway (and the Istio ingress gateway it uses) through the
// istio_gateway_info library; kserve-controller needs istio-pilot's ingress gateway, and in
// serverless mode knative's local gateway, and — once related to an object store — sends the
// `<app>-s3` Secret and ServiceAccount to resource-dispatcher so every profile namespace can
// pull models from it (kubeflow-catalog §4.3).

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "relations/interfaces/gateway_info.h"
#include "relations/interfaces/object_storage.h"

namespace skein::charms {

using json = nlohmann::ordered_json;
namespace gateway_info = relations::interfaces::gateway_info;
namespace object_storage = relations::interfaces::object_storage;

json KserveS3Secret(const std::string& app, const object_storage::Credentials& storage,
                    const std::string& default_namespace) {
  // The values kserve-controller's charm fixes for MinIO (no TLS, the default region, signed
  // requests), as its secret template renders them: every annotation is a string.
  return json{{"apiVersion", "v1"},
              {"kind", "Secret"},
              {"metadata",
               {{"name", app + "-s3"},
                {"annotations",
                 {{"serving.kserve.io/s3-endpoint", object_storage::S3Endpoint(storage, default_namespace, false)},
                  {"serving.kserve.io/s3-usehttps", "0"},
                  {"serving.kserve.io/s3-region", "us-east-1"},
                  {"serving.kserve.io/s3-useanoncredential", "false"}}}}},
              {"type", "Opaque"},
              {"stringData", {{"AWS_ACCESS_KEY_ID", storage.access_key}, {"AWS_SECRET_ACCESS_KEY", storage.secret_key}}}};
}

json KserveS3ServiceAccount(const std::string& app) {
  return json{{"apiVersion", "v1"},
              {"kind", "ServiceAccount"},
              {"metadata", {{"name", app + "-s3"}}},
              {"secrets", json::array({json{{"name", app + "-s3"}}})}};
}

namespace {

class KnativeServing : public StandardCharm {
 public:
  KnativeServing() : StandardCharm(ProfileFor("knative-serving")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override {
    return ep.name != "local-gateway" && ep.name != "ingress-gateway";
  }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    const std::string serving_namespace = r.model.ConfigString("namespace");
    if (serving_namespace.empty()) {
      r.Block("Config item `namespace` must be set");
      return absl::OkStatus();
    }
    if (!r.leader) return absl::OkStatus();
    // The local gateway's name is fixed by knative's own KnativeServing template.
    absl::Status s = UpdateAppBags(
        r.model, "local-gateway", gateway_info::ProviderAppBag({gateway_info::kKnativeLocalGateway, serving_namespace, true}));
    if (!s.ok()) return s;
    return UpdateAppBags(r.model, "ingress-gateway",
                         gateway_info::ProviderAppBag({r.model.ConfigString("istio.gateway.name"),
                                                       r.model.ConfigString("istio.gateway.namespace"), true}));
  }
};

class KserveController : public StandardCharm {
 public:
  KserveController() : StandardCharm(ProfileFor("kserve-controller")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override {
    return ep.name != "ingress-gateway" && ep.name != "local-gateway" && ep.name != "object-storage" &&
           ep.name != "secrets" && ep.name != "service-accounts";
  }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    CheckGateways(r);
    if (r.leader) {
      absl::Status s = UpdateAppBags(r.model, "object-storage", object_storage::RequirerAppBag());
      if (!s.ok()) return s;
    }
    std::optional<object_storage::Credentials> storage;
    for (auto& rel : r.model.Relations("object-storage")) {
      auto credentials = object_storage::ReadCredentials(rel.RemoteAppBag());
      if (credentials.ok()) {
        storage = *credentials;
      } else {
        r.Wait("Waiting for object-storage relation data");
      }
    }
    // Upstream sends the manifests only after its gateways are known, and only with an object
    // store: without one there are no credentials to hand out.
    if (!storage.has_value() || !r.status.empty() || !r.leader) return absl::OkStatus();
    const json secrets = json::array({KserveS3Secret(r.model.app(), *storage, r.model.model_name())});
    const json accounts = json::array({KserveS3ServiceAccount(r.model.app())});
    // kserve 0.13 requires kubernetes_manifest (2.0 form); 0.11 provides the SDI 1.0 form.
    absl::Status s = SendManifests(r.model, "secrets", secrets);
    return s.ok() ? SendManifests(r.model, "service-accounts", accounts) : s;
  }

 private:
  // The upstream charm's gateway checks: istio-pilot's gateway always, knative's local gateway
  // in serverless mode. Charm revisions without `deployment-mode` (0.10) use no local gateway.
  void CheckGateways(Reconcile& r) {
    if (r.model.metadata().FindEndpoint("ingress-gateway") != nullptr) {
      auto relations = r.model.Relations("ingress-gateway");
      if (relations.empty()) {
        r.Block("Please relate to istio-pilot:gateway-info");
      } else if (!gateway_info::Read(relations.front().RemoteAppBag()).ok()) {
        r.Wait("Waiting for ingress gateway data.");
      }
    }
    const std::string mode = absl::AsciiStrToLower(r.model.ConfigString("deployment-mode"));
    if (mode.empty() || mode == "rawdeployment") return;
    if (mode != "serverless") {
      r.Block("Please set deployment-mode to either Serverless or RawDeployment");
      return;
    }
    auto relations = r.model.Relations("local-gateway");
    if (relations.empty()) {
      r.Block("Please relate to knative-serving:local-gateway");
    } else if (!gateway_info::Read(relations.front().RemoteAppBag()).ok()) {
      r.Wait("Waiting for local gateway data.");
    }
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewKnativeServing() { return std::make_unique<KnativeServing>(); }
std::unique_ptr<sdk::Charm> NewKserveController() { return std::make_unique<KserveController>(); }

}  // namespace skein::charms
