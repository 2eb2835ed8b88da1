#pragma once

// Supervises a charm's workload processes, like Pebble (DESIGN §9): the charm hands over the
// complete plan (which services, with which command and environment), the supervisor makes the
// running processes match it and keeps them running.
//
// - Each service runs in its own process group (so stopping it stops everything it started),
//   with cwd = working_dir, exactly the spec's environment (plus a default PATH when the spec
//   has none), stdin from /dev/null and stdout+stderr appended to `<state-dir>/<name>.log`.
// - A service that exits on its own is restarted after a backoff: 0.5 s, doubling up to 10 s,
//   back to 0.5 s when the last run lasted longer than 30 s. What is left of its process group
//   is killed first, so a restart never runs next to leftovers of the previous run.
// - The plan is persisted (`<state-dir>/plan.json`), so that Start() after an agent restart
//   brings the same services back without waiting for a hook.
//
// One thread per service blocks in waitid() for its process and waits for the backoff on a
// condition variable, so supervision costs no polling and Stop() interrupts it at once.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::agent::workload {

struct ServiceSpec {
  std::string name;                                // [A-Za-z0-9._-]+, unique in a plan, not `plan`
  std::vector<std::string> command;                // argv; argv[0] without `/` is looked up in PATH
  std::map<std::string, std::string> environment;  // the complete environment
  std::string working_dir;                         // empty = the state dir

  bool operator==(const ServiceSpec&) const = default;
};

struct ServiceInfo {
  std::string name;
  bool running = false;
  pid_t pid = 0;     // 0 when not running
  int restarts = 0;  // restarts by the restart policy since the service was (re)planned
  // Exit code of the last run, 128+signal when killed by a signal; nullopt before any exit.
  std::optional<int> last_exit_status;
  std::string last_error;  // why the last start failed, empty when it did not
};

struct SupervisorOptions {
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{10000};
  // A run longer than this resets the backoff to initial_backoff.
  std::chrono::milliseconds reset_after{30000};
  // Stop(): time between SIGTERM and SIGKILL.
  std::chrono::milliseconds kill_grace{3000};
  // Services get SIGTERM when the agent dies, even by SIGKILL (process::SpawnOptions
  // die_with_parent): daemons that must not outlive it, as a unit's Pebble.
  bool die_with_agent = false;
};

class Supervisor {
 public:
  // `state_dir` (e.g. `<agent-dir>/workload`) holds the plan and the services' logs; it is
  // created when first needed. Backoff, the healthy-run reset and the kill grace are measured
  // on `clock`, which must outlive the supervisor.
  Supervisor(std::string state_dir, Clock& clock, SupervisorOptions options = {});
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Makes `services` the complete plan: starts new services, restarts those whose spec changed,
  // stops those no longer listed, leaves the others running. The plan is persisted before any
  // process changes. A service that cannot be started (e.g. its command does not exist) is
  // retried by the restart policy and reports why in ServiceInfo::last_error.
  // Errors: InvalidArgument for an invalid or duplicate name or an empty command (nothing
  // changes); Internal when the plan cannot be written (nothing changes); FailedPrecondition
  // after Stop().
  absl::Status Replan(const std::vector<ServiceSpec>& services);

  // Starts the persisted plan, if any (after an agent restart).
  // Errors: DataLoss when plan.json cannot be parsed; Internal when it cannot be read;
  // FailedPrecondition after Stop().
  absl::Status Start();

  // The services of the current plan, sorted by name.
  std::vector<ServiceInfo> Services() const;

  // Stops every service (SIGTERM to its process group, SIGKILL after kill_grace) and waits for
  // them. Nothing restarts afterwards; the persisted plan stays for the next Start(). Idempotent.
  void Stop();

 private:
  struct Service {
    ServiceSpec spec;
    std::thread thread;
    // Guarded by mu_.
    bool stop = false;
    pid_t pid = 0;
    int restarts = 0;
    std::optional<int> last_exit_status;
    std::string last_error;
  };

  void Apply(const std::vector<ServiceSpec>& services) ABSL_EXCLUSIVE_LOCKS_REQUIRED(plan_mu_);
  void Supervise(Service* service);
  void StopServices(std::vector<std::unique_ptr<Service>> services);
  absl::Status WritePlan(const std::vector<ServiceSpec>& services) const;

  const std::string dir_;
  Clock& clock_;
  const SupervisorOptions options_;
  // Serializes Replan, Start and Stop, which may block while services stop.
  Mutex plan_mu_;
  bool stopped_ ABSL_GUARDED_BY(plan_mu_) = false;
  mutable Mutex mu_;
  CondVar cv_;  // signalled when a service stops running or is told to stop
  std::map<std::string, std::unique_ptr<Service>> services_;  // guarded by plan_mu_ and mu_
};

}  // namespace skein::agent::workload
