// skein-supervisor: runs one local daemon and restarts it when it fails (supervisor.h).
//
//   skein-supervisor --log PATH --pid-file PATH [--ready-fd N] [--ready-timeout-ms MS]
//                    [--stop-grace-ms MS] -- BINARY ARGS... [--ready-fd N]
//
// (A trailing `--ready-fd N` is ours too: bootstrap's StartDaemon appends it to any command.)
// BINARY gets its own --ready-fd; its first ready line is passed on to our --ready-fd, so that
// `skein bootstrap` waits for the daemon exactly as it would without us. SIGTERM or SIGINT stop
// the daemon and then us. Our own lines go to stderr, which bootstrap points at the daemon's log.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>

#include "lib/process/signals.h"
#include "lib/process/subprocess.h"
#include "tools/cli/bootstrap/supervisor.h"

namespace {

int Usage() {
  std::cerr << "usage: skein-supervisor --log PATH --pid-file PATH [--ready-fd N] [--ready-timeout-ms MS] "
               "[--stop-grace-ms MS] -- BINARY ARGS...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using skein::cli::bootstrap::Supervisor;
  using skein::cli::bootstrap::SupervisorOptions;
  SupervisorOptions options;
  std::string pid_file;
  int ready_fd = -1;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[++i];
    if (arg == "--log") {
      options.daemon.log_path = value;
    } else if (arg == "--pid-file") {
      pid_file = value;
    } else if (arg == "--ready-fd") {
      ready_fd = std::atoi(value.c_str());
    } else if (arg == "--ready-timeout-ms") {
      options.daemon.ready_timeout = std::chrono::milliseconds(std::atol(value.c_str()));
    } else if (arg == "--stop-grace-ms") {
      options.stop_grace = std::chrono::milliseconds(std::atol(value.c_str()));
    } else {
      return Usage();
    }
  }
  if (i >= argc || options.daemon.log_path.empty() || pid_file.empty()) return Usage();
  options.daemon.binary = argv[i];
  options.daemon.args.assign(argv + i + 1, argv + argc);
  // StartDaemon (bootstrap) appends `--ready-fd N` to the whole command line: that one is ours.
  // The daemon gets its own from our StartDaemon.
  auto& args = options.daemon.args;
  if (args.size() >= 2 && args[args.size() - 2] == "--ready-fd") {
    ready_fd = std::atoi(args.back().c_str());
    args.resize(args.size() - 2);
  }
  options.daemon.new_session = false;
  // Our ready pipe is bootstrap's: the daemon must not hold it open.
  if (ready_fd >= 0) ::fcntl(ready_fd, F_SETFD, FD_CLOEXEC);

  // Signals are taken by one thread; every other thread has them blocked (the daemon gets them
  // reset, see Spawn).
  sigset_t stop_signals = skein::process::BlockShutdownSignals();

  Supervisor supervisor(options, skein::RealClock(), std::cerr);
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    supervisor.Stop();
  });
  signals.detach();

  auto daemon = supervisor.Start();
  if (!daemon.ok()) {
    // The daemon's own last log line says why; bootstrap quotes it. Ours would hide it.
    return 1;
  }
  skein::process::WritePidFile(pid_file);
  if (ready_fd >= 0) {
    const std::string line = daemon->ready_line + "\n";
    (void)!::write(ready_fd, line.data(), line.size());
    ::close(ready_fd);
  }
  supervisor.Run();
  std::error_code ec;
  std::filesystem::remove(pid_file, ec);
  return 0;
}
