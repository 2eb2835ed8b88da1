#include "tools/cli/bootstrap/bootstrap.h"

#include <sys/stat.h>

#include <filesystem>
#include <ostream>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/agent_conf.h"
#include "lib/base/credential.h"
#include "lib/base/file_write.h"
#include "lib/base/paths.h"
#include "lib/process/subprocess.h"
#include "lib/rpc/tls.h"
#include "tools/cli/bootstrap/controller_port.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/local_files.h"
#include "tools/cli/bootstrap/supervisor.h"
#include "tools/cli/bootstrap/systemd_units.h"
#include "tools/cli/client/client_store.h"
#include "tools/cli/client/connection.h"

namespace skein::cli::bootstrap {
namespace fs = std::filesystem;
namespace {

// Undoes a half-done bootstrap: stops the daemons (newest first) and removes the dirs.
class Rollback {
 public:
  ~Rollback() {
    if (done_) return;
    for (auto it = pids_.rbegin(); it != pids_.rend(); ++it) StopProcess(*it, std::chrono::milliseconds(5000));
    if (!units_data_dir_.empty()) (void)StopSystemdUnits(units_dir_, units_data_dir_, nullptr);
    std::error_code ec;
    for (const auto& dir : dirs_) fs::remove_all(dir, ec);
  }
  void AddPid(pid_t pid) { pids_.push_back(pid); }
  void AddDir(const std::string& dir) { dirs_.push_back(dir); }
  void AddSystemdUnits(const std::string& dir, const std::string& data_dir) {
    units_dir_ = dir;
    units_data_dir_ = data_dir;
  }
  void Commit() { done_ = true; }

