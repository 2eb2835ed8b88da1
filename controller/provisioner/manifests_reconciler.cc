#include "controller/provisioner/manifests_reconciler.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/provisioner/manifests_store.h"
#include "spdlog/spdlog.h"

namespace skein::controller::provisioner {

using domain::substrate::ListedManifest;

struct ManifestsReconciler::ModelState {
  ModelState(std::string name, domain::cloud::ModelCluster c, const rpc::BackoffPolicy& policy)
      : model(std::move(name)), cluster(std::move(c)), backoff(policy) {}

  const std::string model;
  const domain::cloud::ModelCluster cluster;
  // Touched by the reconciling thread only.
  rpc::Backoff backoff;
  Clock::TimePoint retry_at = Clock::TimePoint::max();
  std::string last_error;
  // What this process applied, as `<field manager>\n<object>`: an unchanged object is not sent
  // again. Empty after a restart, so everything is applied once more then (a no-op apply).
  std::map<ObjectKey, std::string> applied;

  // The Namespace watch (started when the model has decorations).
  std::thread watch;
  std::atomic<bool> stop{false};
  Mutex mu;
  CondVar cv;  // wakes the watch's backoff wait on stop
  bool synced ABSL_GUARDED_BY(mu) = false;
  NamespaceLabels namespaces ABSL_GUARDED_BY(mu);
};

namespace {

std::map<std::string, std::string> Labels(const kube::Json& object) {
  std::map<std::string, std::string> out;
  const kube::Json labels = object.value("metadata", kube::Json::object()).value("labels", kube::Json::object());
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::string NameOf(const kube::Json& object) {
  return object.value("metadata", kube::Json::object()).value("name", "");
}

std::string VersionOf(const kube::Json& object) {
  return object.value("metadata", kube::Json::object()).value("resourceVersion", "");
}

// Group and kind -> cluster-scoped, for the CRDs among the stored objects: a custom object may be
// sent in the same pass as its CRD, before discovery can know its kind.
std::map<std::pair<std::string, std::string>, bool> CrdScopes(const std::vector<ListedManifest>& stored) {
  std::map<std::pair<std::string, std::string>, bool> out;
  for (const auto& l : stored) {
    if (l.manifest.kind != "CustomResourceDefinition") continue;
    kube::Json crd = kube::Json::parse(l.manifest.content_json, nullptr, /*allow_exceptions=*/false);
    if (!crd.is_object()) continue;
    const kube::Json& spec = crd.value("spec", kube::Json::object());
    out[{spec.value("group", ""), spec.value("names", kube::Json::object()).value("kind", "")}] =
        spec.value("scope", "") == "Cluster";
  }
  return out;
}

}  // namespace

ManifestsReconciler::ManifestsReconciler(domain::Db& db, domain::substrate::SubstrateService& substrate,
                                         domain::cloud::CloudService& clouds, watch::Hub& hub, Clock& clock,
                                         ManifestsReconcilerOptions options)
    : db_(db), substrate_(substrate), clouds_(clouds), hub_(hub), clock_(clock), options_(options) {}

ManifestsReconciler::~ManifestsReconciler() { Stop(); }

void ManifestsReconciler::Start() {
  signal_ = std::make_shared<domain::plan::WaitSignal>(clock_);
  hub_.Add(signal_);
  thread_ = std::thread([this] { Run(); });
}

void ManifestsReconciler::Stop() {
  if (stopping_.exchange(true)) return;
  if (signal_ != nullptr) signal_->Close();
  if (thread_.joinable()) thread_.join();
  std::map<std::string, std::shared_ptr<ModelState>> models;
  {
    MutexLock lock(mu_);
    models.swap(models_);
  }
  for (auto& [name, state] : models) {
    {
      MutexLock lock(state->mu);
      state->stop = true;
      state->cv.NotifyAll();
    }
    if (state->watch.joinable()) state->watch.join();
  }
  if (signal_ != nullptr) hub_.Remove(signal_.get());
}

absl::Status ManifestsReconciler::LastResult(const std::string& model) {
  MutexLock lock(mu_);
  auto it = results_.find(model);
  if (it == results_.end()) return absl::NotFoundError(absl::StrCat("no pass of model \"", model, "\" yet"));
  return it->second;
}

uint64_t ManifestsReconciler::passes() {
  MutexLock lock(mu_);
  return passes_;
}

void ManifestsReconciler::Run() {
  while (!stopping_) {
    // Race-free subscription (hub.h): a commit made during the pass shows in SetKeys' answer.
    const uint64_t start = hub_.Seq();
    std::set<std::string> keys = {domain::substrate::kManifestsKey};
    const Clock::TimePoint next_retry = [&] {
      auto models = ModelsWithObjects(db_);
      if (!models.ok()) {
        spdlog::warn("manifests reconciler: cannot list models: {}", models.status().ToString());
        return clock_.Now() + options_.retry.max;
      }
      for (const auto& [name, id] : *models) keys.insert(domain::ModelKey(id));
      return PassAll();
    }();
    if (hub_.SetKeys(signal_.get(), keys) > start) continue;
    // Nothing to retry: only a wake moves it on. The wait still needs a finite deadline (a
    // condition variable's wait until the end of time overflows), and an idle pass is cheap.
    const Clock::TimePoint deadline = std::min(next_retry, clock_.Now() + std::chrono::hours(1));
    if (signal_->Await(deadline) == domain::plan::WaitSignal::Outcome::kClosed) return;
  }
}

Clock::TimePoint ManifestsReconciler::PassAll() {
  Clock::TimePoint next = Clock::TimePoint::max();
  auto models = ModelsWithObjects(db_);
  if (!models.ok()) return clock_.Now() + options_.retry.max;
  std::map<std::string, std::shared_ptr<ModelState>> states;
  {
    MutexLock lock(mu_);
    states = models_;
  }
  std::map<std::string, std::shared_ptr<ModelState>> kept;
  for (const auto& [name, id] : *models) {
    auto it = states.find(name);
    std::shared_ptr<ModelState> state;
    if (it != states.end()) {
      state = it->second;
    } else {
      auto cluster = clouds_.ClusterForModel(name);
      if (!cluster.ok() || !cluster->has_value() || (*cluster)->client == nullptr) continue;  // a machine model
      state = std::make_shared<ModelState>(name, std::move(**cluster), options_.retry);
      MutexLock lock(mu_);
      models_[name] = state;  // Pass finds it there to start the model's namespace watch
    }
    kept[name] = state;
    absl::Status result = Pass(name, *state);
    if (result.ok()) {
      state->backoff.Reset();
      state->retry_at = Clock::TimePoint::max();
      state->last_error.clear();
    } else {
      state->retry_at = clock_.Now() + state->backoff.Next();
      next = std::min(next, state->retry_at);
      if (result.ToString() != state->last_error) {
        state->last_error = result.ToString();
        spdlog::warn("model {}: applying what charms sent to the cluster: {}", name, state->last_error);
      }
    }
    MutexLock lock(mu_);
    results_[name] = result;
    ++passes_;
  }
  // Models gone (destroyed, or with nothing sent any more): their watches stop.
  std::vector<std::shared_ptr<ModelState>> gone;
  {
    MutexLock lock(mu_);
    for (auto& [name, state] : models_) {
      if (!kept.count(name)) gone.push_back(state);
    }
    models_ = kept;
  }
  for (auto& state : gone) {
    {
      MutexLock lock(state->mu);
      state->stop = true;
      state->cv.NotifyAll();
    }
    if (state->watch.joinable()) state->watch.join();
  }
  return next;
}

absl::Status ManifestsReconciler::Pass(const std::string& model, ModelState& state) {
  auto stored = substrate_.StoredManifests(model);
  if (!stored.ok()) return stored.status();
  kube::Client& client = *state.cluster.client;

  // The namespaces decorations go to: those of the cluster carrying one of their labels.
  const std::set<std::string> labels = TargetLabels(*stored);
  NamespaceLabels namespaces;
  if (!labels.empty()) {
    // The watch keeps a shared_ptr to the state, which the map holds too.
    std::shared_ptr<ModelState> shared;
    {
      MutexLock lock(mu_);
      auto it = models_.find(model);
      if (it != models_.end()) shared = it->second;
    }
    if (shared != nullptr) EnsureNamespaceWatch(shared);
    MutexLock lock(state.mu);
    if (!state.synced) return absl::UnavailableError("waiting for the cluster's namespaces");
    for (const auto& [name, ns_labels] : state.namespaces) {
      for (const std::string& label : labels) {
        if (ns_labels.count(label)) {
          namespaces[name] = ns_labels;
          break;
        }
      }
    }
  }
  absl::Status recorded = RecordClusterNamespaces(db_, model, namespaces);
  if (!recorded.ok()) return recorded;

  const auto crd_scopes = CrdScopes(*stored);
  auto cluster_scoped = [&](const std::string& api_version, const std::string& kind) {
    const size_t slash = api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    auto it = crd_scopes.find({group, kind});
    if (it != crd_scopes.end()) return it->second;
    auto namespaced = client.IsNamespaced(api_version, kind);
    return namespaced.ok() && !*namespaced;
  };
  std::vector<DesiredObject> desired = DesiredObjects(*stored, namespaces, state.cluster.ns, cluster_scoped);

  absl::Status first = absl::OkStatus();
  std::set<ObjectKey> wanted;
  for (const DesiredObject& d : desired) {
    // Two owners may send one identity (a decoration and an object of the same name in a
    // labelled namespace): the first in apply order is applied, as the local substrate keeps one.
    if (!wanted.insert(d.key).second) continue;
    const std::string fingerprint = absl::StrCat(d.field_manager, "\n", d.object.dump());
    auto done = state.applied.find(d.key);
    if (done != state.applied.end() && done->second == fingerprint) continue;
    kube::ApplyOptions options;
    options.field_manager = d.field_manager;
    auto applied = client.Apply(d.object, options);
    if (!applied.ok()) {
      if (first.ok()) first = applied.status();
      continue;
    }
    absl::Status s = RecordApplied(db_, model, {d.api_version, d.key, d.field_manager});
    if (!s.ok()) return s;
    state.applied[d.key] = fingerprint;
  }

  auto applied = ListApplied(db_, model);
  if (!applied.ok()) return applied.status();
  for (const AppliedObject& a : *applied) {
    if (wanted.count(a.key)) continue;
    if (a.key.kind != "CustomResourceDefinition") {
      absl::Status s = client.Delete({a.api_version, a.key.kind, a.key.ns, a.key.name});
      if (!s.ok() && !absl::IsNotFound(s)) {
        if (first.ok()) first = s;
        continue;
      }
    }
    absl::Status s = ForgetApplied(db_, model, a.key);
    if (!s.ok()) return s;
    state.applied.erase(a.key);
  }
  return first;
}

void ManifestsReconciler::EnsureNamespaceWatch(const std::shared_ptr<ModelState>& state) {
  if (state->watch.joinable()) return;
  state->watch = std::thread([this, state] { WatchNamespaces(state); });
}

void ManifestsReconciler::WatchNamespaces(std::shared_ptr<ModelState> state) {
  kube::Client& client = *state->cluster.client;
  rpc::Backoff backoff(options_.retry);
  std::string version;
  auto pause = [&] {
    MutexLock lock(state->mu);
    clock_.WaitFor(state->mu, state->cv, backoff.Next(), [&] { return state->stop.load(); });
  };
  while (!state->stop) {
    if (version.empty()) {
      auto list = client.List("v1", "Namespace", "");
      if (!list.ok()) {
        spdlog::warn("model {}: cannot list the cluster's namespaces: {}", state->model, list.status().ToString());
        pause();
        continue;
      }
      NamespaceLabels all;
      for (const auto& item : list->value("items", kube::Json::array())) all[NameOf(item)] = Labels(item);
      version = list->value("metadata", kube::Json::object()).value("resourceVersion", "");
      {
        MutexLock lock(state->mu);
        state->namespaces = std::move(all);
        state->synced = true;
      }
      signal_->Wake();
    }
    kube::WatchOptions options;
    options.resource_version = version;
    absl::Status s = client.Watch(
        "v1", "Namespace", "", options,
        [&](const kube::WatchEvent& event) {
          const std::string v = VersionOf(event.object);
          if (!v.empty()) version = v;
          if (event.type == kube::WatchEvent::Type::kBookmark) return !state->stop.load();
          {
            MutexLock lock(state->mu);
            if (event.type == kube::WatchEvent::Type::kDeleted) {
              state->namespaces.erase(NameOf(event.object));
            } else {
              state->namespaces[NameOf(event.object)] = Labels(event.object);
            }
          }
          signal_->Wake();
          return !state->stop.load();
        },
        &state->stop);
    if (s.ok()) {
      backoff.Reset();
      continue;  // the server ended the watch: resume after the last version seen
    }
    if (absl::IsOutOfRange(s)) {
      version.clear();  // too old: list again
      continue;
    }
    spdlog::warn("model {}: watching the cluster's namespaces: {}", state->model, s.ToString());
    pause();
  }
}

}  // namespace skein::controller::provisioner
