#include "controller/provisioner/application_reconciler.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/provisioner/application_pods.h"
#include "lib/base/status_macros.h"
#include "spdlog/spdlog.h"

namespace skein::controller::provisioner {

struct ApplicationProvisioner::AppState {
  ApplicationSpec spec;
  bool alive = true;
  bool destroy_storage = false;
};

struct ApplicationProvisioner::ModelState {
  std::string name;
  bool alive = true;
  std::vector<AppState> apps;
};

struct ApplicationProvisioner::PodWatch {
  std::atomic<bool> stop{false};
  Mutex mu;
  CondVar cv;
  std::thread thread;
};

namespace {

using domain::sql::Prepare;
using domain::sql::QueryInt;

constexpr char kNameLabel[] = "app.kubernetes.io/name";

std::string ObjectKey(const std::string& model, const kube::Json& object) {
  const kube::ObjectRef ref = kube::RefOf(object);
  return absl::StrCat(model, "/", ref.kind, "/", ref.name);
}

// The image an oci-image resource stands for: its newest uploaded revision (`--resource`,
// attach-resource), else the charm's upstream-source.
std::string ImageOf(domain::Tx& tx, const domain::AppRow& app, const charm::Metadata& metadata,
                    const std::string& resource) {
  auto q = Prepare(tx.db(),
                   "SELECT content FROM resources WHERE application_id = ? AND name = ? ORDER BY revision DESC LIMIT 1",
                   app.id, resource);
  if (q.executeStep()) return q.getColumn(0).getString();
  auto spec = metadata.resources.find(resource);
  if (spec != metadata.resources.end() && !spec->second.upstream_source.empty()) return spec->second.upstream_source;
  // The embedded store does not know every charm's images; a pod needs one. A name in the
  // reserved .invalid domain can never be pulled, so a cluster with a container runtime shows
  // the gap in the pod's status (ErrImagePull) until `--resource` or attach-resource gives one.
  return absl::StrCat(kUnknownImageRegistry, "/", metadata.name, "/", resource, ":unknown");
}

// Whether the StatefulSet still wants the deleted pod's ordinal, so that it makes the pod again
// (a rolling update after refresh deletes every pod in turn): only a pod the StatefulSet no longer
// wants is a unit going away. When the StatefulSet cannot be read, the pod counts as gone.
bool WillBeRecreated(kube::Client& client, const kube::Json& pod, const PodState& state) {
  const kube::Json& meta = pod.value("metadata", kube::Json::object());
  const std::string name = meta.value("name", "");
  const size_t dash = name.rfind('-');
  int ordinal = -1;
  if (dash == std::string::npos || !absl::SimpleAtoi(name.substr(dash + 1), &ordinal)) return false;
  auto sts = client.Get({"apps/v1", "StatefulSet", meta.value("namespace", ""), state.app});
  if (!sts.ok() || sts->contains("metadata") && (*sts)["metadata"].contains("deletionTimestamp")) return false;
  return ordinal < sts->value("spec", kube::Json::object()).value("replicas", 0);
}

}  // namespace

ApplicationProvisioner::ApplicationProvisioner(domain::Db* db, watch::Hub* hub, domain::cloud::CloudStore* clouds,
                                               domain::application::ApplicationService* applications, Clock* clock,
                                               ProvisionerOptions options)
    : db_(db), hub_(hub), clouds_(clouds), applications_(applications), clock_(clock), options_(std::move(options)) {}

ApplicationProvisioner::~ApplicationProvisioner() { Stop(); }

void ApplicationProvisioner::Start() {
  hub_->Add(shared_from_this());
  thread_ = std::thread([this] { Loop(); });
}

void ApplicationProvisioner::Stop() {
  {
    MutexLock lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    cv_.NotifyAll();
  }
  if (thread_.joinable()) thread_.join();
  hub_->Remove(this);
  for (auto& [model, watch] : pod_watches_) {
    watch->stop = true;
    {
      MutexLock lock(watch->mu);
      watch->cv.NotifyAll();
    }
  }
  for (auto& [model, watch] : pod_watches_) {
    if (watch->thread.joinable()) watch->thread.join();
  }
  pod_watches_.clear();
}

void ApplicationProvisioner::Wake() {
  MutexLock lock(mu_);
  woken_ = true;
  cv_.NotifyAll();
}

void ApplicationProvisioner::Close() {
  MutexLock lock(mu_);
  stopping_ = true;
  cv_.NotifyAll();
}

void ApplicationProvisioner::Loop() {
  while (true) {
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    const uint64_t start = hub_->Seq();
    std::set<std::string> keys = {domain::cloud::kCloudModelsKey};
    const bool ok = Pass(&keys);
    const uint64_t newest = hub_->SetKeys(this, keys);
    MutexLock lock(mu_);
    if (newest > start) continue;  // a change committed while the pass read: read again
    if (ok) {
      while (!woken_ && !stopping_) cv_.Wait(mu_);
    } else {
      clock_->WaitFor(mu_, cv_, options_.retry_after, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return woken_ || stopping_;
      });
    }
  }
}

