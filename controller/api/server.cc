#include "controller/api/server.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "controller/api/agent_service.h"
#include "controller/api/clouds_service.h"
#include "controller/api/controller_service.h"
#include "controller/api/model_manager_service.h"
#include "controller/api/machine_manager_service.h"
#include "controller/api/resources_service.h"
#include "controller/api/secrets_service.h"
#include "controller/api/storage_api.h"
#include "controller/provisioner/application_reconciler.h"
#include "controller/provisioner/manifests_reconciler.h"
#include "lib/base/limits.h"
#include "lib/process/tcp_listen.h"
#include "lib/rpc/auth.h"
#include "spdlog/spdlog.h"

namespace skein::controller::api {
struct ControllerServer::Impl {
  std::unique_ptr<domain::Db> db;
  watch::Hub hub;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<domain::auth::AuthService> auth;
  std::unique_ptr<Authenticator> authn;
  std::unique_ptr<domain::model::ModelService> models;
  std::unique_ptr<domain::application::ApplicationService> applications;
  std::unique_ptr<domain::relation::RelationService> relations;
  std::unique_ptr<domain::unit::UnitService> units;
  std::unique_ptr<domain::presence::AgentPresence> presence;  // before what borrows it
  std::unique_ptr<domain::status::StatusService> status;
  std::unique_ptr<domain::log::LogService> logs;
  std::unique_ptr<domain::action::ActionService> actions;
  std::unique_ptr<domain::lease::LeaseManager> leases;
  std::unique_ptr<domain::hook::HookService> hooks;
  std::unique_ptr<domain::bundle::BundleService> bundles;
  std::unique_ptr<domain::substrate::SubstrateService> substrate;
  std::unique_ptr<domain::application::CharmStore> charms;
  std::unique_ptr<domain::model::ModelConfigService> model_config;
  std::unique_ptr<domain::plan::PlanService> plans;
  std::unique_ptr<domain::model::ModelLifecycleService> model_lifecycle;
  std::unique_ptr<domain::secret::SecretService> secrets;
  std::unique_ptr<domain::storage::StorageService> storage;
  std::unique_ptr<domain::resource::ResourceService> resources;
  std::unique_ptr<ControllerService> controller_service;
  std::unique_ptr<ModelManagerService> model_manager_service;
  std::unique_ptr<StorageApi> storage_api;
  std::unique_ptr<AgentService> agent_service;
  std::unique_ptr<SecretsService> secrets_service;
  std::unique_ptr<domain::machine::MachineService> machines;
  std::unique_ptr<MachineManagerService> machine_manager_service;
  std::unique_ptr<ResourcesService> resources_service;
  std::unique_ptr<domain::cloud::CloudStore> clouds;
  std::unique_ptr<CloudsService> clouds_service;
  std::shared_ptr<provisioner::ApplicationProvisioner> provisioner;
  std::unique_ptr<provisioner::ManifestsReconciler> manifests;
  std::unique_ptr<grpc::Server> server;
  std::string host;
  int port = 0;
  bool shut_down = false;
  Clock* clock = nullptr;
};

namespace {

// Opens the charm store, moves charm archives still held by the database into it, removes what
// no application uses, and starts the periodic sweep.
absl::Status OpenCharmStore(const ServerOptions& options, ControllerServer::Impl* impl) {
  std::string dir = options.charm_store_dir;
  if (dir.empty()) dir = (std::filesystem::path(options.db_path).parent_path() / "charms").string();
  auto store = domain::application::CharmStore::Open(dir, *options.clock);
  if (!store.ok()) return store.status();
  impl->charms = std::move(*store);
  auto moved = impl->applications->MoveArchivesToStore(*impl->charms);
  if (!moved.ok()) return moved.status();
  if (*moved > 0) spdlog::info("moved {} charm archives from the database into {}", *moved, dir);
  auto in_use = impl->applications->CharmsInUse();
  if (!in_use.ok()) return in_use.status();
  // Nothing can be on its way into a controller that is only starting.
  auto swept = impl->charms->Sweep(*in_use, std::chrono::seconds(0));
  if (swept.charms_removed + swept.uploads_removed > 0) {
    spdlog::info("charm store: removed {} unused archives and {} unfinished uploads", swept.charms_removed,
                 swept.uploads_removed);
  }
  domain::application::ApplicationService* applications = impl->applications.get();
  impl->charms->StartSweeping([applications] { return applications->CharmsInUse(); }, options.charm_sweep_interval,
                              options.charm_sweep_grace);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ControllerServer>> ControllerServer::Start(const ServerOptions& options) {
  if (options.tls.cert_pem.empty() || options.tls.key_pem.empty()) {
    return absl::FailedPreconditionError("the controller serves TLS only and has no certificate");
  }
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock;
  auto db = domain::Db::Open(options.db_path, *options.clock);
  if (!db.ok()) return db.status();
  impl->db = std::move(*db);
  impl->db->SetListener(&impl->hub);
  impl->executor = std::make_unique<Executor>(options.executor_threads);
  domain::Db* d = impl->db.get();
  impl->auth = std::make_unique<domain::auth::AuthService>(d);
  impl->authn = std::make_unique<Authenticator>(impl->auth.get());
  impl->models = std::make_unique<domain::model::ModelService>(d);
  impl->applications = std::make_unique<domain::application::ApplicationService>(d);
  impl->relations = std::make_unique<domain::relation::RelationService>(d);
  impl->units = std::make_unique<domain::unit::UnitService>(d);
  impl->presence = std::make_unique<domain::presence::AgentPresence>(*options.clock, options.agent_lost_after, &impl->hub);
  impl->status = std::make_unique<domain::status::StatusService>(d, impl->presence.get());
  impl->logs = std::make_unique<domain::log::LogService>(d);
  impl->actions = std::make_unique<domain::action::ActionService>(d);
  impl->leases = std::make_unique<domain::lease::LeaseManager>(d, options.lease_duration, *options.clock);
  impl->hooks = std::make_unique<domain::hook::HookService>(d, options.faults);
  impl->bundles = std::make_unique<domain::bundle::BundleService>(d, options.faults);
  impl->substrate = std::make_unique<domain::substrate::SubstrateService>(d);
  impl->model_config = std::make_unique<domain::model::ModelConfigService>(d);
  impl->model_lifecycle = std::make_unique<domain::model::ModelLifecycleService>(d, impl->presence.get());
  {
    auto cipher = options.secret_key.empty() ? domain::secret::SecretCipher::Ephemeral()
                                             : domain::secret::SecretCipher::FromKey(options.secret_key);
    if (!cipher.ok()) return cipher.status();
    impl->secrets = std::make_unique<domain::secret::SecretService>(d, std::move(*cipher));
  }
  impl->storage = std::make_unique<domain::storage::StorageService>(d);
  impl->resources = std::make_unique<domain::resource::ResourceService>(d);

  if (options.bootstrap) {
    auto created = impl->models->Bootstrap(*options.bootstrap);
    if (!created.ok()) return created.status();
    if (*created) spdlog::info("bootstrapped controller {}", options.bootstrap->controller_name);
  }
  if (auto info = impl->models->Controller(); !info.ok()) return info.status();
  if (absl::Status s = impl->models->ResetMachineAgents(); !s.ok()) return s;
  if (absl::Status s = OpenCharmStore(options, impl.get()); !s.ok()) return s;
  domain::application::CharmStore* charm_store = impl->charms.get();
  impl->plans = std::make_unique<domain::plan::PlanService>(
      d, &impl->hub, [charm_store](const std::string& sha256) { return charm_store->Read(sha256); },
      impl->presence.get(), options.faults);

  Backend backend{d,
                  &impl->hub,
                  impl->executor.get(),
                  impl->authn.get(),
                  impl->models.get(),
                  impl->applications.get(),
                  impl->relations.get(),
                  impl->units.get(),
                  impl->status.get(),
                  impl->logs.get()};
  backend.actions = impl->actions.get();
  backend.leases = impl->leases.get();
  backend.hooks = impl->hooks.get();
  backend.bundles = impl->bundles.get();
  backend.substrate = impl->substrate.get();
  backend.charms = impl->charms.get();
  backend.model_config = impl->model_config.get();
  backend.plans = impl->plans.get();
  backend.presence = impl->presence.get();
  backend.secrets = impl->secrets.get();
  backend.storage = impl->storage.get();
  backend.resources = impl->resources.get();
  // Kubernetes clouds' credentials live beside the database (cloud_store.h).
  impl->clouds = std::make_unique<domain::cloud::CloudStore>(
      d, options.cloud_dir.empty()
             ? (std::filesystem::path(options.db_path).parent_path() / "clouds").string()
             : options.cloud_dir,
      options.kube_clients);
  backend.clouds = impl->clouds.get();
  impl->controller_service = std::make_unique<ControllerService>(backend);
  impl->storage_api = std::make_unique<StorageApi>(backend);
  impl->agent_service = std::make_unique<AgentService>(backend);
  impl->model_manager_service = std::make_unique<ModelManagerService>(backend, impl->model_lifecycle.get());
  impl->secrets_service = std::make_unique<SecretsService>(backend);
  impl->machines = std::make_unique<domain::machine::MachineService>(d);
  impl->machine_manager_service = std::make_unique<MachineManagerService>(backend, impl->machines.get());
  impl->resources_service = std::make_unique<ResourcesService>(backend);
  impl->clouds_service = std::make_unique<CloudsService>(backend);

  // gRPC would otherwise bind with SO_REUSEPORT and share the port with a controller that
  // already serves there (seen: four controllers on one port, each with its own view).
  if (absl::Status free = process::CheckCanListen(options.listen); !free.ok()) {
    impl->executor->Shutdown();
    return free;
  }
  // TLS only; and every call's credential is checked when its headers arrive, so that a caller
  // without one is refused before its message is read (CredentialGate says why).
  std::shared_ptr<grpc::ServerCredentials> credentials = rpc::ServerCredentials(options.tls);
  credentials->SetAuthMetadataProcessor(std::make_shared<CredentialGate>(impl->authn.get()));
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options.listen, credentials, &impl->port);
  builder.RegisterService(impl->controller_service.get());
  builder.RegisterService(impl->agent_service.get());
  builder.RegisterService(impl->model_manager_service.get());
  builder.RegisterService(impl->secrets_service.get());
  builder.RegisterService(impl->storage_api.get());
  builder.RegisterService(impl->machine_manager_service.get());
  builder.RegisterService(impl->resources_service.get());
  builder.RegisterService(impl->clouds_service.get());
  // Long-lived streams: ping idle connections, and accept the agents' pings (lib/rpc sends
  // one every 10 s) instead of answering them with GOAWAY "too_many_pings".
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Fixed flow-control windows (lib/rpc's MakeChannel explains why).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, rpc::kStreamWindowBytes);
  // The largest legal request (lib/base/limits.h): charm archives move in chunks
  // (UploadCharm), so no request carries more. Replies are not capped, since every client
  // receives without limit.
  builder.SetMaxReceiveMessageSize(static_cast<int>(limits::kMaxRequestBytes));
  builder.SetMaxSendMessageSize(-1);
  impl->server = builder.BuildAndStart();
  if (!impl->server || impl->port == 0) {
    impl->executor->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  impl->leases->Start();
  impl->presence->Start();
  // Jobs a stopped controller left running continue (domain/plan/plan_service.h says why).
  if (auto resumed = impl->plans->ResumeInterrupted(); !resumed.ok()) {
    spdlog::error("cannot continue the plan jobs left running: {}", resumed.status().ToString());
  } else if (!resumed->empty()) {
    spdlog::info("continuing {} plan jobs left running", resumed->size());
  }
  impl->host = options.listen.substr(0, options.listen.rfind(':'));
  if (impl->host.empty() || impl->host == "0.0.0.0" || impl->host == "[::]") impl->host = "127.0.0.1";
  // The applications of Kubernetes models get their objects on the cluster (provisioner/).
  provisioner::ProvisionerOptions provisioner_options;
  provisioner_options.controller_addresses = absl::StrCat(impl->host, ":", impl->port);
  provisioner_options.controller_ca_pem = options.tls.cert_pem;
  impl->provisioner = std::make_shared<provisioner::ApplicationProvisioner>(
      impl->db.get(), &impl->hub, impl->clouds.get(), impl->applications.get(), options.clock,
      std::move(provisioner_options));
  impl->provisioner->Start();
  // What charms send goes to the cluster of their Kubernetes model (provisioner/manifests_*).
  impl->manifests = std::make_unique<provisioner::ManifestsReconciler>(*impl->db, *impl->substrate, *impl->clouds,
                                                                      impl->hub, *options.clock);
  impl->manifests->Start();
  return std::unique_ptr<ControllerServer>(new ControllerServer(std::move(impl)));
}

ControllerServer::ControllerServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ControllerServer::~ControllerServer() { Shutdown(); }

int ControllerServer::port() const { return impl_->port; }

std::string ControllerServer::address() const { return absl::StrCat(impl_->host, ":", impl_->port); }

domain::Db* ControllerServer::db() { return impl_->db.get(); }

size_t ControllerServer::watcher_count() { return impl_->hub.watcher_count(); }

void ControllerServer::Shutdown() {
  if (impl_->shut_down) return;
  impl_->shut_down = true;
  impl_->provisioner->Stop();
  impl_->manifests->Stop();
  impl_->hub.Shutdown();  // streams finish with OK once their last write is out, long polls unanswered
  impl_->server->Shutdown(impl_->clock->Deadline(std::chrono::seconds(5)));
  impl_->server->Wait();
  impl_->plans->Stop();  // a job in a wait stays running and continues at the next start
  impl_->leases->Stop();
  impl_->presence->Stop();
  impl_->charms->StopSweeping();
  impl_->executor->Shutdown();
  impl_->db->SetListener(nullptr);
}

}  // namespace skein::controller::api
