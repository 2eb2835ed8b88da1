// istio-pilot and kubeflow-dashboard, the two charms that turn what their requirers send into
// Kubernetes objects in the model's namespace: one VirtualService per ingress route, the
// Gateway and the ext_authz EnvoyFilter (kubeflow-catalog §4.7); the dashboard's links
// ConfigMap (§4.8).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agents/charms/charms.h"
#include "agents/charms/profiles.h"
#include "relations/interfaces/python_dump.h"
#include "relations/interfaces/sdi.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace sdi = relations::interfaces::sdi;

json VirtualService(const json& route, const std::string& model, const std::string& gateway) {
  const std::string service = route["service"].get<std::string>();
  const std::string ns = route.contains("namespace") && route["namespace"].is_string()
                             ? route["namespace"].get<std::string>()
                             : model;
  const std::string prefix = route["prefix"].get<std::string>();
  const std::string rewrite =
      route.contains("rewrite") && route["rewrite"].is_string() ? route["rewrite"].get<std::string>() : prefix;
  return json{
      {"apiVersion", "networking.istio.io/v1alpha3"},
      {"kind", "VirtualService"},
      {"metadata", {{"name", service}, {"namespace", model}}},
      {"spec",
       {{"gateways", json::array({absl::StrCat(model, "/", gateway)})},
        {"hosts", json::array({"*"})},
        {"http", json::array({json{
                     {"match", json::array({json{{"uri", {{"prefix", prefix}}}}})},
                     {"rewrite", {{"uri", rewrite}}},
                     {"route", json::array({json{{"destination",
                                                  {{"host", absl::StrCat(service, ".", ns, ".svc.cluster.local")},
                                                   {"port", {{"number", route["port"]}}}}}}})}}})}}}};
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
    std::vector<sdk::K8sObject> objects;
    for (auto& rel : r.model.Relations("ingress")) {
      if (r.leader) {
        absl::Status s = rel.UpdateAppBag(sdi::WriteBag({"v1", "v2"}, std::nullopt));
        if (!s.ok()) return s;
      }
      auto route = sdi::ReadData(rel.RemoteAppBag(), {"service", "port", "prefix"});
      if (route.ok()) objects.push_back({VirtualService(*route, model, gateway), ""});
    }
    bool auth_missing = false;
    for (auto& rel : r.model.Relations("ingress-auth")) {
      if (r.leader) {
        absl::Status s = rel.UpdateAppBag(sdi::WriteBag({"v1"}, std::nullopt));
        if (!s.ok()) return s;
      }
      auto auth = sdi::ReadData(rel.RemoteAppBag(), {"service", "port"});
      if (!auth.ok()) {
        auth_missing = true;
        continue;
      }
      objects.push_back(
          {json{{"apiVersion", "networking.istio.io/v1alpha3"},
                {"kind", "EnvoyFilter"},
                {"metadata", {{"name", r.model.app() + "-authn-filter"}, {"namespace", model}}},
                {"spec",
                 {{"workloadSelector", {{"labels", {{"istio", "ingressgateway"}}}}},
                  {"configPatches",
                   json::array({json{{"applyTo", "HTTP_FILTER"},
                                     {"patch",
                                      {{"operation", "INSERT_BEFORE"},
                                       {"value",
                                        {{"name", "envoy.filters.http.ext_authz"},
                                         {"typed_config",
                                          {{"http_service",
                                            {{"server_uri",
                                              {{"uri", absl::StrCat("http://", (*auth)["service"].get<std::string>(), ".",
                                                                    model, ".svc.cluster.local:", (*auth)["port"].dump())}}},
                                             {"authorization_request",
                                              {{"allowed_headers", (*auth).value("allowed-request-headers", json::array())}}},
                                             {"authorization_response",
                                              {{"allowed_upstream_headers",
                                                (*auth).value("allowed-response-headers", json::array())}}}}}}}}}}}}})}}}},
           ""});
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
      for (auto& rel : r.model.Relations("istio-pilot")) {
        json data = {{"service-name", absl::StrCat("istiod.", model, ".svc")}, {"service-port", "15012"}};
        absl::Status s = rel.UpdateAppBag(sdi::WriteBag({"v1"}, data));
        if (!s.ok()) return s;
      }
      for (auto& rel : r.model.Relations("gateway-info")) {
        absl::Status s = rel.UpdateAppBag(
            {{"gateway_name", gateway}, {"gateway_namespace", model}, {"gateway_up", auth_missing ? "false" : "true"}});
        if (!s.ok()) return s;
      }
      absl::Status s = r.model.substrate().ApplyManifests("ingress", objects);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
};

// Orders links by the names in `order` first (in that order), then the rest as they came.
json Ordered(const json& links, const json& order) {
  std::vector<json> in(links.begin(), links.end());
  std::vector<json> out;
  if (order.is_array()) {
    for (const auto& name : order) {
      auto it = std::find_if(in.begin(), in.end(), [&](const json& l) { return l.value("text", "") == name; });
      if (it != in.end()) {
        out.push_back(*it);
        in.erase(it);
      }
    }
  }
  out.insert(out.end(), in.begin(), in.end());
  return json(out);
}

class KubeflowDashboard : public StandardCharm {
 public:
  KubeflowDashboard() : StandardCharm(ProfileFor("kubeflow-dashboard")) {}

 protected:
  absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) override {
    if (!r.leader) return absl::OkStatus();
    std::map<std::string, json> by_location = {{"menu", json::array()},
                                               {"external", json::array()},
                                               {"quick", json::array()},
                                               {"documentation", json::array()}};
    for (auto& rel : r.model.Relations("links")) {
      auto bag = rel.RemoteAppBag();
      auto it = bag.find("dashboard_links");
      if (it == bag.end()) continue;
      json links = json::parse(it->second, nullptr, false);
      if (!links.is_array()) continue;
      for (const auto& l : links) {
        const std::string location = l.value("location", "menu");
        if (by_location.count(location)) by_location[location].push_back(l);
      }
    }
    for (auto& [location, links] : by_location) {
      json extra = json::parse(r.model.ConfigString(absl::StrCat("additional-", location, "-links"), "[]"), nullptr, false);
      if (extra.is_array()) {
        for (const auto& l : extra) links.push_back(l);
      }
    }
    const json default_menu = {"Notebooks", "TensorBoards", "Volumes", "Katib Experiments", "Pipelines",
                               "Experiments (KFP)", "Runs", "Recurring Runs", "Artifacts", "Executions"};
    auto order = [&](const std::string& location, const json& fallback) {
      json o = json::parse(r.model.ConfigString(absl::StrCat(location, "-link-order"), fallback.dump()), nullptr, false);
      return Ordered(by_location[location], o);
    };
    json links = {{"menuLinks", order("menu", default_menu)},
                  {"externalLinks", order("external", json::array({"MLflow"}))},
                  {"quickLinks", order("quick", json::array())},
                  {"documentationItems", order("documentation", json::array())}};
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
