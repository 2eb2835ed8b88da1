// The common endpoint handling of StandardCharm: what each interface's real charm library
// writes and waits for (kubeflow-catalog §4). Leaders write application bags; every unit writes
// its own unit bag. A handler reports Waiting while the other side's data is missing, so a
// charm turns Active only when its related data is complete.

#include "absl/strings/str_cat.h"
#include "agents/charms/prometheus_config.h"
#include "agents/charms/standard_charm.h"
#include "relations/interfaces/mysql_client.h"
#include "relations/interfaces/prometheus_scrape.h"
#include "relations/interfaces/python_dump.h"
#include "relations/interfaces/sdi.h"

namespace skein::charms {
namespace {

using charm::Role;
using relations::interfaces::PythonJsonDumps;
namespace sdi = relations::interfaces::sdi;
namespace scrape = relations::interfaces::prometheus_scrape;
namespace mysql = relations::interfaces::mysql_client;

// SDI: write our versions (and data) as leader; negotiate with the remote side. Returns the
// remote data when `want_data` and it is there; reports Waiting/Blocked as the library would.
std::optional<nlohmann::ordered_json> SdiExchange(Reconcile& r, sdk::Relation& rel,
                                                  const std::vector<std::string>& versions,
                                                  const std::optional<nlohmann::ordered_json>& our_data, bool want_data,
                                                  const std::vector<std::string>& required = {}) {
  if (r.leader) {
    absl::Status s = rel.UpdateAppBag(sdi::WriteBag(versions, our_data));
    if (!s.ok()) r.Wait(absl::StrCat("cannot write ", rel.endpoint(), " relation data: ", s.message()));
  }
  sdk::Bag remote = rel.RemoteAppBag();
  auto negotiated = sdi::Negotiate(versions, remote);
  if (negotiated.outcome == sdi::Negotiation::kNoVersionsListed) {
    r.Wait(absl::StrCat("List of ", rel.endpoint(), " versions not found for apps: ", rel.remote_app()));
    return std::nullopt;
  }
  if (negotiated.outcome == sdi::Negotiation::kNoCompatibleVersions) {
    r.Block(absl::StrCat("No compatible ", rel.endpoint(), " versions found for apps: ", rel.remote_app()));
    return std::nullopt;
  }
  if (!want_data) return std::nullopt;
  auto data = sdi::ReadData(remote, required);
  if (!data.ok()) {
    r.Wait(absl::StrCat("Waiting for ", rel.endpoint(), " relation data"));
    return std::nullopt;
  }
  return *data;
}

void ObjectStorage(const charm::Endpoint& ep, Reconcile& r) {
  // Providers (minio) are their own charm; requirers read the provider's data.
  if (ep.role != Role::kRequires) return;
  for (auto& rel : r.model.Relations(ep.name)) {
    SdiExchange(r, rel, {"v1"}, std::nullopt, true, {"access-key", "secret-key", "service", "port"});
  }
}

void Ingress(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      SdiExchange(r, rel, {"v1", "v2"}, std::nullopt, false);
      continue;
    }
    std::optional<nlohmann::ordered_json> route;
    if (r.profile.ingress.has_value()) {
      const IngressRoute& ir = *r.profile.ingress;
      route = nlohmann::ordered_json{{"prefix", ir.prefix}};
      if (!ir.rewrite.empty()) (*route)["rewrite"] = ir.rewrite;
      (*route)["service"] = r.model.app();
      if (ir.send_namespace) (*route)["namespace"] = r.model.model_name();
      (*route)["port"] = r.profile.port;
    }
    SdiExchange(r, rel, {"v1"}, route, false);
  }
}

void IngressAuth(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      SdiExchange(r, rel, {"v1"}, std::nullopt, false);
      continue;
    }
    nlohmann::ordered_json data = {{"service", r.model.app()},
                                   {"port", r.profile.port},
                                   {"allowed-request-headers", {"cookie", "X-Auth-Token"}},
                                   {"allowed-response-headers", {"kubeflow-userid"}}};
    SdiExchange(r, rel, {"v1"}, data, false);
  }
}

// k8s-service in both forms: SDI (`service-name`/`service-port`) or mlops-libs'
// k8s_service_info (`svc_name`/`svc_port`).
void ServiceInfo(const charm::Endpoint& ep, Reconcile& r) {
  const bool info_form = r.profile.service_info_endpoints.count(ep.name) > 0;
  for (auto& rel : r.model.Relations(ep.name)) {
    if (info_form) {
      if (ep.role == Role::kProvides) {
        if (r.leader) {
          absl::Status s = rel.UpdateAppBag({{"svc_name", r.model.app()}, {"svc_port", std::to_string(r.profile.port)}});
          if (!s.ok()) return r.Wait(std::string(s.message()));
        }
      } else {
        sdk::Bag remote = rel.RemoteAppBag();
        if (!remote.count("svc_name") || !remote.count("svc_port")) {
          r.Wait(absl::StrCat("Waiting for ", ep.name, " relation data"));
        }
      }
      continue;
    }
    std::optional<nlohmann::ordered_json> data;
    if (ep.role == Role::kProvides) {
      data = nlohmann::ordered_json{{"service-name", r.model.app()},
                                    {"service-port", std::to_string(r.model.ConfigInt("port", r.profile.port))}};
    }
    SdiExchange(r, rel, {"v1"}, data, ep.role == Role::kRequires, {"service-name", "service-port"});
  }
}