bool ApplicationProvisioner::Pass(std::set<std::string>* keys) {
  std::vector<ModelState> models;
  absl::Status read = db_->Read([&](domain::Tx& tx) -> absl::Status {
    std::string controller_uuid;
    auto c = Prepare(tx.db(), "SELECT uuid FROM controller WHERE id = 0");
    if (c.executeStep()) controller_uuid = c.getColumn(0).getString();
    auto q = Prepare(tx.db(), "SELECT id FROM models WHERE cloud <> 'localhost' ORDER BY name");
    std::vector<int64_t> ids;
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
    for (int64_t id : ids) {
      ASSIGN_OR_RETURN(domain::ModelRow m, domain::FindModelById(tx, id));
      keys->insert(domain::ModelKey(m.id));
      ModelState model{m.name, m.life == domain::Life::kAlive, {}};
      for (const domain::AppRow& a : domain::AppsOfModel(tx, m.id)) {
        keys->insert(domain::AppKey(a.id));
        ASSIGN_OR_RETURN(std::shared_ptr<const domain::ParsedCharm> charm, tx.Charm(a.charm_id));
        AppState app;
        app.alive = a.life == domain::Life::kAlive;
        ApplicationSpec& spec = app.spec;
        spec.model = m.name;
        spec.model_uuid = m.uuid;
        spec.controller_uuid = controller_uuid;
        spec.agent_version = domain::kAgentVersion;
        spec.app = a.name;
        spec.trust = a.trust;
        spec.charm_image = options_.charm_image;
        for (const domain::UnitRow& u : domain::UnitsOfApp(tx, a.id)) {
          keys->insert(domain::UnitKey(u.id));
          ++spec.replicas;
        }
        spec.containers = charm->metadata.containers;
        for (const charm::ContainerSpec& container : spec.containers) {
          // A container that names no resource (the store's data does not always say) is
          // given the unpullable image of a resource named after the container.
          spec.images[container.name] =
              ImageOf(tx, a, charm->metadata, container.resource.empty() ? container.name : container.resource);
        }
        for (const charm::StorageSpec& s : charm->metadata.storage) {
          if (s.kind != charm::StorageKind::kFilesystem) continue;
          spec.storage.push_back({s.name, s.location, std::max<uint64_t>(s.minimum_size_mib, 1024)});
        }
        auto ports = Prepare(tx.db(),
                             "SELECT DISTINCT o.protocol, o.from_port, o.to_port FROM opened_ports o "
                             "JOIN units u ON u.id = o.unit_id WHERE u.application_id = ? "
                             "ORDER BY o.from_port, o.protocol",
                             a.id);
        while (ports.executeStep()) {
          spec.opened_ports.push_back(
              {ports.getColumn(0).getString(), ports.getColumn(1).getInt(), ports.getColumn(2).getInt()});
        }
        spec.config_secret = {{"JUJU_K8S_APPLICATION", a.name},
                              {"JUJU_K8S_MODEL", m.uuid},
                              {"JUJU_K8S_CONTROLLER_ADDRESSES", options_.controller_addresses},
                              {"JUJU_K8S_CONTROLLER_CA_CERT", options_.controller_ca_pem}};
        app.destroy_storage =
            !app.alive && QueryInt(tx.db(), 0,
                                   "SELECT COUNT(*) FROM storage_instances WHERE model_id = ? AND "
                                   "owner_application = ? AND life = 1",
                                   m.id, a.name) > 0;
        model.apps.push_back(std::move(app));
      }
      models.push_back(std::move(model));
    }
    return absl::OkStatus();
  });
  if (!read.ok()) {
    spdlog::warn("provisioner: cannot read the models: {}", std::string(read.message()));
    return false;
  }

  bool ok = true;
  std::set<std::string> seen;
  for (const ModelState& model : models) {
    seen.insert(model.name);
    if (absl::Status s = Reconcile(model); !s.ok()) {
      spdlog::warn("provisioner: model \"{}\": {}", model.name, std::string(s.message()));
      ok = false;
    }
  }
  // Models that are gone: their namespace went with destroy-model; forget them.
  for (auto it = pod_watches_.begin(); it != pod_watches_.end();) {
    if (seen.count(it->first) != 0) {
      ++it;
      continue;
    }
    it->second->stop = true;
    {
      MutexLock lock(it->second->mu);
      it->second->cv.NotifyAll();
    }
    if (it->second->thread.joinable()) it->second->thread.join();
    present_.erase(it->first);
    const std::string prefix = absl::StrCat(it->first, "/");
    for (auto a = applied_.begin(); a != applied_.end();) {
      a = absl::StartsWith(a->first, prefix) ? applied_.erase(a) : std::next(a);
    }
    it = pod_watches_.erase(it);
  }
  return ok;
}

