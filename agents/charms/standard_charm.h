#pragma once

// The behaviour most Kubeflow, MLflow and COS charms share, as one reconciling charm driven by
// a profile (DESIGN §6, issue 6): on every event it walks the charm's endpoints and, by
// interface and role, writes what the real charm writes (SDI versions and data, ingress routes,
// dashboard links, scrape jobs, service info, database requests...), then reports the status the
// real charm would: Blocked for a missing required relation, Waiting while related data is
// incomplete, else Active with a message saying the workload is rendered for Kubernetes (these
// workloads cannot run on the local substrate, and the charm never pretends they do).
//
// Charms that really differ (mlflow-server, resource-dispatcher, kubeflow-profiles,
// istio-pilot, kubeflow-dashboard, mysql-k8s, minio, prometheus-k8s) derive from it, take over
// the endpoints they treat specially and add their own reconcile step and actions.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agents/sdk/charm.h"
#include "nlohmann/json.hpp"
#include "relations/interfaces/dashboard_links.h"

namespace skein::charms {

// The object set holding the CRDs a charm installs (CharmProfile::crds).
inline constexpr char kCrdSet[] = "crds";

// The active message of a charm whose workload is a Kubernetes workload (issue 6).
inline constexpr char kRenderedForKubernetes[] = "workload rendered for Kubernetes";

struct IngressRoute {
  std::string prefix;
  std::string rewrite;  // empty: not sent
  bool send_namespace = false;
};

struct CharmProfile {
  std::string name;
  int port = 0;  // the main service's port (k8s-service data, ingress)
  std::optional<IngressRoute> ingress;
  std::vector<relations::interfaces::dashboard_links::Link> dashboard_links;
  // null: the prometheus_scrape library's default job. `{port}` in a target is replaced by the
  // charm's `port` config (or `port` above when unset).
  nlohmann::ordered_json scrape_jobs;
  std::map<std::string, std::string> required_relations;  // endpoint -> Blocked message
  std::string database;  // the database a mysql_client requirer asks for
  // Endpoints speaking mlops-libs' k8s_service_info form (`svc_name`/`svc_port`) instead of
  // SDI, whatever their interface is called (`k8s-service`, `grpc`).
  std::set<std::string> service_info_endpoints;
  // Endpoints the common code leaves alone: same interface name, other contract (COS's
  // traefik `ingress` is not the SDI ingress of Kubeflow), or a contract not recorded.
  std::set<std::string> unhandled_endpoints;
  // The CRDs this charm installs upstream (crds.h names), sent by the leader on every event as
  // the set `crds`, before anything that needs them.
  std::vector<std::string> crds;
};

// The hook's view while reconciling: the model, leadership read once, and the statuses found.
struct Reconcile {
  sdk::Model& model;
  const CharmProfile& profile;
  bool leader = false;
  sdk::StatusCollector status;

  void Block(std::string message) { status.Add(sdk::Blocked(std::move(message))); }
  void Wait(std::string message) { status.Add(sdk::Waiting(std::move(message))); }
};

class StandardCharm : public sdk::Charm {
 public:
  explicit StandardCharm(CharmProfile profile) : profile_(std::move(profile)) {}
  void Setup(sdk::Framework& framework, sdk::Model& model) final;

 protected:
  // Whether the common code handles this endpoint; charms return false for those they own.
  virtual bool HandlesEndpoint(const charm::Endpoint& endpoint) const { return true; }
  // The charm's own work after the common endpoints. An error fails the hook.
  virtual absl::Status ReconcileCharm(const sdk::Event& event, Reconcile& r) { return absl::OkStatus(); }
  // On stop/remove (workload processes are stopped by the common code). Anything the application
  // shares may go only when event.removal is kApplicationRemoved or kModelDestroyed; none of the
  // built-in charms deletes anything here, since the controller deletes a removed application's
  // objects itself.
  virtual absl::Status Teardown(const sdk::Event& event, sdk::Model& model) { return absl::OkStatus(); }
  virtual void SetupActions(sdk::Framework& framework, sdk::Model& model) {}
  virtual std::string ActiveMessage(Reconcile& r) const { return kRenderedForKubernetes; }

  const CharmProfile profile_;

 private:
  absl::Status OnEvent(const sdk::Event& event, sdk::Model& model);
  absl::Status ApplyCrds(sdk::Model& model);
  std::optional<sdk::Status> result_;
};

// The common endpoint handling, one endpoint at a time (exposed for the charms that reuse
// parts of it and for tests). Unknown interfaces are left alone.
absl::Status ReconcileEndpoint(const charm::Endpoint& endpoint, Reconcile& r);

// A random secret of `length` lowercase letters and digits (passwords, secret keys).
std::string RandomSecret(size_t length);
// An application-wide generated value (a password, a secret key) kept in the leader settings,
// where every unit can read it; the leader creates it with `make` the first time. Empty for a
// non-leader before the leader made it.
std::string AppValue(sdk::Model& model, const std::string& key, const std::function<std::string()>& make);
// Writes `bag` into this application's bag on every relation of `endpoint` (the caller is the
// leader); the first failed write is returned.
absl::Status UpdateAppBags(sdk::Model& model, const std::string& endpoint, const sdk::Bag& bag);
// Sends `manifests` (a JSON list of Kubernetes objects) on every relation of `endpoint`, in the
// form the charm's revision declares for it: a requirer of `kubernetes_manifest` writes the 2.0
// `kubernetes_manifests` key, a provider (the 1.0 era's `secrets`, `pod-defaults`) the SDI form.
// Nothing is sent when the charm has no such endpoint. The caller is the leader; a failed write
// is returned.
absl::Status SendManifests(sdk::Model& model, const std::string& endpoint, const nlohmann::ordered_json& manifests);
// The Juju topology the COS libraries put in relation data.
nlohmann::ordered_json Topology(sdk::Model& model, bool with_unit = true);

}  // namespace skein::charms
