#pragma once

// The unit agents of one machine as child processes: one `skein-agent --data-dir
// <agents>/<model-uuid>/unit-<app>-<n>` per unit placed on the machine. A machine hosts units of
// every model and two models may both have `app/0`, so everything here is keyed by
// (model UUID, unit name). Reconcile() makes the running set match the machine's snapshot:
//   - a unit without a running agent gets one: its dir (0700), a fresh credential registered
//     with the controller for that model's unit, agent.conf (0600, with the model UUID), then
//     the process (own session, stdout/stderr appended to its agent.log);
//   - an agent that exits while its unit is still listed is restarted with backoff (1 s .. 30 s);
//     exit code 0 of a dying unit is its normal end (it ran remove) and is not restarted;
//   - a unit no longer listed has its agent stopped (SIGTERM, SIGKILL after the grace period),
//     its dir and its socket's runtime dir (lib/base/runtime_dir.h) removed, and its model's
//     dir too once no unit of the model is left; nothing of another model is touched.
//   - a unit whose model UUID is not a UUID (it names a directory) is refused with an error log;
//   - the unit's storage instances get their directories, `<agents>/<model-uuid>/storage/<name>-<n>`
//     (0700, the unit's), before its agent starts and whenever the list grows (storage-add); they
//     stay when the unit goes, except those dying with it (--destroy-storage).
// Each child has a waiter thread blocked in waitpid, which wakes the machine agent's loop.
//
// Privilege separation (`unit_uids` set: the machine was bootstrapped as root): each unit agent
// and its hooks run under the unit's own uid and gid from that range, with no supplementary
// groups, HOME in its dir and no XDG_RUNTIME_DIR (its socket goes in /tmp/skein-<uid>, made here).
// The unit's dir is owned by that uid and closed to others; the dirs above it only let others
// pass through (0711), and everything else of the machine agent and the controller is 0600/0700
// root. The owner of a unit's dir is the record of its uid: a restarted machine agent finds every
// uid in use by looking at the dirs, a new unit takes the lowest free one, and a removed unit's
// uid is free again once every process of it is killed and its dir is gone. A unit whose charm
// declares `charm-user: root` runs as root; a refresh that changes that restarts its agent as
// the new user.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/base/unit_uids.h"
#include "lib/process/subprocess.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent {

// A unit agent's identity on a machine: unit names are unique only within a model.
struct UnitKey {
  std::string model_uuid;
  std::string unit;  // `app/0`
  auto operator<=>(const UnitKey&) const = default;
};

struct UnitAgentOptions {
  std::string agents_dir;   // <machine-dir>/agents
  std::string binary;       // skein-agent
  std::string controller;   // written into each unit's agent.conf
  std::string ca_cert;      // the controller's CA (PEM), written into each unit's agent.conf
  std::string machine_id;
  std::chrono::milliseconds restart_min{1000};
  std::chrono::milliseconds restart_max{30000};
  std::chrono::milliseconds stop_grace{5000};
  // The machine's unit uids; nullopt runs every unit agent as the machine agent runs.
  std::optional<UidRange> unit_uids;
};

// The directory to start separated unit agents from: `exe_dir` when other users can reach it, else
// `<machine_dir>/bin` with `binaries` hard-linked (or copied, across filesystems) from `exe_dir`,
// root-owned and 0755, replaced at every start so that they match the machine agent's build.
absl::StatusOr<std::string> UnitBinaryDir(const std::string& exe_dir, const std::string& machine_dir,
                                          const std::vector<std::string>& binaries);

class UnitAgentSupervisor {
 public:
  // Registers a unit's new credential with the controller (Agent.SetUnitCredential).
  using SetCredential = std::function<absl::Status(const v1::MachineUnit& unit, const std::string& credential)>;

  // `on_exit` is called (from a waiter thread) whenever a unit agent exits.
  // Restart backoff, healthy runs and the stop grace are measured on `clock` (the machine
  // agent's, which waits for the restart times Reconcile returns); it must outlive this.
  UnitAgentSupervisor(UnitAgentOptions options, Clock& clock, SetCredential set_credential,
                      std::function<void()> on_exit);
  ~UnitAgentSupervisor();

  // Stops unit agents a previous machine agent left running (their pid files in the unit dirs
  // under agents_dir), so that no unit ever has two agents.
  void StopLeftovers();
  // Brings the agents in line with `units` (see above). Returns when the next restart is due
  // (Clock::TimePoint::max() when none is pending). Call again after on_exit or that time.
  Clock::TimePoint Reconcile(const std::vector<v1::MachineUnit>& units);
  // destroy-model --destroy-storage (MachineSnapshot.storage_destroyed_models): removes what is
  // left of each model's storage directory once none of its units is on the machine.
  void RemoveDestroyedStorage(const std::vector<std::string>& model_uuids);
  // Stops every agent (SIGTERM to all, then SIGKILL to those still running after the grace).
  void StopAll();

  // The pid of a unit's running agent, for tests and logs.
  std::optional<pid_t> PidOf(const UnitKey& key) const;
  // The directory of a unit's agent: `<agents_dir>/<model-uuid>/unit-<app>-<n>`.
  std::string DirOf(const UnitKey& key) const;

 private:
  struct Child {
    v1::MachineUnit unit;  // as the controller lists it (name, application, model_uuid)
    std::string label;     // `app/0 (model <uuid>)`, for logs
    std::string dir;
    pid_t pid = 0;
    bool running = false;
    bool exited = false;  // set by the waiter thread; collected by Reconcile
    int exit_code = 0;
    bool finished = false;  // exited normally after its unit's removal: not restarted
    int failures = 0;       // consecutive exits, for the restart backoff
    Clock::TimePoint started_at{};
    Clock::TimePoint next_start{};
    std::thread waiter;
    // Who the running agent runs as: nullopt = as the machine agent (no separation).
    std::optional<process::SpawnOptions::Identity> identity;
  };

  // Who `child`'s agent must run as now, taking a free uid of the range for a unit without one.
  // ResourceExhausted when all 65,536 are taken.
  absl::StatusOr<std::optional<process::SpawnOptions::Identity>> IdentityFor(const Child& child);
  // Makes `dir` and what its previous owner had in it `identity`'s (the uid changes when a refresh
  // moves a charm to or from `charm-user: root`).
  absl::Status GiveDir(const std::string& dir, const process::SpawnOptions::Identity& identity);
  bool WrongIdentity(const Child& child) const;
  // Makes the directories of `child`'s storage instances and gives them to `identity` (nullopt:
  // they stay the machine agent's, as the unit agent runs as it).
  absl::Status PrepareStorage(const Child& child, const std::optional<process::SpawnOptions::Identity>& identity);

  absl::Status Start(Child& child);
  void CollectExit(Child& child, bool unit_dying);
  // Stops the listed children together. Called without mu_ held.
  void StopChildren(const std::vector<Child*>& children);
  // Removes a stopped unit's agent dir and runtime dir, then its model's dir if now empty.
  void RemoveUnitFiles(const Child& child);

  const UnitAgentOptions options_;
  Clock& clock_;
  const SetCredential set_credential_;
  const std::function<void()> on_exit_;

  // Also guards each Child's `exited` and `exit_code`, which its waiter thread sets.
  mutable Mutex mu_;
  CondVar exited_cv_;
  std::map<UnitKey, std::unique_ptr<Child>> children_ ABSL_GUARDED_BY(mu_);
  // The uids of the range owning a unit dir (read from the dirs once, then kept up to date).
  // Only the machine agent's loop thread (Reconcile) touches it.
  std::optional<std::set<uid_t>> uids_in_use_;
};

}  // namespace skein::agent
