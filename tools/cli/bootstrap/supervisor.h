#pragma once

// skein-supervisor: keeps one local daemon (the controller or the machine agent) running. It
// starts the daemon, passes its ready line on, and when the daemon exits other than cleanly
// starts it again after a backoff (1 s doubling to 30 s, back to 1 s once a run lasted a
// minute), logging each restart. A clean exit (code 0, or SIGTERM/SIGINT: what `kill-controller`
// and an operator's `kill` send) ends supervision, as systemd's Restart=on-failure does, so the
// two service modes of `skein bootstrap` behave alike. The daemon shares the supervisor's process
// group: a signal to the group (bootstrap's rollback, kill-controller) reaches both.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/process/subprocess.h"
#include "lib/rpc/retry.h"
#include "tools/cli/bootstrap/daemon.h"

namespace skein::cli::bootstrap {

inline constexpr char kSupervisorBinary[] = "skein-supervisor";
// In the daemon's data dir (controller/, machine-0/), next to the daemon's own pid file.
inline constexpr char kSupervisorPidFile[] = "supervisor.pid";

// 1 s doubling to 30 s, without jitter: one daemon per supervisor, nothing to spread out.
inline constexpr rpc::BackoffPolicy kSupervisorRestart{std::chrono::seconds(1), std::chrono::seconds(30), 2.0, 0.0};
// A daemon that ran this long before it exited is restarted after the initial delay again.
inline constexpr std::chrono::seconds kSupervisorStableAfter{60};

struct SupervisorOptions {
  DaemonSpec daemon;  // what runs; its log also receives the supervisor's lines
  rpc::BackoffPolicy backoff = kSupervisorRestart;
  Clock::Duration stable_after = kSupervisorStableAfter;
  // SIGTERM -> SIGKILL when the supervisor is stopped.
  std::chrono::milliseconds stop_grace{10000};
};

// Why the daemon's last run ended, as the log line says it.
std::string DescribeExit(const process::RunResult& result);
// True for an exit that ends supervision: code 0, or SIGTERM/SIGINT.
bool IsCleanExit(const process::RunResult& result);

class Supervisor {
 public:
  // `log` receives one line per start failure, exit and restart; not owned.
  Supervisor(SupervisorOptions options, Clock& clock, std::ostream& log);
  // Stops the daemon if it still runs.
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // The first start: StartDaemon's result (its errors when the daemon never got ready).
  absl::StatusOr<Daemon> Start();
  // After a successful Start: restarts the daemon whenever it exits other than cleanly, until it
  // exits cleanly or Stop() is called (then the daemon is stopped first).
  void Run();
  // From any thread (a signal handler thread): ends Run.
  void Stop();

  // The pid of the daemon's current run (0 between runs) and how often it was restarted.
  pid_t pid() const;
  int restarts() const;

 private:
  // Starts a waiter thread that reaps `pid` and records how it ended.
  void Watch(pid_t pid);
  void Log(const std::string& line);
  // Stops the current run (if any) and joins its waiter.
  void StopDaemon();

  const SupervisorOptions options_;
  Clock& clock_;
  std::ostream& log_;
  const std::string name_;
  std::thread waiter_;
  mutable Mutex mu_;
  CondVar changed_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  pid_t pid_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<process::RunResult> exit_ ABSL_GUARDED_BY(mu_);
  int restarts_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace skein::cli::bootstrap