 private:
  bool done_ = false;
  std::vector<pid_t> pids_;
  std::vector<std::string> dirs_;
  std::string units_dir_, units_data_dir_;
};

bool LocalProcessRuns(const std::string& data_dir, const std::string& dir, const std::string& pid_file,
                      const std::string& binary) {
  auto pid = process::ReadPidFile(data_dir + "/" + dir + "/" + pid_file);
  return pid && ProcessIs(*pid, binary);
}

// `spec` run by skein-supervisor (supervisor.h), which writes `pid_file` and passes the daemon's
// ready line on. The supervisor's own readiness wait is longer than ours, so that a daemon that
// is late is reported by us, by its name, and the supervisor (with the daemon in its process
// group) is stopped by our rollback.
DaemonSpec Supervised(const DaemonSpec& daemon, const std::string& supervisor_binary, const std::string& pid_file) {
  DaemonSpec s;
  s.binary = supervisor_binary;
  s.display_name = fs::path(daemon.binary).filename().string();
  s.args = {"--log",  daemon.log_path, "--pid-file", pid_file, "--ready-timeout-ms",
            std::to_string((daemon.ready_timeout + std::chrono::seconds(10)).count()), "--", daemon.binary};
  s.args.insert(s.args.end(), daemon.args.begin(), daemon.args.end());
  s.log_path = daemon.log_path;
  s.ready_timeout = daemon.ready_timeout;
  return s;
}

// The daemon as `mode` runs it (systemd is handled by the caller).
DaemonSpec AsRun(const DaemonSpec& daemon, ServiceMode mode, const std::string& bin_dir, const std::string& dir) {
  if (mode != ServiceMode::kSupervisor) return daemon;
  return Supervised(daemon, bin_dir + "/" + kSupervisorBinary, dir + "/" + kSupervisorPidFile);
}

// The daemon's pid as it wrote it to its pid file (under a supervisor the started pid is the
// supervisor's); 0 when unknown.
pid_t DaemonPid(const std::string& pid_file) { return process::ReadPidFile(pid_file).value_or(0); }

// How the progress line names who restarts a daemon.
std::string Supervision(ServiceMode mode, pid_t supervisor) {
  if (mode != ServiceMode::kSupervisor) return ", not supervised";
  return absl::StrCat(", supervised by ", kSupervisorBinary, " (pid ", supervisor, ")");
}

// --service=systemd: picks the controller's port as bootstrap always does, writes both units
// and starts the controller's. Returns the address it will serve on.
absl::StatusOr<std::string> StartControllerUnit(const std::vector<SystemdUnit>& units, const std::string& systemd_dir,
                                                const std::string& address_file) {
  std::mt19937 rng(std::random_device{}());
  auto port = PickControllerPort(HostControllerPortRange(), rng);
  if (!port.ok()) return port.status();
  const std::string address = absl::StrCat("127.0.0.1:", *port);
  if (auto s = WriteFileAtomic(address_file, address + "\n", 0600); !s.ok()) return s;
  if (auto s = WriteSystemdUnits(systemd_dir, units); !s.ok()) return s;
  if (auto s = StartSystemdUnit(units[0].name); !s.ok()) return s;
  return address;
}

// Attempts at starting the controller on a freshly picked port; each fails only when another
// process took the port between the pick and the controller's bind (parallel bootstraps).
constexpr int kControllerPortAttempts = 5;

// Picks the controller's port, stores it in `address_file` and starts the controller exactly as
// a restart does (it binds the stored address). When the port was taken meanwhile the
// controller exits with `ERROR address 127.0.0.1:P in use` and another port is tried.
absl::StatusOr<Daemon> StartControllerOnStoredPort(const DaemonSpec& spec, const std::string& address_file,
                                                   const Clock& clock, std::ostream& progress) {
  std::mt19937 rng(std::random_device{}());
  const PortRange range = HostControllerPortRange();
  absl::Status last;
  for (int attempt = 0; attempt < kControllerPortAttempts; ++attempt) {
    auto port = PickControllerPort(range, rng);
    if (!port.ok()) return port.status();
    const std::string address = absl::StrCat("127.0.0.1:", *port);
    if (auto s = WriteFileAtomic(address_file, address + "\n", 0600); !s.ok()) return s;
    auto controller = StartDaemon(spec, clock);
    if (controller.ok()) return controller;
    last = controller.status();
    if (!absl::StrContains(last.message(), absl::StrCat("address ", address, " in use"))) return last;
    progress << " - port " << *port << " was taken meanwhile, trying another\n";
  }
  return last;
}

}  // namespace

std::string ExistingControllerName(const std::string& data_dir) {
  auto config = client::LoadClientConfig(data_dir);
  if (config.ok() && !config->controllers.empty()) {
    auto current = client::CurrentController(*config);
    if (current.ok()) return current->first;
  }
  std::error_code ec;
  if (fs::exists(data_dir + "/controller", ec) || fs::exists(data_dir + "/machine-0", ec)) return "local";
  return "";
}

absl::Status CheckDaemonBinaries(const BootstrapOptions& o) {
  std::vector<const char*> needed = {kControllerBinary, kMachineAgentBinary};
  if (o.service == ServiceMode::kSupervisor) needed.push_back(kSupervisorBinary);
  if (o.service == ServiceMode::kSystemd && !SystemdRuns()) {
    return absl::FailedPreconditionError(
        "--service=systemd needs systemd running on this host (there is no /run/systemd/system)");
  }
  for (const char* name : needed) {
    if (::access((o.bin_dir + "/" + name).c_str(), X_OK) != 0) {
      return absl::NotFoundError(absl::StrCat("cannot find ", name, " in ", o.bin_dir));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ControllerFlags(const BootstrapOptions& o) {
  std::vector<std::string> flags;
  if (!o.controller_lease_duration.empty()) flags = {"--lease-duration", o.controller_lease_duration};
  return flags;
}

DaemonSpec SupervisedAsBootstrapRunsIt(const DaemonSpec& daemon, const BootstrapOptions& o, const std::string& dir) {
  return AsRun(daemon, o.service, o.bin_dir, dir);
}

DaemonSpec ControllerDaemonSpec(const BootstrapOptions& o) {
  const std::string controller_dir = fs::absolute(o.data_dir).lexically_normal().string() + "/controller";
  DaemonSpec spec;
  spec.binary = o.bin_dir + "/" + kControllerBinary;
  spec.args = {"--data-dir", controller_dir};
  const std::vector<std::string> flags = ControllerFlags(o);
  spec.args.insert(spec.args.end(), flags.begin(), flags.end());
  spec.log_path = controller_dir + "/controller.log";
  spec.ready_timeout = o.ready_timeout;
  return spec;
}

DaemonSpec MachineAgentDaemonSpec(const BootstrapOptions& o) {
  const std::string machine_dir = fs::absolute(o.data_dir).lexically_normal().string() + "/machine-0";
  DaemonSpec spec;
  spec.binary = o.bin_dir + "/" + kMachineAgentBinary;
  spec.args = {"--data-dir", machine_dir};
  spec.log_path = machine_dir + "/machine-agent.log";
  spec.ready_timeout = o.ready_timeout;
  return spec;
}

absl::Status ChooseUnitUids(const std::string& flag, bool root, BootstrapOptions& o) {
  o.unit_uids.reset();
  if (flag == "none") {
    o.shared_user_reason = "--unit-uids none";
    return absl::OkStatus();
  }
  if (!root) {
    if (!flag.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("--unit-uids ", flag, " needs root: only root can run unit agents under other uids"));
    }
    o.shared_user_reason = "bootstrap was not run as root";
    return absl::OkStatus();
  }
  o.unit_uids_chosen = !flag.empty();
  auto range = flag.empty() ? absl::StatusOr<UidRange>(DefaultUidRange(DefaultUidRangeIndex(o.data_dir)))
                            : ParseUidRangeFirst(flag);
  if (!range.ok()) return range.status();
  o.unit_uids = *range;
  return absl::OkStatus();
}

absl::Status Bootstrap(const BootstrapOptions& o) {
  std::ostream& progress = *o.progress;
  const std::string data_dir = fs::absolute(o.data_dir).lexically_normal().string();
  const std::string controller_dir = data_dir + "/controller";
  const std::string machine_dir = data_dir + "/machine-0";

  auto config = client::LoadClientConfig(data_dir);
  if (!config.ok()) return config.status();
  if (!config->controllers.empty()) {
    return absl::AlreadyExistsError(
        absl::StrCat("controller \"", ExistingControllerName(data_dir), "\" already exists"));
  }
  if (LocalProcessRuns(data_dir, "controller", "controller.pid", kControllerBinary) ||
      LocalProcessRuns(data_dir, "machine-0", "machine-agent.pid", kMachineAgentBinary)) {
    return absl::AlreadyExistsError("controller \"local\" already exists");
  }
  std::error_code ec;
  if (fs::exists(controller_dir, ec) || fs::exists(machine_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("files of an earlier controller are still in ", data_dir,
                     "; run \"skein kill-controller --no-prompt\" to remove them"));
  }
  if (auto s = CheckDaemonBinaries(o); !s.ok()) return s;
  std::optional<UidRange> unit_uids = o.unit_uids;
  if (unit_uids && !o.unit_uids_chosen) {
    // The data dir's default range, or the next free one when the host's ids meet it.
    const uint32_t first = DefaultUidRangeIndex(data_dir);
    for (uint32_t i = 0; i < UidRange::kDefaults; ++i) {
      unit_uids = DefaultUidRange(first + i);
      if (CheckUidRangeIsFree(*unit_uids, o.host_id_files).ok()) break;
    }
  }
  if (unit_uids) {
    if (auto s = CheckUidRangeIsFree(*unit_uids, o.host_id_files); !s.ok()) return s;
    if (std::string blocker; !ReachableByOthers(data_dir, &blocker)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "unit agents run under their own uids and could not reach ", data_dir, ": ", blocker,
          " is closed to other users; choose a data directory they can reach (SKEIN_DATA=/var/lib/skein), "
          "let them through (chmod o+x ", blocker, "), or bootstrap --unit-uids none to run every unit as root"));
    }
  }

  progress << "Creating Juju controller \"" << o.controller_name << "\" on " << o.cloud << "/" << o.region << "\n";
  Rollback rollback;
  if (auto s = MakePrivateDir(data_dir); !s.ok()) return s;
  // Separated unit agents pass through $SKEIN_DATA to their dirs; they cannot list it.
  if (unit_uids) ::chmod(data_dir.c_str(), 0711);
  rollback.AddDir(controller_dir);
  if (auto s = MakePrivateDir(controller_dir); !s.ok()) return s;

  const std::string admin_secret = NewCredential();
  const std::string machine_secret = NewCredential();
  BootstrapConfig bc;
  bc.controller_name = o.controller_name;
  bc.controller_uuid = NewUuid();
  bc.admin_credential_hash = HashCredential(admin_secret);
  bc.machine0_credential_hash = HashCredential(machine_secret);
  bc.machine0_hostname = HostName();
  if (unit_uids) bc.machine0_unit_uids = unit_uids->ToString();
  if (auto s = WriteFileAtomic(controller_dir + "/bootstrap.yaml", BootstrapYaml(bc), 0600); !s.ok()) return s;
  // The CA and the controller's certificate (lib/rpc/tls.h). The controller always listens on
  // 127.0.0.1 here; it re-issues its certificate itself when started with another --listen.
  if (auto s = rpc::CreateControllerCertificates(controller_dir, "127.0.0.1:0", *o.clock); !s.ok()) return s;
  auto ca_cert = rpc::ReadCaCertificate(controller_dir);
  if (!ca_cert.ok()) return ca_cert.status();

  progress << "Launching controller process on " << o.cloud << "/" << o.region << "...\n";
  const std::vector<std::string> controller_flags = ControllerFlags(o);
  std::vector<SystemdUnit> units;
  std::string address;
  if (o.service == ServiceMode::kSystemd) {
    units = SystemdUnits({data_dir, fs::absolute(o.bin_dir).lexically_normal().string(), controller_flags});
    rollback.AddSystemdUnits(o.systemd_dir, data_dir);
    auto started = StartControllerUnit(units, o.systemd_dir, controller_dir + "/address");
    if (!started.ok()) return started.status();
    address = *started;
    progress << " - " << units[0].name << " started, serving on " << address << "\n";
  } else {
    auto controller = StartControllerOnStoredPort(AsRun(ControllerDaemonSpec(o), o.service, o.bin_dir, controller_dir),
                                                  controller_dir + "/address", *o.clock, progress);
    if (!controller.ok()) return controller.status();
    rollback.AddPid(controller->pid);
    address = controller->ready_line;
    progress << " - " << kControllerBinary << " (pid " << DaemonPid(controller_dir + "/controller.pid")
             << ") serving on " << address << Supervision(o.service, controller->pid) << "\n";
  }

  progress << "Contacting Juju controller at " << address << " to verify accessibility...\n";
  client::ControllerEntry entry{address, bc.controller_uuid, admin_secret, "controller", *ca_cert};
  {
    // The admin credential works and the controller model exists. The channel is closed
    // before the machine agent is started. A systemd unit gives no ready line, so the first
    // answer is awaited.
    client::Connection connection(data_dir, o.controller_name, entry);
    const Clock::TimePoint deadline = o.clock->Now() + o.ready_timeout;
    while (true) {
      auto models = connection.Call(&skein::v1::Controller::StubInterface::ListModels, skein::v1::ListModelsRequest());
      if (models.ok()) break;
      if (o.service != ServiceMode::kSystemd || o.clock->Now() >= deadline) return models.status();
      o.clock->SleepFor(std::chrono::milliseconds(200));
    }
  }

  progress << "Starting machine agent for machine \"0\"\n";
  rollback.AddDir(machine_dir);
  if (auto s = MakePrivateDir(machine_dir); !s.ok()) return s;
  AgentConf machine_conf = MachineAgentConf(address, machine_secret, "0", *ca_cert);
  machine_conf.unit_uids = unit_uids;
  if (unit_uids) {
    progress << " - unit agents run under their own uids " << unit_uids->ToString() << "\n";
  } else {
    progress << " - unit agents run as the controller's user, without privilege separation: "
             << o.shared_user_reason << "\n";
  }
  if (auto s = WriteAgentConf(machine_dir + "/agent.conf", machine_conf); !s.ok()) return s;
  if (o.service == ServiceMode::kSystemd) {
    if (auto s = StartSystemdUnit(units[1].name); !s.ok()) return s;
    const std::string pid_file = machine_dir + "/machine-agent.pid";
    const Clock::TimePoint deadline = o.clock->Now() + o.ready_timeout;
    while (!LocalProcessRuns(data_dir, "machine-0", "machine-agent.pid", kMachineAgentBinary)) {
      if (o.clock->Now() >= deadline) {
        return absl::DeadlineExceededError(absl::StrCat(units[1].name, " was not running after ",
                                                        o.ready_timeout.count(), "ms; see journalctl -u ",
                                                        units[1].name));
      }
      o.clock->SleepFor(std::chrono::milliseconds(200));
    }
    progress << " - " << units[1].name << " started (pid " << DaemonPid(pid_file) << ")\n";
  } else {
    auto machine = StartDaemon(AsRun(MachineAgentDaemonSpec(o), o.service, o.bin_dir, machine_dir), *o.clock);
    if (!machine.ok()) return machine.status();
    rollback.AddPid(machine->pid);
    progress << " - " << kMachineAgentBinary << " (pid " << DaemonPid(machine_dir + "/machine-agent.pid") << ")"
             << Supervision(o.service, machine->pid) << "\n";
  }

  client::ClientConfig client_config;
  client_config.current_controller = o.controller_name;
  client_config.controllers[o.controller_name] = entry;
  if (auto s = client::SaveClientConfig(data_dir, client_config); !s.ok()) return s;
  rollback.Commit();

  progress << "\nBootstrap complete, controller \"" << o.controller_name << "\" is now available\n"
           << "Controller machines are in the \"controller\" model\n\n"
           << "Now you can run\n\tskein add-model <model-name>\nto create a new model to deploy workloads.\n";
  return absl::OkStatus();
}

}  // namespace skein::cli::bootstrap