void GatewayInfo(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kRequires) return;  // istio-pilot provides it in its own charm
  for (auto& rel : r.model.Relations(ep.name)) {
    sdk::Bag remote = rel.RemoteAppBag();
    if (!remote.count("gateway_name") || !remote.count("gateway_namespace")) {
      r.Wait("Waiting for gateway info relation data");
    }
  }
}

void DashboardLinks(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kRequires || !r.leader) return;
  for (auto& rel : r.model.Relations(ep.name)) {
    absl::Status s = rel.UpdateAppBag({{"dashboard_links", PythonJsonDumps(r.profile.dashboard_links)}});
    if (!s.ok()) r.Wait(std::string(s.message()));
  }
}

void MysqlClientRequirer(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kRequires) return;
  const std::string database = r.profile.database.empty() ? r.model.app() : r.profile.database;
  for (auto& rel : r.model.Relations(ep.name)) {
    if (r.leader) {
      absl::Status s = rel.UpdateAppBag(mysql::RequirerAppBag(database));
      if (!s.ok()) r.Wait(std::string(s.message()));
    }
    if (!mysql::SqlAlchemyUri(rel.RemoteAppBag(), database).ok()) {
      r.Wait(absl::StrCat("Incorrect data found in relation ", ep.name));
    }
  }
}

void ScrapeProvider(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kProvides) return;
  const std::string agent = r.model.substrate().AgentMetricsAddress();
  for (auto& rel : r.model.Relations(ep.name)) {
    if (r.leader) {
      nlohmann::ordered_json jobs = r.profile.scrape_jobs.is_null() ? scrape::DefaultJobs() : r.profile.scrape_jobs;
      scrape::Topology t{r.model.model_name(), r.model.model_uuid(), r.model.app(), r.model.unit(),
                         r.model.charm_name()};
      absl::Status s = rel.UpdateAppBag(scrape::ProviderAppBag(t, jobs, nlohmann::ordered_json::object()));
      if (!s.ok()) r.Wait(std::string(s.message()));
    }
    sdk::Bag unit_bag = scrape::ProviderUnitBag(r.model.UnitAddress(), r.model.unit());
    unit_bag[kAgentMetricsKey] = agent;  // empty deletes: an agent that serves none says so
    absl::Status s = rel.UpdateUnitBag(unit_bag);
    if (!s.ok()) r.Wait(std::string(s.message()));
  }
}

void LokiPush(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      const std::string address = r.model.UnitAddress();
      absl::Status s = rel.UpdateUnitBag(
          {{"endpoint", PythonJsonDumps({{"url", absl::StrCat("http://", address, ":3100/loki/api/v1/push")}})},
           {"public_address", address}});
      if (!s.ok()) r.Wait(std::string(s.message()));
    } else if (r.leader) {
      // LogForwarder's requirer side: the topology and the (empty) Loki alert rules.
      absl::Status s = rel.UpdateAppBag({{"metadata", PythonJsonDumps(Topology(r.model))},
                                         {"alert_rules", PythonJsonDumps(nlohmann::ordered_json::object())}});
      if (!s.ok()) r.Wait(std::string(s.message()));
    }
  }
}

void OidcClient(const charm::Endpoint& ep, Reconcile& r) {
  // oidc-gatekeeper registers itself as a client of dex (SDI); dex only lists versions.
  for (auto& rel : r.model.Relations(ep.name)) {
    std::optional<nlohmann::ordered_json> data;
    if (ep.role == Role::kProvides) {
      std::string secret = AppValue(r.model, "client-secret", [] { return RandomSecret(16); });
      data = nlohmann::ordered_json{{"id", "authservice-oidc"},
                                    {"name", "Ambassador Auth OIDC"},
                                    {"redirectURIs", {"/authservice/oidc/callback"}},
                                    {"secret", secret}};
    }
    SdiExchange(r, rel, {"v1"}, data, ep.role == Role::kRequires, {"id", "redirectURIs", "secret"});
  }
}

void DexOidcConfig(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      if (!r.leader) continue;
      absl::Status s = rel.UpdateAppBag(
          {{"issuer-url", absl::StrCat("http://", r.model.app(), ".", r.model.model_name(), ".svc:5556/dex")}});
      if (!s.ok()) r.Wait(std::string(s.message()));
    } else if (!rel.RemoteAppBag().count("issuer-url")) {
      r.Wait("Waiting for dex-oidc-config relation data");
    }
  }
}

}  // namespace

absl::Status ReconcileEndpoint(const charm::Endpoint& endpoint, Reconcile& r) {
  const std::string& i = endpoint.interface;
  if (i == "object-storage") {
    ObjectStorage(endpoint, r);
  } else if (i == "ingress") {
    Ingress(endpoint, r);
  } else if (i == "ingress-auth") {
    IngressAuth(endpoint, r);
  } else if (i == "k8s-service" || i == "grpc") {
    ServiceInfo(endpoint, r);
  } else if (i == "istio-gateway-info") {
    GatewayInfo(endpoint, r);
  } else if (i == "kubeflow_dashboard_links") {
    DashboardLinks(endpoint, r);
  } else if (i == "mysql_client") {
    MysqlClientRequirer(endpoint, r);
  } else if (i == "prometheus_scrape") {
    ScrapeProvider(endpoint, r);
  } else if (i == "loki_push_api") {
    LokiPush(endpoint, r);
  } else if (i == "oidc-client") {
    OidcClient(endpoint, r);
  } else if (i == "dex-oidc-config") {
    DexOidcConfig(endpoint, r);
  }
  // Interfaces whose contracts are not recorded in the catalog (serving-local-gateway,
  // grafana_datasource, catalogue, ingress_per_unit, ...) get no data from the common code.
  return absl::OkStatus();
}

}  // namespace skein::charms
