// Fake skein-controller and skein-machine-agent for the bootstrap/kill-controller tests. They
// speak the same process contract as the real daemons (--data-dir, --ready-fd, pid files,
// SIGTERM) so that the CLI's side can be tested without the real controller and agents.
//
// Built twice: with FAKE_CONTROLLER defined it serves a FakeController (address from the ready
// pipe, credential hash from bootstrap.yaml); otherwise it plays the machine agent and leaves
// behind, on purpose, a process that only kill-controller's sweep can find (a "hook" whose
// JUJU_CHARM_DIR points into the data dir) and a unix socket under agents/.
//
// Environment switches (<WHO> is CONTROLLER or MACHINE_AGENT): SKEIN_FAKE_<WHO>_FAIL=1 exits 3
// before ready; SKEIN_FAKE_<WHO>_HANG=1 never becomes ready. The fake controller serves on the
// address stored in its data dir, as the real one does, and exits 1 with `ERROR address A in
// use` when it cannot; SKEIN_FAKE_CONTROLLER_PORT_TAKEN=1 makes its first start in a data dir
// fail that way, as if another process had taken the port bootstrap picked.

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "yaml-cpp/yaml.h"
#ifdef FAKE_CONTROLLER
#include "lib/rpc/tls.h"
#include "tests/tools/cli/fake_controller.h"
#endif

namespace {

bool Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && std::string(v) == "1";
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
}

int WaitForTerm() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

void Ready(int fd, const std::string& line) {
  if (fd < 0) return;
  std::string text = line + "\n";
  (void)!::write(fd, text.data(), text.size());
  ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data_dir;
  int ready_fd = -1;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--data-dir") data_dir = argv[i + 1];
    if (std::string(argv[i]) == "--ready-fd") ready_fd = std::atoi(argv[i + 1]);
  }
  if (data_dir.empty()) return 2;
  std::cerr << "fake daemon starting in " << data_dir << std::endl;
#ifdef FAKE_CONTROLLER
  const std::string who = "CONTROLLER";
#else
  const std::string who = "MACHINE_AGENT";
#endif
  if (Env(("SKEIN_FAKE_" + who + "_FAIL").c_str())) {
    std::cerr << "fake daemon: failing as asked" << std::endl;
    return 3;
  }
  if (Env(("SKEIN_FAKE_" + who + "_HANG").c_str())) {
    WaitForTerm();
    return 0;
  }
#ifdef FAKE_CONTROLLER
  YAML::Node bootstrap = YAML::LoadFile(data_dir + "/bootstrap.yaml");
  std::string stored;
  std::getline(std::ifstream(data_dir + "/address"), stored);
  const std::string taken_marker = data_dir + "/fake-port-taken";
  if (Env("SKEIN_FAKE_CONTROLLER_PORT_TAKEN") && !std::filesystem::exists(taken_marker)) {
    WriteText(taken_marker, stored + "\n");
    std::cerr << "ERROR address " << stored << " in use" << std::endl;
    return 1;
  }
  // The certificate bootstrap created, as the real controller loads it.
  auto tls = skein::rpc::LoadControllerCertificate(data_dir, stored.empty() ? "127.0.0.1:0" : stored,
                                                 skein::RealClock());
  if (!tls.ok()) {
    std::cerr << "ERROR " << tls.status().message() << std::endl;
    return 1;
  }
  skein::cli::testing::FakeControllerServer server(bootstrap["admin-credential-hash"].as<std::string>(),
                                                   stored.empty() ? "127.0.0.1:0" : stored, *tls);
  if (server.address().empty()) {
    std::cerr << "ERROR address " << stored << " in use" << std::endl;
    return 1;
  }
  WriteText(data_dir + "/controller.pid", std::to_string(::getpid()) + "\n");
  WriteText(data_dir + "/address", server.address() + "\n");
  Ready(ready_fd, server.address());
  WaitForTerm();
  std::filesystem::remove(data_dir + "/controller.pid");
#else
  YAML::Node conf = YAML::LoadFile(data_dir + "/agent.conf");
  if (conf["entity"].as<std::string>() != "machine-0" || conf["machine-id"].as<std::string>() != "0") return 4;
  if (conf["ca-cert"].as<std::string>("").find("BEGIN CERTIFICATE") == std::string::npos) return 4;
  WriteText(data_dir + "/machine-agent.pid", std::to_string(::getpid()) + "\n");
  const std::string unit_dir = data_dir + "/agents/0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10/unit-fake-0";
  std::filesystem::create_directories(unit_dir + "/charm");
  // A unix socket like a unit agent's.
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = unit_dir + "/agent.socket";
  std::strncpy(addr.sun_path, sock_path.c_str(), sizeof(addr.sun_path) - 1);
  (void)!::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  // An orphaned "hook" in its own session that ignores our shutdown.
  pid_t hook = ::fork();
  if (hook == 0) {
    ::setsid();
    ::setenv("JUJU_CHARM_DIR", (unit_dir + "/charm").c_str(), 1);
    ::execl("/bin/sleep", "sleep", "600", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  Ready(ready_fd, "ready");
  WaitForTerm();
  std::filesystem::remove(data_dir + "/machine-agent.pid");
#endif
  return 0;
}
