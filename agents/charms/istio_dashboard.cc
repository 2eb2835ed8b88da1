// istio-pilot and kubeflow-dashboard, the two charms that turn what their requirers send into
// Kubernetes objects in the model's namespace: one VirtualService per ingress route, the
// Gateway and the ext_authz EnvoyFilter (kubeflow-catalog §4.7); the dashboard's links
// ConfigMap (§4.8).

#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "relations/interfaces/dashboard_links.h"
#include "relations/interfaces/gateway_info.h"
#include "relations/interfaces/ingress.h"
#include "relations/interfaces/k8s_service.h"
#include "relations/interfaces/python_dump.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace ingress = relations::interfaces::ingress;
namespace ingress_auth = relations::interfaces::ingress_auth;
namespace k8s_service = relations::interfaces::k8s_service;
namespace gateway_info = relations::interfaces::gateway_info;
namespace dashboard_links = relations::interfaces::dashboard_links;

json VirtualService(const ingress::Route& route, const std::string& model, const std::string& gateway) {
  return json{
      {"apiVersion", "networking.istio.io/v1alpha3"},
      {"kind", "VirtualService"},
      {"metadata", {{"name", route.service}, {"namespace", model}}},
      {"spec",
       {{"gateways", json::array({absl::StrCat(model, "/", gateway)})},
        {"hosts", json::array({"*"})},
        {"http", json::array({json{{"match", json::array({json{{"uri", {{"prefix", route.prefix}}}}})},
                                   {"rewrite", {{"uri", ingress::EffectiveRewrite(route)}}},
                                   {"route", json::array({json{{"destination",
                                                                {{"host", ingress::DestinationHost(route, model)},
                                                                 {"port", {{"number", route.port}}}}}}})}}})}}}};
}

json EnvoyFilter(const ingress_auth::AuthService& auth, const std::string& name, const std::string& model) {
  const std::string uri = absl::StrCat("http://", auth.service, ".", model, ".svc.cluster.local:", auth.port);
  json ext_authz = {{"name", "envoy.filters.http.ext_authz"},
                    {"typed_config",
                     {{"http_service",
                       {{"server_uri", {{"uri", uri}}},
                        {"authorization_request", {{"allowed_headers", auth.allowed_request_headers}}},
                        {"authorization_response", {{"allowed_upstream_headers", auth.allowed_response_headers}}}}}}}};
  return json{{"apiVersion", "networking.istio.io/v1alpha3"},
              {"kind", "EnvoyFilter"},
              {"metadata", {{"name", name}, {"namespace", model}}},
              {"spec",
               {{"workloadSelector", {{"labels", {{"istio", "ingressgateway"}}}}},
                {"configPatches", json::array({json{{"applyTo", "HTTP_FILTER"},
                                                    {"patch", {{"operation", "INSERT_BEFORE"}, {"value", ext_authz}}}}})}}}};
}

class IstioPilot : public StandardCharm {
 public:
  IstioPilot() : StandardCharm(ProfileFor("istio-pilot")) {}

