// The common endpoint handling of StandardCharm: what each interface's real charm library
// writes and waits for (kubeflow-catalog §4). Leaders write application bags; every unit writes
// its own unit bag. A handler reports Waiting while the other side's data is missing, so a
// charm turns Active only when its related data is complete.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "agents/charms/dashboards.h"
#include "agents/charms/prometheus_config.h"
#include "agents/charms/standard_charm.h"
#include "relations/interfaces/dashboard_links.h"
#include "relations/interfaces/dex_oidc.h"
#include "relations/interfaces/gateway_info.h"
#include "relations/interfaces/grafana_dashboard.h"
#include "relations/interfaces/ingress.h"
#include "relations/interfaces/k8s_service.h"
#include "relations/interfaces/loki_push_api.h"
#include "relations/interfaces/mysql_client.h"
#include "relations/interfaces/object_storage.h"
#include "relations/interfaces/prometheus_scrape.h"
#include "relations/interfaces/sdi.h"

namespace skein::charms {
namespace {

using charm::Role;
namespace sdi = relations::interfaces::sdi;
namespace scrape = relations::interfaces::prometheus_scrape;
namespace mysql = relations::interfaces::mysql_client;
namespace object_storage = relations::interfaces::object_storage;
namespace ingress = relations::interfaces::ingress;
namespace ingress_auth = relations::interfaces::ingress_auth;
namespace k8s_service = relations::interfaces::k8s_service;
namespace gateway_info = relations::interfaces::gateway_info;
namespace grafana_dashboard = relations::interfaces::grafana_dashboard;
namespace dashboard_links = relations::interfaces::dashboard_links;
namespace loki_push_api = relations::interfaces::loki_push_api;
namespace oidc_client = relations::interfaces::oidc_client;
namespace dex_oidc_config = relations::interfaces::dex_oidc_config;

// Writes a bag the leader owns; a failed write reports Waiting with the reason.
void WriteAppBag(Reconcile& r, sdk::Relation& rel, const sdk::Bag& bag) {
  if (!r.leader) return;
  absl::Status s = rel.UpdateAppBag(bag);
  if (!s.ok()) r.Wait(absl::StrCat("cannot write ", rel.endpoint(), " relation data: ", s.message()));
}

// Reports Waiting or Blocked when SDI negotiation with the remote side is not done; true when
// the versions agree.
bool Negotiated(Reconcile& r, sdk::Relation& rel, const std::vector<std::string>& ours) {
  auto negotiated = sdi::Negotiate(ours, rel.RemoteAppBag());
  if (negotiated.outcome == sdi::Negotiation::kNoVersionsListed) {
    r.Wait(absl::StrCat("List of ", rel.endpoint(), " versions not found for apps: ", rel.remote_app()));
    return false;
  }
  if (negotiated.outcome == sdi::Negotiation::kNoCompatibleVersions) {
    r.Block(absl::StrCat("No compatible ", rel.endpoint(), " versions found for apps: ", rel.remote_app()));
    return false;
  }
  return true;
}

// The requirer's wait while the provider's data is missing or invalid.
void WaitForData(Reconcile& r, const std::string& endpoint, const absl::Status& status) {
  if (!status.ok()) r.Wait(absl::StrCat("Waiting for ", endpoint, " relation data"));
}

void ObjectStorage(const charm::Endpoint& ep, Reconcile& r) {
  // The provider (minio) is its own charm; requirers list versions and wait for its data.
  if (ep.role != Role::kRequires) return;
  for (auto& rel : r.model.Relations(ep.name)) {
    WriteAppBag(r, rel, object_storage::RequirerAppBag());
    if (Negotiated(r, rel, object_storage::Versions())) {
      WaitForData(r, ep.name, object_storage::ReadCredentials(rel.RemoteAppBag()).status());
    }
  }
}

void Ingress(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      WriteAppBag(r, rel, ingress::ProviderAppBag());
      Negotiated(r, rel, ingress::ProviderVersions());
      continue;
    }
    if (r.profile.ingress.has_value()) {
      const IngressRoute& ir = *r.profile.ingress;
      WriteAppBag(r, rel,
                  ingress::RequirerAppBag({ir.prefix, ir.rewrite, r.model.app(),
                                           ir.send_namespace ? r.model.model_name() : "", r.profile.port}));
    } else {
      WriteAppBag(r, rel, sdi::WriteBag(ingress::RequirerVersions(), std::nullopt));
    }
    Negotiated(r, rel, ingress::RequirerVersions());
  }
}

