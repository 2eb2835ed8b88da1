// skein-controller: flags -> wiring. The controller itself is api::ControllerServer.
//
// `skein-controller --data-dir DIR` is both how bootstrap starts it and the documented restart
// command (README "Restarting the controller"): it serves on the address stored in DIR/address
// and holds DIR/controller.lock for its lifetime, so a second controller on DIR refuses to start.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "CLI/CLI.hpp"
#include "controller/api/server.h"
#include "controller/domain/fault/fault.h"
#include "controller/domain/model/bootstrap.h"
#include "controller/domain/model/model_config.h"
#include "controller/domain/secret/cipher.h"
#include "lib/base/clock.h"
#include "lib/base/duration.h"
#include "lib/base/file_write.h"
#include "lib/base/logging.h"
#include "lib/process/instance_lock.h"
#include "lib/process/subprocess.h"
#include "lib/rpc/tls.h"
#include "spdlog/spdlog.h"

namespace {

// The first line of the address file without surrounding blanks ("" when there is none).
std::string ReadStoredAddress(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const size_t begin = line.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return line.substr(begin, line.find_last_not_of(" \t\r") - begin + 1);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"skein-controller: the skein controller (SQLite + gRPC)"};
  std::string data_dir;
  std::string listen;  // empty = the stored address
  std::string bootstrap_file;
  int ready_fd = -1;
  std::string log_level = "info";
  app.add_option("--data-dir", data_dir, "controller data directory")->required();
  app.add_option("--listen", listen,
                 "HOST:PORT to serve on (default: the address stored in DIR/address, else 127.0.0.1:0)");
  app.add_option("--bootstrap-file", bootstrap_file, "bootstrap.yaml (default DIR/bootstrap.yaml)");
  app.add_option("--ready-fd", ready_fd, "file descriptor to write the address line to once serving");
  app.add_option("--log-level", log_level, "trace debug info warning error critical");
  std::string lease_duration = "60s";
  app.add_option("--lease-duration", lease_duration, "leadership lease length (e.g. 60s, 2s, 500ms); renewed at half");
  CLI11_PARSE(app, argc, argv);
  // A usage error is reported before anything is created or written. The lease reads Go's
  // duration syntax (`60s`, `1500ms`, `1m`), as every duration in skein; it lasts at least 1ms.
  auto lease = skein::ParseDuration(lease_duration);
  if (!lease.ok() || *lease < std::chrono::milliseconds(1)) {
    std::fprintf(stderr, "ERROR invalid --lease-duration \"%s\": %s\n", lease_duration.c_str(),
                 lease.ok() ? "a lease must last at least 1ms" : std::string(lease.status().message()).c_str());
    return 2;
  }

  // Crash-recovery tests arm a kill point (controller/domain/fault/fault.h); an unknown one is a
  // usage error, reported before anything is created or written.
  const char* fault_text = std::getenv(skein::controller::domain::fault::kEnvVar);
  auto fault_spec = skein::controller::domain::fault::ParseSpec(data_dir, fault_text != nullptr ? fault_text : "");
  if (!fault_spec.ok()) {
    std::fprintf(stderr, "ERROR %s\n", std::string(fault_spec.status().message()).c_str());
    return 2;
  }

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (bootstrap_file.empty()) bootstrap_file = (fs::path(data_dir) / "bootstrap.yaml").string();
  // One controller per data directory: a second one would share the database (and, with a
  // stored address, the port) with the first. Taken before anything is opened or written.
  auto lock = skein::process::InstanceLock::Acquire((fs::path(data_dir) / "controller.lock").string(),
                                                    "skein-controller");
  if (!lock.ok()) {
    std::fprintf(stderr, "ERROR %s\n", std::string(lock.status().message()).c_str());
    return 1;
  }
  if (absl::Status s = skein::InitLogging("controller", (fs::path(data_dir) / "controller.log").string(), log_level,
                                          false);
      !s.ok()) {
    std::fprintf(stderr, "ERROR %s\n", std::string(s.message()).c_str());
    return 1;
  }

  // Signals are taken synchronously by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  skein::controller::api::ServerOptions options;
  options.clock = &skein::RealClock();
  options.db_path = (fs::path(data_dir) / "controller.db").string();
  options.faults = skein::controller::domain::fault::Injector(*fault_spec);
  // The address file is what bootstrap chose and what the agents and the CLI dial: a restart
  // (`skein-controller --data-dir DIR`) binds exactly it, or fails.
  const std::string address_file = (fs::path(data_dir) / "address").string();
  if (listen.empty()) listen = ReadStoredAddress(address_file);
  options.listen = listen.empty() ? "127.0.0.1:0" : listen;
  options.lease_duration = std::chrono::duration_cast<std::chrono::milliseconds>(*lease);
  // Bootstrap created the CA and the certificate; one that does not name the address served
  // now (another --listen) is re-issued by the CA beside it.
  auto tls = skein::rpc::LoadControllerCertificate(data_dir, options.listen, *options.clock);
  if (!tls.ok()) {
    spdlog::critical("{}", std::string(tls.status().message()));
    std::fprintf(stderr, "ERROR %s\n", std::string(tls.status().message()).c_str());
    return 1;
  }
  options.tls = *tls;
  // The key secret content is sealed with, beside the CA and TLS key; made on the first start
  // (bootstrap) and kept from then on, since revisions sealed with it cannot be read without it.
  auto secret_key = skein::controller::domain::secret::LoadOrCreateKeyFile((fs::path(data_dir) / "secrets.key").string());
  if (!secret_key.ok()) {
    spdlog::critical("{}", std::string(secret_key.status().message()));
    std::fprintf(stderr, "ERROR %s\n", std::string(secret_key.status().message()).c_str());
    return 1;
  }
  options.secret_key = *secret_key;
  if (fs::exists(bootstrap_file)) {
    auto config = skein::controller::domain::model::LoadBootstrapFile(bootstrap_file);
    if (!config.ok()) {
      spdlog::critical("{}", std::string(config.status().message()));
      std::fprintf(stderr, "ERROR %s\n", std::string(config.status().message()).c_str());
      return 1;
    }
    options.bootstrap = *config;
  }
  auto server = skein::controller::api::ControllerServer::Start(options);
  if (!server.ok()) {
    spdlog::critical("{}", std::string(server.status().message()));
    std::fprintf(stderr, "ERROR %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  const std::string address_line = (*server)->address() + "\n";
  const std::string pid_file = (fs::path(data_dir) / "controller.pid").string();
  skein::process::WritePidFile(pid_file);
  // Written whole, so that a reader never sees half a line.
  if (absl::Status written = skein::WriteFileAtomic(address_file, address_line, 0644); !written.ok()) {
    spdlog::error("{}", std::string(written.message()));
  }
  spdlog::info("serving on {}", (*server)->address());
  if (ready_fd >= 0) {
    ssize_t n = write(ready_fd, address_line.data(), address_line.size());
    (void)n;
    close(ready_fd);
  }

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received signal {}, shutting down", sig);
  (*server)->Shutdown();
  // The address file stays: the next start serves on the same address.
  fs::remove(pid_file, ec);
  spdlog::info("stopped");
  return 0;
}
