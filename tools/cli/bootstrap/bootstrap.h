#pragma once

// `skein bootstrap`: starts a local controller and the machine agent of machine 0 as daemons
// (each under a skein-supervisor that restarts it, or as systemd units) with their data dirs
// under $SKEIN_DATA, and registers the controller in client.yaml.
// All-or-nothing: on any failure what was started is stopped and what was written is removed.

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/clock.h"
#include "lib/base/unit_uids.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/systemd_units.h"

namespace skein::cli::bootstrap {

inline constexpr char kControllerBinary[] = "skein-controller";
inline constexpr char kMachineAgentBinary[] = "skein-machine-agent";
inline constexpr char kUnitAgentBinary[] = "skein-agent";

struct BootstrapOptions {
  std::string data_dir;                  // $SKEIN_DATA (made absolute)
  std::string controller_name = "local";
  std::string cloud = "local";
  std::string region = "localhost";
  std::string bin_dir;                   // where the daemons live (ExecutableDir())
  std::chrono::milliseconds ready_timeout{30000};
  std::ostream* progress = nullptr;      // stderr
  Clock* clock = &RealClock();           // the daemons' readiness waits; not owned
  // For tests: the controller's leadership lease (`2s`; empty = its default, juju-semantics §5:
  // 60 s).
  std::string controller_lease_duration;
  // Who restarts the daemons when they fail (systemd_units.h): skein-supervisor by default.
  ServiceMode service = ServiceMode::kSupervisor;
  // Where --service=systemd writes its units (SKEIN_SYSTEMD_DIR; default /etc/systemd/system).
  std::string systemd_dir = kDefaultSystemdDir;
  // Privilege separation (lib/base/unit_uids.h): the range machine 0's unit agents run under;
  // nullopt runs them as the daemons' user, for the reason in `shared_user_reason`.
  std::optional<UidRange> unit_uids;
  bool unit_uids_chosen = false;  // --unit-uids FIRST: that range or nothing; else the default's
  std::string shared_user_reason;
  HostIdFiles host_id_files;
};

// The --unit-uids flag: "" (the default range as root, none otherwise), `none`, or a first uid.
// Fills o.unit_uids and o.shared_user_reason. InvalidArgument for a bad number; FailedPrecondition
// for a range asked for without root.
absl::Status ChooseUnitUids(const std::string& flag, bool root, BootstrapOptions& o);

// How the controller and machine 0's agent of `o.data_dir` are started (binaries in o.bin_dir,
// o.ready_timeout, and the controller's test knobs): by Bootstrap and by RestoreBackup.
DaemonSpec ControllerDaemonSpec(const BootstrapOptions& o);
// NotFound `cannot find skein-controller in <bin_dir>` when a daemon binary is missing (the
// supervisor's too when o.service is kSupervisor); FailedPrecondition for --service=systemd on a
// host where systemd does not run.
absl::Status CheckDaemonBinaries(const BootstrapOptions& o);
// The controller's test knob as flags (--lease-duration), for its spec and its unit.
std::vector<std::string> ControllerFlags(const BootstrapOptions& o);
// `daemon` under skein-supervisor when o.service is kSupervisor (its pid file in `dir`), else as is.
DaemonSpec SupervisedAsBootstrapRunsIt(const DaemonSpec& daemon, const BootstrapOptions& o, const std::string& dir);
DaemonSpec MachineAgentDaemonSpec(const BootstrapOptions& o);

// Errors:
//   AlreadyExists       `controller "local" already exists` (registered, or its processes run)
//   FailedPrecondition  stale controller files from an earlier run are in the way
//   NotFound            a daemon binary (or skein-supervisor) is missing next to skein
//   FailedPrecondition  --service=systemd on a host where systemd does not run
//   FailedPrecondition  the unit uid range meets the host's users or subordinate ids, or
//                       $SKEIN_DATA is not reachable by other users (the units' uids)
//   Unavailable, DeadlineExceeded, Internal   a daemon did not start (message names its log)
absl::Status Bootstrap(const BootstrapOptions& options);

// The name a local controller in `data_dir` is known by: the registered one, else "local" when
// only its files exist; empty when there is none.
std::string ExistingControllerName(const std::string& data_dir);

}  // namespace skein::cli::bootstrap
