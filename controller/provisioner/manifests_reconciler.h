#pragma once

// Puts what charms send (controller/domain/substrate) onto the clusters of Kubernetes models
// (issue 16, DESIGN §9): every stored object is applied by server-side apply with the field
// manager of its owner (`skein-<app>`; `skein-user` for `skein apply`), an object no longer
// sent is deleted, and each decoration of the resource dispatcher becomes one object in every
// namespace of the cluster labelled for it, those labelled or created later included.
//
// Fed without polling: the hub wakes it when a model's manifests change (kManifestsKey, and the
// model's key for an application's removal), and one Namespace watch per model with decorations
// (resumed from its last resourceVersion; listed again only when the server says it is too
// old) wakes it when a namespace appears, changes labels or goes. A pass that fails (the
// cluster away, a CRD not established yet) is retried with a backoff.
//
// What was applied is kept in the table applied_objects, so objects dropped while the
// controller was down are still deleted at the next start. CustomResourceDefinitions are the one
// exception to deletion: deleting one deletes every object of its kind on the cluster, other
// models' and users' too, so a CRD no longer sent is only forgotten (as upstream charms leave
// their CRDs behind on removal).

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "controller/domain/cloud/cloud_service.h"
#include "controller/domain/core/db.h"
#include "controller/domain/plan/wait.h"
#include "controller/domain/substrate/substrate_service.h"
#include "controller/provisioner/manifests_desired.h"
#include "controller/watch/hub.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/rpc/retry.h"

namespace skein::controller::provisioner {

struct ManifestsReconcilerOptions {
  // Delays between failed passes of a model.
  rpc::BackoffPolicy retry{std::chrono::milliseconds(250), std::chrono::seconds(30), 2.0, 0.0};
};

class ManifestsReconciler {
 public:
  // Nothing is owned; all must outlive the reconciler.
  ManifestsReconciler(domain::Db& db, domain::substrate::SubstrateService& substrate,
                      domain::cloud::CloudService& clouds, watch::Hub& hub, Clock& clock,
                      ManifestsReconcilerOptions options = {});
  ~ManifestsReconciler();

  // Starts the reconciling thread; it makes a first pass over every model at once.
  void Start();
  // Stops every thread it started (the namespace watches end within a second). Idempotent.
  void Stop();

  // The outcome of the model's last pass: OK when the cluster has everything sent; the first
  // error otherwise (`apply <kind> "<ns>/<name>": <server message>`); NotFound before any pass
  // of a Kubernetes model.
  absl::Status LastResult(const std::string& model);
  // How many passes have ended (any model): tests wait for it to move after a change.
  uint64_t passes();

 private:
  struct ModelState;

  void Run();
  // Reconciles every model with objects; returns when the next retry is due (max: none).
  Clock::TimePoint PassAll();
  absl::Status Pass(const std::string& model, ModelState& state);
  void EnsureNamespaceWatch(const std::shared_ptr<ModelState>& state);
  void WatchNamespaces(std::shared_ptr<ModelState> state);

  domain::Db& db_;
  domain::substrate::SubstrateService& substrate_;
  domain::cloud::CloudService& clouds_;
  watch::Hub& hub_;
  Clock& clock_;
  const ManifestsReconcilerOptions options_;
  std::shared_ptr<domain::plan::WaitSignal> signal_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};

  Mutex mu_;
  std::map<std::string, std::shared_ptr<ModelState>> models_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status> results_ ABSL_GUARDED_BY(mu_);
  uint64_t passes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace skein::controller::provisioner