absl::Status ApplicationProvisioner::Reconcile(const ModelState& model) {
  ASSIGN_OR_RETURN(std::optional<domain::cloud::ModelCluster> cluster, clouds_->ClusterForModel(model.name));
  if (!cluster.has_value()) return absl::OkStatus();
  kube::Client& client = *cluster->client;
  if (pod_watches_.count(model.name) == 0) {
    // First sight of the model in this controller's life: applications removed while it was
    // down still have their objects, found by the StatefulSets the provider labelled.
    auto sets = client.List("apps/v1", "StatefulSet", model.name, {.label_selector = "app.kubernetes.io/managed-by=juju"});
    if (!sets.ok()) return sets.status();
    for (const kube::Json& item : sets->value("items", kube::Json::array())) {
      present_[model.name].try_emplace(item["metadata"].value("name", ""), false);
    }
    auto watch = std::make_unique<PodWatch>();
    PodWatch* w = watch.get();
    std::shared_ptr<kube::Client> shared = cluster->client;
    const std::string name = model.name;
    w->thread = std::thread([this, name, shared, w] { WatchPods(name, shared, w); });
    pod_watches_[model.name] = std::move(watch);
  }
  if (!model.alive) return absl::OkStatus();  // destroy-model deletes the namespace as a whole

  std::map<std::string, bool>& present = present_[model.name];
  std::set<std::string> wanted;
  // One application the cluster refuses must not hold back the others: the first error is
  // returned after every application had its turn, and the pass is retried.
  absl::Status first_error;
  for (const AppState& app : model.apps) {
    wanted.insert(app.spec.app);
    present[app.spec.app] = app.destroy_storage;
    for (const kube::Json& object : RenderApplication(app.spec)) {
      const std::string key = ObjectKey(model.name, object);
      const std::string text = object.dump();
      auto last = applied_.find(key);
      if (last != applied_.end() && last->second == text) continue;
      auto applied = client.Apply(object, {.field_manager = kFieldManager});
      if (!applied.ok()) {
        first_error.Update(applied.status());
        break;
      }
      applied_[key] = text;
    }
  }
  if (!first_error.ok()) return first_error;
  for (auto it = present.begin(); it != present.end();) {
    if (wanted.count(it->first) != 0) {
      ++it;
      continue;
    }
    const std::string& app = it->first;
    for (const kube::ObjectRef& ref : ApplicationObjectRefs(model.name, app)) {
      absl::Status s = client.Delete(ref);
      if (!s.ok() && !absl::IsNotFound(s)) return s;
      applied_.erase(absl::StrCat(model.name, "/", ref.kind, "/", ref.name));
    }
    if (it->second) {
      // remove-application --destroy-storage: the claims the StatefulSet made go too.
      auto claims = client.List("v1", "PersistentVolumeClaim", model.name,
                                {.label_selector = absl::StrCat(kNameLabel, "=", app)});
      if (!claims.ok()) return claims.status();
      for (const kube::Json& claim : claims->value("items", kube::Json::array())) {
        absl::Status s = client.Delete({"v1", "PersistentVolumeClaim", model.name, claim["metadata"].value("name", "")});
        if (!s.ok() && !absl::IsNotFound(s)) return s;
      }
    }
    it = present.erase(it);
  }
  return absl::OkStatus();
}