void IngressAuth(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    WriteAppBag(r, rel,
                ep.role == Role::kProvides
                    ? ingress_auth::ProviderAppBag()
                    : ingress_auth::RequirerAppBag(ingress_auth::OidcGatekeeper(r.model.app(), r.profile.port)));
    Negotiated(r, rel, ingress_auth::Versions());
  }
}

// k8s-service in both forms: SDI (`service-name`/`service-port`) or mlops-libs'
// k8s_service_info (`svc_name`/`svc_port`).
void ServiceInfo(const charm::Endpoint& ep, Reconcile& r) {
  const bool info_form = r.profile.service_info_endpoints.count(ep.name) > 0;
  for (auto& rel : r.model.Relations(ep.name)) {
    if (info_form) {
      if (ep.role == Role::kProvides) {
        WriteAppBag(r, rel, k8s_service::ProviderInfoBag({r.model.app(), std::to_string(r.profile.port)}));
      } else {
        WaitForData(r, ep.name, k8s_service::ReadInfo(rel.RemoteAppBag()).status());
      }
      continue;
    }
    if (ep.role == Role::kProvides) {
      const std::string port = std::to_string(r.model.ConfigInt("port", r.profile.port));
      WriteAppBag(r, rel, k8s_service::ProviderSdiBag({r.model.app(), port}));
      Negotiated(r, rel, k8s_service::Versions());
    } else {
      WriteAppBag(r, rel, k8s_service::RequirerSdiBag());
      if (Negotiated(r, rel, k8s_service::Versions())) {
        WaitForData(r, ep.name, k8s_service::ReadSdi(rel.RemoteAppBag()).status());
      }
    }
  }
}

void GatewayInfo(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kRequires) return;  // istio-pilot and knative-serving provide it in their own charms
  for (auto& rel : r.model.Relations(ep.name)) {
    if (!gateway_info::Read(rel.RemoteAppBag()).ok()) r.Wait("Waiting for gateway info relation data");
  }
}

void DashboardLinks(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kRequires) return;
  for (auto& rel : r.model.Relations(ep.name)) {
    WriteAppBag(r, rel, dashboard_links::RequirerAppBag(r.profile.dashboard_links));
  }
}

void MysqlClientRequirer(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kRequires) return;
  const std::string database = r.profile.database.empty() ? r.model.app() : r.profile.database;
  for (auto& rel : r.model.Relations(ep.name)) {
    WriteAppBag(r, rel, mysql::RequirerAppBag(database));
    if (!mysql::SqlAlchemyUri(rel.RemoteAppBag(), database).ok()) {
      r.Wait(absl::StrCat("Incorrect data found in relation ", ep.name));
    }
  }
}

void ScrapeProvider(const charm::Endpoint& ep, Reconcile& r) {
  if (ep.role != Role::kProvides) return;
  const std::string agent = r.model.substrate().AgentMetricsAddress();
  for (auto& rel : r.model.Relations(ep.name)) {
    nlohmann::ordered_json jobs = r.profile.scrape_jobs.is_null() ? scrape::DefaultJobs() : r.profile.scrape_jobs;
    // A profile's `{port}` target follows the charm's `port` config (minio's S3 port).
    jobs = nlohmann::ordered_json::parse(absl::StrReplaceAll(
        jobs.dump(), {{"{port}", std::to_string(r.model.ConfigInt("port", r.profile.port))}}));
    scrape::Topology t{r.model.model_name(), r.model.model_uuid(), r.model.app(), r.model.unit(), r.model.charm_name()};
    WriteAppBag(r, rel, scrape::ProviderAppBag(t, jobs, nlohmann::ordered_json::object()));
    sdk::Bag unit_bag = scrape::ProviderUnitBag(r.model.UnitAddress(), r.model.unit());
    unit_bag[kAgentMetricsKey] = agent;  // empty deletes: an agent that serves none says so
    absl::Status s = rel.UpdateUnitBag(unit_bag);
    if (!s.ok()) r.Wait(std::string(s.message()));
  }
}

