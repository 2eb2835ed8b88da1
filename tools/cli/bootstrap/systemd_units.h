#pragma once

// `skein bootstrap --service=systemd`: systemd units for the controller and the machine agent of
// a $SKEIN_DATA instead of skein-supervisor. The units are named after a hash of the data dir,
// `skein-<12 hex>-controller.service` and `skein-<12 hex>-machine-agent.service`, so that two
// data dirs on one host never share a unit; `kill-controller` removes them.

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace skein::cli::bootstrap {

// Where units go unless SKEIN_SYSTEMD_DIR names another directory (tests use a temp dir).
inline constexpr char kDefaultSystemdDir[] = "/etc/systemd/system";

enum class ServiceMode {
  kSupervisor,  // skein-supervisor restarts each daemon (the default)
  kSystemd,     // systemd units restart them
  kNone,        // nothing restarts them (for tests that restart a daemon by hand)
};

struct SystemdUnit {
  std::string name;     // skein-<hash>-controller.service
  std::string content;  // the unit file
};

struct SystemdUnitsSpec {
  std::string data_dir;  // absolute $SKEIN_DATA
  std::string bin_dir;   // absolute dir of skein-controller and skein-machine-agent
  // Extra controller flags (--lease-duration), as bootstrap passes them.
  std::vector<std::string> controller_args;
};

// `skein-<first 12 hex digits of sha256(data_dir)>`.
std::string SystemdUnitPrefix(const std::string& data_dir);

// The controller's unit, then the machine agent's (which starts after the controller's).
std::vector<SystemdUnit> SystemdUnits(const SystemdUnitsSpec& spec);

// Writes the units into `dir` (mode 0644). Internal on I/O errors.
absl::Status WriteSystemdUnits(const std::string& dir, const std::vector<SystemdUnit>& units);

// True when systemd manages this host (/run/systemd/system exists, as sd_booted(3) checks).
bool SystemdRuns();

// `systemctl daemon-reload` then `systemctl enable --now UNIT`. Internal with systemctl's
// message when it fails.
absl::Status StartSystemdUnit(const std::string& unit);

// The units of `data_dir` in `dir`, newest first: stopped and disabled (`systemctl disable
// --now`, only when systemd runs) and removed; their names go to `removed`. Internal when one
// exists and cannot be removed.
absl::Status StopSystemdUnits(const std::string& dir, const std::string& data_dir, std::vector<std::string>* removed);

}  // namespace skein::cli::bootstrap