void ApplicationProvisioner::WatchPods(const std::string& model, std::shared_ptr<kube::Client> client,
                                       PodWatch* watch) {
  std::atomic<bool>* stop = &watch->stop;
  std::string version;
  auto handle = [&](kube::WatchEvent::Type type, const kube::Json& pod) {
    std::optional<PodState> state = PodStateOf(pod);
    if (!state.has_value()) return;
    if (type == kube::WatchEvent::Type::kDeleted && WillBeRecreated(*client, pod, *state)) {
      // A rollout (refresh) or a deleted pod the StatefulSet makes again: the unit stays.
      return;
    }
    absl::Status s = type == kube::WatchEvent::Type::kDeleted
                         ? RecordPodDeleted(*db_, *applications_, model, *state)
                         : RecordPodState(*db_, model, *state);
    if (!s.ok()) spdlog::warn("provisioner: unit {} of model \"{}\": {}", state->unit, model, std::string(s.message()));
  };
  const kube::ListOptions pods{.label_selector = kNameLabel};
  while (!*stop) {
    absl::Status s;
    if (version.empty()) {
      auto listed = client->List("v1", "Pod", model, pods);
      if (listed.ok()) {
        for (const kube::Json& pod : listed->value("items", kube::Json::array())) {
          handle(kube::WatchEvent::Type::kModified, pod);
        }
        version = (*listed)["metadata"].value("resourceVersion", "");
      }
      s = listed.status();
    }
    if (s.ok()) {
      s = client->Watch(
          "v1", "Pod", model, {.list = pods, .resource_version = version},
          [&](const kube::WatchEvent& event) {
            const std::string v = event.object.value("metadata", kube::Json::object()).value("resourceVersion", "");
            if (!v.empty()) version = v;
            if (event.type != kube::WatchEvent::Type::kBookmark) handle(event.type, event.object);
            return !*stop;
          },
          stop);
      if (absl::IsOutOfRange(s)) {
        version.clear();  // too old: list again
        continue;
      }
    }
    if (!s.ok() && !*stop) {
      spdlog::warn("provisioner: pods of model \"{}\": {}", model, std::string(s.message()));
      MutexLock lock(watch->mu);
      clock_->WaitFor(watch->mu, watch->cv, options_.retry_after, [stop] { return stop->load(); });
    }
  }
}

}  // namespace skein::controller::provisioner
