#pragma once

// The provisioner of Kubernetes models' applications (DESIGN §9): fed by the change hub, it
// applies each application's object set (application_render.h) by server-side apply whenever
// what it renders changes, deletes the set of an application that is gone, and watches each
// model's pods to keep its units' status (application_pods.h). No polling: a pass runs when a
// key it read changed, and again after a delay only when a cluster call failed.

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/cloud/cloud_store.h"
#include "controller/domain/core/db.h"
#include "controller/provisioner/application_render.h"
#include "controller/watch/hub.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::controller::provisioner {

// The registry of the image a container gets when its oci-image resource has no known image
// (no upload and no upstream-source in the store's data).
inline constexpr char kUnknownImageRegistry[] = "skein.invalid";

struct ProvisionerOptions {
  // The image of each pod's charm container and init container.
  std::string charm_image = "jujusolutions/charm-base:ubuntu-22.04";
  // What the agents of the pods would dial (the `<app>-application-config` Secret).
  std::string controller_addresses;
  std::string controller_ca_pem;
  // How long after a failed cluster call the pass runs again.
  std::chrono::milliseconds retry_after = std::chrono::seconds(5);
};

class ApplicationProvisioner : public watch::Watcher, public std::enable_shared_from_this<ApplicationProvisioner> {
 public:
  // Nothing is owned; all must outlive Stop().
  ApplicationProvisioner(domain::Db* db, watch::Hub* hub, domain::cloud::CloudStore* clouds,
                         domain::application::ApplicationService* applications, Clock* clock,
                         ProvisionerOptions options);
  ~ApplicationProvisioner() override;

  // Registers with the hub and starts the reconciling thread.
  void Start();
  // Ends the thread and every pod watch. Idempotent.
  void Stop();

  void Wake() override;
  void Close() override;

 private:
  struct AppState;
  struct ModelState;
  struct PodWatch;

  void Loop();
  // One pass over every Kubernetes model. Returns false when a cluster call failed (the pass is
  // run again after retry_after).
  bool Pass(std::set<std::string>* keys);
  absl::Status Reconcile(const ModelState& model);
  void WatchPods(const std::string& model, std::shared_ptr<kube::Client> client, PodWatch* watch);

  domain::Db* db_;
  watch::Hub* hub_;
  domain::cloud::CloudStore* clouds_;
  domain::application::ApplicationService* applications_;
  Clock* clock_;
  ProvisionerOptions options_;

  Mutex mu_;
  CondVar cv_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;

  // Only the reconciling thread touches these.
  // The text of each object last applied, by "<model>/<kind>/<name>": an unchanged render is
  // not sent again.
  std::map<std::string, std::string> applied_;
  // Applications whose object set is on the cluster, by model; and whether their storage goes
  // with them (remove-application --destroy-storage), seen while they were dying.
  std::map<std::string, std::map<std::string, bool>> present_;
  std::map<std::string, std::unique_ptr<PodWatch>> pod_watches_;
};

}  // namespace skein::controller::provisioner
