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
#include <vector>

#include "CLI/CLI.hpp"
#include "lib/process/signals.h"
#include "lib/process/subprocess.h"
#include "tools/cli/bootstrap/supervisor.h"

int main(int argc, char** argv) {
  using skein::cli::bootstrap::Supervisor;
  using skein::cli::bootstrap::SupervisorOptions;
  SupervisorOptions options;
  CLI::App app{"skein-supervisor: runs one local daemon and restarts it when it fails"};
  std::string pid_file;
  int ready_fd = -1;
  int64_t ready_timeout_ms = options.daemon.ready_timeout.count();
  int64_t stop_grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(options.stop_grace).count();
  std::vector<std::string> command;
  app.add_option("--log", options.daemon.log_path, "the daemon's log, where our lines go too")->required();
  app.add_option("--pid-file", pid_file, "where our pid is written while we run")->required();
  app.add_option("--ready-fd", ready_fd, "file descriptor to pass the daemon's ready line on to");
  app.add_option("--ready-timeout-ms", ready_timeout_ms, "how long the daemon may take to be ready");
  app.add_option("--stop-grace-ms", stop_grace_ms, "how long the daemon has to stop after SIGTERM");
  app.add_option("command", command, "BINARY ARGS... after --")->required();
  CLI11_PARSE(app, argc, argv);
  options.daemon.ready_timeout = std::chrono::milliseconds(ready_timeout_ms);
  options.stop_grace = std::chrono::milliseconds(stop_grace_ms);
  options.daemon.binary = command.front();
  options.daemon.args.assign(command.begin() + 1, command.end());
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
