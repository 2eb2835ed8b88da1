#pragma once

// `skein kill-controller`: stops every local process of the controller in $SKEIN_DATA (the
// supervisors, machine agent, unit agents, hooks they left, controller; or its systemd units), removes its data dirs and unregisters it
// from client.yaml. Works from the pid files and, for robustness, from /proc (processes whose
// --data-dir lies under $SKEIN_DATA), so that it leaves no process and no socket behind even
// after a crash that lost a pid file.

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/cli/bootstrap/systemd_units.h"

namespace skein::cli::bootstrap {

struct KillOptions {
  std::string data_dir;
  std::string controller_name;           // empty = the one registered (or "local")
  std::chrono::milliseconds grace{15000};  // SIGTERM -> SIGKILL per daemon
  std::ostream* progress = nullptr;      // stderr
  // Where bootstrap --service=systemd put the units of this data dir (SKEIN_SYSTEMD_DIR).
  std::string systemd_dir = kDefaultSystemdDir;
};

// Errors:
//   NotFound  `controller "x" not found` when neither registered nor present in data_dir
//   Internal  a process survived SIGKILL, or the dirs could not be removed
absl::Status KillController(const KillOptions& options);

// Stops the local processes only (used by KillController and by bootstrap's rollback).
// Returns Internal naming the pids that are still alive afterwards.
absl::Status StopLocalProcesses(const std::string& data_dir, std::chrono::milliseconds grace, std::ostream& progress);

// The machine agents' dirs in data_dir (`machine-<id>`), machine 0's last: it hosts the units
// of every model, so it goes after the machines added to them.
std::vector<std::string> LocalMachineDirs(const std::string& data_dir);

// Stops one machine agent (its supervisor first), the unit agents it left and their uids'
// processes (remove-machine and kill-controller).
void StopMachineAgent(const std::string& machine_dir, std::chrono::milliseconds grace, std::ostream& progress);

}  // namespace skein::cli::bootstrap
