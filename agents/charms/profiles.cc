#include "agents/charms/profiles.h"

#include <map>

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;

using relations::interfaces::dashboard_links::Link;

json Job(std::vector<std::string> targets) {
  return json::array({json{{"metrics_path", "/metrics"}, {"static_configs", json::array({json{{"targets", targets}}})}}});
}

std::map<std::string, CharmProfile> BuildProfiles() {
  std::map<std::string, CharmProfile> p;
  auto add = [&p](CharmProfile profile) { p[profile.name] = std::move(profile); };
  // The COS charms speak traefik's ingress and other interfaces not recorded in the catalog.
  const std::set<std::string> cos_unhandled = {"ingress", "ingress-per-unit", "traefik-route"};

  add({.name = "admission-webhook", .port = 4443, .crds = {"poddefaults.kubeflow.org"}});
  add({.name = "argo-controller", .port = 8080, .scrape_jobs = Job({"*:9090"})});
  add({.name = "argo-server", .port = 2746});
  add({.name = "dex-auth", .port = 5556, .ingress = IngressRoute{"/dex", "/dex", false}, .scrape_jobs = Job({"*:5558"})});
  add({.name = "envoy",
       .port = 9090,
       .ingress = IngressRoute{"/ml_metadata", "/ml_metadata", false},
       .service_info_endpoints = {"grpc", "grpc-web"}});
  add({.name = "istio-gateway", .port = 8080, .scrape_jobs = Job({"*:9090"})});
  add({.name = "istio-pilot",
       .crds = {"envoyfilters.networking.istio.io", "gateways.networking.istio.io", "virtualservices.networking.istio.io"}});
  add({.name = "jupyter-controller", .port = 8080});
  add({.name = "jupyter-ui",
       .port = 5000,
       .ingress = IngressRoute{"/jupyter/", "/", false},
       .dashboard_links = {Link{"Notebooks", "/jupyter/", "menu", "book"}}});
  add({.name = "katib-controller", .port = 443, .service_info_endpoints = {"k8s-service-info"}});
  add({.name = "katib-db-manager", .port = 6789, .database = "katib", .service_info_endpoints = {"k8s-service-info"}});
  add({.name = "katib-ui",
       .port = 8080,
       .ingress = IngressRoute{"/katib/", "/katib/", false},
       .dashboard_links = {Link{"Katib Experiments", "/katib/", "menu", "kubeflow:katib"}}});
  add({.name = "kfp-api", .port = 8888, .database = "mlpipeline"});
  add({.name = "kfp-metadata-writer", .service_info_endpoints = {"grpc"}});
  add({.name = "kfp-persistence"});
  add({.name = "kfp-profile-controller", .port = 80});
  add({.name = "kfp-schedwf"});
  add({.name = "kfp-ui",
       .port = 3000,
       .ingress = IngressRoute{"/pipeline", "/pipeline", false},
       .dashboard_links = {Link{"Experiments (KFP)", "/pipeline/#/experiments", "menu", "done-all"},
                                       Link{"Pipelines", "/pipeline/#/pipelines", "menu", "kubeflow:pipeline-centered"},
                                       Link{"Runs", "/pipeline/#/runs", "menu", "maps:directions-run"},
                                       Link{"Recurring Runs", "/pipeline/#/recurringruns", "menu", "device:access-alarm"},
                                       Link{"Artifacts", "/pipeline/#/artifacts", "menu", "editor:bubble-chart"},
                                       Link{"Executions", "/pipeline/#/executions", "menu", "av:play-arrow"}}});
  add({.name = "kfp-viewer"});
  add({.name = "kfp-viz", .port = 8888});
  add({.name = "knative-eventing"});
  add({.name = "knative-operator", .scrape_jobs = Job({"*:9090"})});
  add({.name = "knative-serving"});
  add({.name = "kserve-controller", .port = 8080, .scrape_jobs = Job({"*:8080"})});
  add({.name = "kubeflow-dashboard",
       .port = 8082,
       .ingress = IngressRoute{"/", "/", false},
       .required_relations = {{"kubeflow-profiles", "Add required relation to kubeflow-profiles"}}});
  add({.name = "kubeflow-profiles",
       .port = 8081,
       .scrape_jobs = Job({"*:8080", "*:8081"}),
       .crds = {"profiles.kubeflow.org"}});
  add({.name = "kubeflow-roles"});
  add({.name = "kubeflow-volumes",
       .port = 5000,
       .ingress = IngressRoute{"/volumes", "/", false},
       .dashboard_links = {Link{"Volumes", "/volumes/", "menu", "device:storage"}}});
  add({.name = "metacontroller-operator", .scrape_jobs = Job({"*:9999"})});
  add({.name = "minio",
       .port = 9000,
       .scrape_jobs = json::array({json{{"job_name", "minio_metrics"},
                                        {"scrape_interval", "30s"},
                                        {"metrics_path", "/minio/v2/metrics/cluster"},
                                        {"static_configs", json::array({json{{"targets", {"*:{port}"}}}})}}})});
  add({.name = "mlflow-server",
       .port = 5000,
       .ingress = IngressRoute{"/mlflow/", "/", true},
       .dashboard_links = {Link{"MLflow", "/mlflow/", "external", "device:data-usage"}},
       .scrape_jobs = Job({"*:5000", "*:8000"}),
       .required_relations = {{"relational-db", "Please add relation to the database"}},
       .database = "mlflow"});
  add({.name = "mlmd", .port = 8080, .service_info_endpoints = {"grpc"}});
  add({.name = "mysql-k8s", .port = 3306, .scrape_jobs = Job({"*:9104"})});
  add({.name = "oidc-gatekeeper", .port = 8080, .ingress = IngressRoute{"/authservice", "/", false}});
  add({.name = "pvcviewer-operator", .port = 8080});
  add({.name = "resource-dispatcher", .port = 80});
  add({.name = "seldon-core", .port = 8080, .scrape_jobs = Job({"*:8080"})});
  add({.name = "tensorboard-controller", .port = 9443});
  add({.name = "tensorboards-web-app",
       .port = 5000,
       .ingress = IngressRoute{"/tensorboards", "/", false},
       .dashboard_links = {Link{"TensorBoards", "/tensorboards/", "menu", "assessment"}}});
  add({.name = "training-operator", .port = 8080, .scrape_jobs = Job({"*:8080"})});
  add({.name = "alertmanager-k8s", .port = 9093, .scrape_jobs = Job({"*:9093"}), .unhandled_endpoints = cos_unhandled});
  add({.name = "catalogue-k8s", .port = 80, .unhandled_endpoints = cos_unhandled});
  add({.name = "grafana-agent-k8s", .port = 12345, .unhandled_endpoints = cos_unhandled});
  add({.name = "grafana-k8s", .port = 3000, .scrape_jobs = Job({"*:3000"}), .unhandled_endpoints = cos_unhandled});
  add({.name = "loki-k8s", .port = 3100, .scrape_jobs = Job({"*:3100"}), .unhandled_endpoints = cos_unhandled});
  add({.name = "prometheus-k8s", .port = 9090, .scrape_jobs = Job({"*:9090"}), .unhandled_endpoints = cos_unhandled});
  add({.name = "traefik-k8s", .port = 80, .scrape_jobs = Job({"*:8082"}), .unhandled_endpoints = cos_unhandled});
  return p;
}

const std::map<std::string, CharmProfile>& Profiles() {
  static const auto* profiles = new std::map<std::string, CharmProfile>(BuildProfiles());
  return *profiles;
}

}  // namespace

CharmProfile ProfileFor(const std::string& charm_name) {
  auto it = Profiles().find(charm_name);
  if (it != Profiles().end()) return it->second;
  CharmProfile empty;
  empty.name = charm_name;
  return empty;
}

std::vector<std::string> ProfiledCharmNames() {
  std::vector<std::string> out;
  for (const auto& [name, profile] : Profiles()) out.push_back(name);
  return out;
}

}  // namespace skein::charms
