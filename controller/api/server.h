#pragma once

// The whole controller behind one object: database, hub, executor, domain services and the
// gRPC server with both services. main() and the API tests use it the same way.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/cloud/cloud_store.h"
#include "controller/domain/core/db.h"
#include "controller/domain/fault/fault.h"
#include "controller/domain/model/bootstrap.h"
#include "controller/domain/presence/agent_presence.h"
#include "lib/base/clock.h"
#include "lib/rpc/tls.h"
#include "controller/domain/model/model_config.h"

namespace skein::controller::api {

struct ServerOptions {
  std::string db_path;
  std::string listen = "127.0.0.1:0";
  // The certificate and key the controller presents (lib/rpc/tls.h). It serves TLS only: Start
  // refuses to run without them.
  rpc::KeyedCertificate tls;
  // Applied when the database is empty; an empty database without it is refused.
  std::optional<domain::model::BootstrapConfig> bootstrap;
  int executor_threads = 4;
  // Leadership lease length (juju-semantics §5: 60 s, renewed every 30 s); tests shorten it.
  std::chrono::milliseconds lease_duration = std::chrono::seconds(60);
  // The charm store (charm archives by SHA-256); "" = `charms/` beside the database. At start,
  // archives still in the database move there and whatever no application uses is removed;
  // afterwards a sweep every `charm_sweep_interval` removes archives unused (and uploads left
  // unfinished) for `charm_sweep_grace`.
  std::string charm_store_dir;
  std::chrono::seconds charm_sweep_interval = std::chrono::minutes(10);
  std::chrono::seconds charm_sweep_grace = std::chrono::hours(1);
  // Where every lease, sweep and stored timestamp reads the time (a simulated clock in tests).
  // Not owned; must outlive the server.
  Clock* clock = &RealClock();
  // How long an agent may be without a watch stream before it shows as lost (a unit's agent
  // `lost`, a machine `down`); tests shorten it.
  std::chrono::milliseconds agent_lost_after = domain::presence::kDefaultGrace;
  // The kill point armed for the crash-recovery tests (SKEIN_CONTROLLER_FAULT, read by main()):
  // none by default.
  domain::fault::Injector faults;
  // The key secret content is sealed with (domain/secret/cipher.h): 32 bytes from the data
  // directory's secrets.key. Empty (tests in-process): a key of this run only.
  std::string secret_key;
  // Where Kubernetes clouds' credentials are kept (mode 0700, files 0600); "" = `clouds/`
  // beside the database.
  std::string cloud_dir;
  // Makes the clients of Kubernetes clusters; null = lib/kube's. Tests substitute fakes.
  domain::cloud::ClientFactory kube_clients;
};

class ControllerServer {
 public:
  // Opens the database, bootstraps it if needed and starts serving.
  // FailedPrecondition `controller not bootstrapped` (empty database, no bootstrap config);
  // Unavailable `address <addr> in use` (another process listens there) or `cannot listen on
  // <addr>`; Internal for database errors.
  static absl::StatusOr<std::unique_ptr<ControllerServer>> Start(const ServerOptions& options);
  ~ControllerServer();

  int port() const;
  // `127.0.0.1:PORT` (the host part of --listen with the bound port).
  std::string address() const;

  // Ends every stream cleanly, stops the gRPC server (waiting a few seconds for calls in
  // flight), then the executor. Idempotent.
  void Shutdown();

  // For tests: the database behind the services.
  domain::Db* db();
  // For tests: how many streams and long polls the watch hub is feeding now.
  size_t watcher_count();

  struct Impl;

 private:
  explicit ControllerServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace skein::controller::api