 protected:
  bool HandlesEndpoint(const charm::Endpoint& ep) const override {
    return ep.name != "ingress" && ep.name != "ingress-auth" && ep.name != "istio-pilot" && ep.name != "gateway-info";
  }

  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    const std::string model = r.model.model_name();
    const std::string gateway = r.model.ConfigString("default-gateway", "istio-gateway");
    if (r.leader) {
      absl::Status s = UpdateAppBags(r.model, "ingress", ingress::ProviderAppBag());
      if (s.ok()) s = UpdateAppBags(r.model, "ingress-auth", ingress_auth::ProviderAppBag());
      if (!s.ok()) return s;
    }
    std::vector<sdk::K8sObject> objects;
    for (auto& rel : r.model.Relations("ingress")) {
      auto route = ingress::ReadRoute(rel.RemoteAppBag());
      if (route.ok()) objects.push_back({VirtualService(*route, model, gateway), ""});
    }
    bool auth_missing = false;
    for (auto& rel : r.model.Relations("ingress-auth")) {
      auto auth = ingress_auth::ReadAuthService(rel.RemoteAppBag());
      if (!auth.ok()) {
        auth_missing = true;
        continue;
      }
      objects.push_back({EnvoyFilter(*auth, r.model.app() + "-authn-filter", model), ""});
    }
    // Without valid auth data the Gateway is removed, so nothing is exposed unauthenticated.
    if (!auth_missing) {
      objects.push_back({json{{"apiVersion", "networking.istio.io/v1beta1"},
                              {"kind", "Gateway"},
                              {"metadata", {{"name", gateway}, {"namespace", model}}},
                              {"spec",
                               {{"selector", {{"istio", "ingressgateway"}}},
                                {"servers", json::array({json{{"hosts", json::array({"*"})},
                                                              {"port", {{"name", "http"}, {"number", 8080}, {"protocol", "HTTP"}}}}})}}}},
                         ""});
    } else {
      r.Wait("Waiting for auth provider relation data");
    }
    if (r.leader) {
      absl::Status s = UpdateAppBags(r.model, "istio-pilot",
                                     k8s_service::ProviderSdiBag({absl::StrCat("istiod.", model, ".svc"), "15012"}));
      if (s.ok()) s = UpdateAppBags(r.model, "gateway-info", gateway_info::ProviderAppBag({gateway, model, !auth_missing}));
      if (s.ok()) s = r.model.substrate().ApplyManifests("ingress", objects);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
};

class KubeflowDashboard : public StandardCharm {
 public:
  KubeflowDashboard() : StandardCharm(ProfileFor("kubeflow-dashboard")) {}

 protected:
  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    // Upstream refuses any other model (kubeflow/kubeflow#6136): the dashboard's links and
    // profile lookups assume the `kubeflow` namespace.
    if (r.model.model_name() != "kubeflow") {
      r.Block("kubeflow-dashboard must be deployed to model named `kubeflow`: https://git.io/J6d35");
      return absl::OkStatus();
    }
    if (!r.leader) return absl::OkStatus();
    std::map<std::string, std::vector<json>> by_location = {
        {"menu", {}}, {"external", {}}, {"quick", {}}, {"documentation", {}}};
    for (auto& rel : r.model.Relations("links")) {
      auto links = dashboard_links::ReadLinks(rel.RemoteAppBag());
      if (!links.ok()) continue;  // the upstream dashboard skips an app's invalid links too
      for (const auto& l : *links) {
        if (by_location.count(l.location)) by_location[l.location].push_back(dashboard_links::ToJson(l));
      }
    }
    for (auto& [location, links] : by_location) {
      json extra = json::parse(r.model.ConfigString(absl::StrCat("additional-", location, "-links"), "[]"), nullptr, false);
      if (extra.is_array()) {
        for (const auto& l : extra) links.push_back(l);
      }
    }
    auto order = [&](const std::string& location, const std::vector<std::string>& fallback) {
      json o = json::parse(r.model.ConfigString(absl::StrCat(location, "-link-order"), json(fallback).dump()), nullptr, false);
      std::vector<std::string> names;
      if (o.is_array()) {
        for (const auto& n : o) {
          if (n.is_string()) names.push_back(n.get<std::string>());
        }
      }
      return json(dashboard_links::Ordered(by_location[location], names));
    };
    json links = {{"menuLinks", order("menu", dashboard_links::DefaultMenuOrder())},
                  {"externalLinks", order("external", {"MLflow"})},
                  {"quickLinks", order("quick", {})},
                  {"documentationItems", order("documentation", {})}};
    json configmap = {{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata",
                       {{"name", r.model.ConfigString("dashboard-configmap", "centraldashboard-config")},
                        {"namespace", r.model.model_name()}}},
                      {"data",
                       {{"links", relations::interfaces::PythonJsonDumps(links)},
                        {"settings", "{'DASHBOARD_FORCE_IFRAME': true}"}}}};
    return r.model.substrate().ApplyManifests("links", {{configmap, ""}});
  }
};

}  // namespace

std::unique_ptr<sdk::Charm> NewIstioPilot() { return std::make_unique<IstioPilot>(); }
std::unique_ptr<sdk::Charm> NewKubeflowDashboard() { return std::make_unique<KubeflowDashboard>(); }

}  // namespace skein::charms