void LokiPush(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      absl::Status s = rel.UpdateUnitBag(loki_push_api::ProviderUnitBag(r.model.UnitAddress()));
      if (!s.ok()) r.Wait(std::string(s.message()));
    } else {
      // LogForwarder's requirer side: the topology and the (empty) Loki alert rules.
      WriteAppBag(r, rel, loki_push_api::RequirerAppBag(Topology(r.model), nlohmann::ordered_json::object()));
    }
  }
}

void OidcClient(const charm::Endpoint& ep, Reconcile& r) {
  // oidc-gatekeeper registers itself as a client of dex (SDI); dex lists versions and reads it.
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      std::string secret = AppValue(r.model, "client-secret", [] { return RandomSecret(16); });
      WriteAppBag(r, rel, oidc_client::ProviderAppBag(oidc_client::OidcGatekeeper(secret)));
      Negotiated(r, rel, oidc_client::Versions());
    } else {
      WriteAppBag(r, rel, oidc_client::RequirerAppBag());
      if (Negotiated(r, rel, oidc_client::Versions())) {
        WaitForData(r, ep.name, oidc_client::ReadClient(rel.RemoteAppBag()).status());
      }
    }
  }
}

void DexOidcConfig(const charm::Endpoint& ep, Reconcile& r) {
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      WriteAppBag(r, rel, dex_oidc_config::ProviderAppBag(dex_oidc_config::IssuerUrl(r.model.app(), r.model.model_name())));
    } else {
      WaitForData(r, ep.name, dex_oidc_config::ReadIssuerUrl(rel.RemoteAppBag()).status());
    }
  }
}

// grafana_dashboard: a provider's leader sends its dashboards; a consumer's leader reads every
// related app's and reports the invalid ones in its `event` key, as grafana-k8s does.
void GrafanaDashboard(const charm::Endpoint& ep, Reconcile& r) {
  if (!r.leader) return;
  for (auto& rel : r.model.Relations(ep.name)) {
    if (ep.role == Role::kProvides) {
      grafana_dashboard::Topology t{r.model.model_name(), r.model.model_uuid(), r.model.app(), r.model.unit()};
      auto dashboards = DashboardsFor(r.model.charm_name());
      // The library puts a fresh uuid in every write to force a change event; writing one on
      // every hook would wake the consumer for nothing, so the bag is rewritten only when the
      // templates themselves change.
      const auto fresh = grafana_dashboard::ProviderAppBag(r.model.charm_name(), t, dashboards, true, "");
      auto templates = [](const std::string& value) {
        auto parsed = nlohmann::ordered_json::parse(value, nullptr, false);
        return parsed.is_object() && parsed.contains("templates") ? parsed["templates"] : nlohmann::ordered_json();
      };
      const sdk::Bag current = rel.LocalAppBag();
      auto it = current.find("dashboards");
      if (it != current.end() && templates(it->second) == templates(fresh.at("dashboards"))) continue;
      WriteAppBag(r, rel,
                  grafana_dashboard::ProviderAppBag(r.model.charm_name(), t, dashboards, true,
                                                    grafana_dashboard::NewUuid4()));
      continue;
    }
    auto received = grafana_dashboard::ConsumerDashboards(rel.RemoteAppBag());
    if (received.ok()) WriteAppBag(r, rel, grafana_dashboard::ConsumerEventBag(*received));
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
  } else if (i == "istio-gateway-info" || i == "serving-local-gateway") {
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
  } else if (i == "grafana_dashboard") {
    GrafanaDashboard(endpoint, r);
  }
  // Interfaces whose contracts are not recorded in the catalog (serving-local-gateway,
  // grafana_datasource, catalogue, ingress_per_unit, ...) get no data from the common code.
  return absl::OkStatus();
}

}  // namespace skein::charms
