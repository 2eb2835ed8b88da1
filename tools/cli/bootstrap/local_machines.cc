#include "tools/cli/bootstrap/local_machines.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/base/agent_conf.h"
#include "lib/process/subprocess.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/kill_controller.h"
#include "tools/cli/bootstrap/local_files.h"
#include "tools/cli/bootstrap/supervisor.h"

namespace skein::cli::bootstrap {
namespace fs = std::filesystem;
namespace {

std::string AbsoluteDataDir(const BootstrapOptions& o) { return fs::absolute(o.data_dir).lexically_normal().string(); }

// A new machine's agent is supervised when machine 0's is: that is how bootstrap chose to run
// the daemons (under systemd, whose units are bootstrap's alone, it is supervised too).
ServiceMode ModeOfMachineZero(const std::string& data_dir) {
  const std::string dir = LocalMachineDir(data_dir, "0");
  auto pid = process::ReadPidFile(dir + "/" + kSupervisorPidFile);
  if (pid && ProcessIs(*pid, kSupervisorBinary)) return ServiceMode::kSupervisor;
  if (fs::exists(dir + "/" + kSupervisorPidFile)) return ServiceMode::kSupervisor;
  auto agent = process::ReadPidFile(dir + "/machine-agent.pid");
  if (agent && ProcessIs(*agent, kMachineAgentBinary) && SystemdRuns()) return ServiceMode::kSupervisor;
  return ServiceMode::kNone;
}

}  // namespace

std::string LocalMachineDir(const std::string& data_dir, const std::string& id) {
  return absl::StrCat(data_dir, "/machine-", id);
}

absl::StatusOr<std::vector<std::optional<UidRange>>> NewMachineUnitUids(const BootstrapOptions& o, int count) {
  const std::string data_dir = AbsoluteDataDir(o);
  std::vector<std::optional<UidRange>> out(count);
  auto zero = ReadAgentConf(LocalMachineDir(data_dir, "0") + "/agent.conf");
  if (!zero.ok()) return zero.status();
  if (!zero->unit_uids) return out;
  std::set<uint32_t> taken;
  for (const std::string& dir : LocalMachineDirs(data_dir)) {
    if (auto conf = ReadAgentConf(dir + "/agent.conf"); conf.ok() && conf->unit_uids) {
      taken.insert(conf->unit_uids->first);
    }
  }
  // Each machine agent hands out the uids of its own range; ranges never overlap, so two
  // machines never run units under the same uid.
  uint32_t index = DefaultUidRangeIndex(data_dir);
  int found = 0;
  for (uint32_t tried = 0; tried < UidRange::kDefaults && found < count; ++tried) {
    UidRange range = DefaultUidRange(index + tried);
    bool overlaps = false;
    for (uint32_t first : taken) overlaps |= range.Contains(first) || UidRange{first}.Contains(range.first);
    if (overlaps || !CheckUidRangeIsFree(range, o.host_id_files).ok()) continue;
    taken.insert(range.first);
    out[found++] = range;
  }
  if (found < count) {
    return absl::FailedPreconditionError("no free uid range is left for the new machine's units");
  }
  return out;
}

absl::Status StartLocalMachine(const BootstrapOptions& o, const LocalMachine& machine) {
  const std::string data_dir = AbsoluteDataDir(o);
  const std::string dir = LocalMachineDir(data_dir, machine.id);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat("files of an earlier machine ", machine.id, " are still in ", dir,
                                                      "; remove them and add the machine again"));
  }
  const ServiceMode mode = ModeOfMachineZero(data_dir);
  if (auto s = MakePrivateDir(dir); !s.ok()) return s;
  AgentConf conf = MachineAgentConf(machine.controller, machine.credential, machine.id, machine.ca_cert);
  conf.unit_uids = machine.unit_uids;
  absl::Status started = WriteAgentConf(dir + "/agent.conf", conf);
  if (started.ok()) {
    DaemonSpec spec;
    spec.binary = o.bin_dir + "/" + kMachineAgentBinary;
    spec.args = {"--data-dir", dir};
    spec.log_path = dir + "/machine-agent.log";
    spec.ready_timeout = o.ready_timeout;
    BootstrapOptions as_run = o;
    as_run.service = mode;
    auto daemon = StartDaemon(SupervisedAsBootstrapRunsIt(spec, as_run, dir), *o.clock);
    started = daemon.status();
  }
  if (!started.ok()) {
    std::ostringstream ignored;
    StopMachineAgent(dir, std::chrono::milliseconds(5000), ignored);
    fs::remove_all(dir, ec);
  }
  return started;
}

absl::Status StopLocalMachine(const BootstrapOptions& o, const std::string& id) {
  const std::string dir = LocalMachineDir(AbsoluteDataDir(o), id);
  std::ostringstream quiet;
  StopMachineAgent(dir, std::chrono::milliseconds(15000), quiet);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot remove ", dir, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace skein::cli::bootstrap
