#include "tools/cli/bootstrap/kill_controller.h"

#include <sys/stat.h>

#include <algorithm>
#include <limits>
#include <filesystem>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "lib/base/agent_conf.h"
#include "lib/base/names.h"
#include "lib/base/runtime_dir.h"
#include "lib/process/subprocess.h"
#include "tools/cli/bootstrap/bootstrap.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/supervisor.h"
#include "tools/cli/bootstrap/systemd_units.h"
#include "tools/cli/client/client_store.h"

namespace skein::cli::bootstrap {
namespace fs = std::filesystem;
namespace {

// Pids of `binary` known from its pid file plus those found in /proc with a data dir at `dir`.
std::vector<pid_t> DaemonPids(const std::string& dir, const std::string& pid_file, const std::string& binary) {
  std::set<pid_t> pids;
  if (auto pid = process::ReadPidFile(dir + "/" + pid_file); pid && ProcessIs(*pid, binary)) pids.insert(*pid);
  for (pid_t pid : FindProcessesUnder(dir)) {
    if (ProcessIs(pid, binary)) pids.insert(pid);
  }
  return {pids.begin(), pids.end()};
}

// The unit agent dirs of a machine: `<agents>/<model-uuid>/unit-<app>-<n>` (lib/base/paths.h).
std::vector<fs::path> UnitAgentDirs(const std::string& agents_dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (!fs::is_directory(agents_dir, ec)) return dirs;
  for (const auto& model : fs::directory_iterator(agents_dir, ec)) {
    if (!model.is_directory(ec)) continue;
    for (const auto& unit : fs::directory_iterator(model.path(), ec)) {
      if (unit.is_directory(ec)) dirs.push_back(unit.path());
    }
  }
  return dirs;
}

// The socket dir of a unit agent that was killed rather than stopped is still there.
void RemoveRuntimeDir(const fs::path& unit_dir) {
  auto unit = ParseUnitTag(unit_dir.filename().string());
  if (!unit.ok()) return;
  (void)RemoveUnitRuntimeDir(unit_dir.string(), unit_dir.parent_path().filename().string(), unit->ToString());
}

// A unit run under a uid of its own (the owner of its dir, within the machine's range): every
// process of that uid is the unit's (its hooks' daemons too, wherever they moved), and so is
// /tmp/skein-<uid>.
void StopUnitUid(const fs::path& unit_dir, const std::optional<UidRange>& range) {
  struct stat st {};
  if (!range || ::lstat(unit_dir.c_str(), &st) != 0 || !range->Contains(st.st_uid)) return;
  (void)process::KillAllProcessesOfUid(st.st_uid);
  (void)RemoveRuntimeBaseOfUid(st.st_uid);
}

void Stop(const std::vector<pid_t>& pids, const std::string& what, std::chrono::milliseconds grace,
          std::ostream& progress) {
  for (pid_t pid : pids) {
    progress << " - stopping " << what << " (pid " << pid << ")\n";
    StopProcess(pid, grace);
  }
}

}  // namespace

std::vector<std::string> LocalMachineDirs(const std::string& data_dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(data_dir, ec)) {
    const std::string name = entry.path().filename().string();
    int64_t id = 0;
    if (!absl::StartsWith(name, "machine-") || !absl::SimpleAtoi(name.substr(8), &id) || !entry.is_directory(ec)) {
      continue;
    }
    found.emplace_back(id == 0 ? std::numeric_limits<int64_t>::max() : id, entry.path().string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> dirs;
  for (auto& [id, dir] : found) dirs.push_back(std::move(dir));
  return dirs;
}

void StopMachineAgent(const std::string& machine_dir, std::chrono::milliseconds grace, std::ostream& progress) {
  // The machine agent first: on SIGTERM it stops its unit agents while the controller still
  // answers them. Each daemon's supervisor goes before it, so that nothing restarts it; the
  // supervisor stops its daemon itself (they share a process group).
  Stop(DaemonPids(machine_dir, kSupervisorPidFile, kSupervisorBinary), "machine agent supervisor", grace, progress);
  Stop(DaemonPids(machine_dir, "machine-agent.pid", kMachineAgentBinary), "machine agent", grace, progress);
  // Unit agents the machine agent did not stop (it was killed, or lost track of them).
  std::vector<pid_t> units;
  const std::vector<fs::path> unit_dirs = UnitAgentDirs(machine_dir + "/agents");
  for (const fs::path& dir : unit_dirs) {
    for (pid_t pid : DaemonPids(dir.string(), "agent.pid", kUnitAgentBinary)) units.push_back(pid);
  }
  Stop(units, "unit agent", std::min(grace, std::chrono::milliseconds(5000)), progress);
  for (const fs::path& dir : unit_dirs) RemoveRuntimeDir(dir);
  if (auto conf = ReadAgentConf(machine_dir + "/agent.conf"); conf.ok()) {
    for (const fs::path& dir : unit_dirs) StopUnitUid(dir, conf->unit_uids);
  }
}

absl::Status StopLocalProcesses(const std::string& data_dir, std::chrono::milliseconds grace,
                                std::ostream& progress) {
  const std::string controller_dir = data_dir + "/controller";
  // Every machine agent (those of add-machine, then machine 0's) before the controller.
  for (const std::string& machine_dir : LocalMachineDirs(data_dir)) StopMachineAgent(machine_dir, grace, progress);
  Stop(DaemonPids(controller_dir, kSupervisorPidFile, kSupervisorBinary), "controller supervisor", grace, progress);
  Stop(DaemonPids(controller_dir, "controller.pid", kControllerBinary), "controller", grace, progress);
  // Whatever is left that belongs to this data dir: hooks and workloads they started.
  for (pid_t pid : FindProcessesUnder(data_dir)) StopProcess(pid, std::chrono::milliseconds(2000));
  std::vector<pid_t> left = FindProcessesUnder(data_dir);
  if (!left.empty()) {
    return absl::InternalError(absl::StrCat("processes still running: ", absl::StrJoin(left, ", ")));
  }
  return absl::OkStatus();
}

absl::Status KillController(const KillOptions& o) {
  std::ostream& progress = *o.progress;
  const std::string data_dir = fs::absolute(o.data_dir).lexically_normal().string();
  auto config = client::LoadClientConfig(data_dir);
  if (!config.ok()) return config.status();
  std::string existing = ExistingControllerName(data_dir);
  std::string name = o.controller_name.empty() ? existing : o.controller_name;
  bool registered = config->controllers.count(name) > 0;
  if (name.empty() || (!registered && name != existing)) {
    if (name.empty() && config->controllers.empty()) return absl::NotFoundError(client::NoControllersMessage());
    return absl::NotFoundError(absl::StrCat("controller \"", name, "\" not found"));
  }

  progress << "Destroying controller \"" << name << "\"\n";
  progress << "Waiting for model resources to be reclaimed\n";
  // systemd units first: systemd would restart a daemon stopped under it.
  std::vector<std::string> units;
  if (auto s = StopSystemdUnits(o.systemd_dir, data_dir, &units); !s.ok()) return s;
  for (const std::string& unit : units) progress << " - removed " << o.systemd_dir << "/" << unit << "\n";
  if (auto s = StopLocalProcesses(data_dir, o.grace, progress); !s.ok()) return s;
  progress << "All models reclaimed, cleaning up controller machines\n";
  std::error_code ec;
  std::vector<std::string> dirs = LocalMachineDirs(data_dir);
  dirs.push_back(data_dir + "/controller");
  for (const std::string& dir : dirs) {
    fs::remove_all(dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot remove ", dir, ": ", ec.message()));
  }
  if (registered) {
    config->controllers.erase(name);
    if (config->current_controller == name) config->current_controller.clear();
    if (auto s = client::SaveClientConfig(data_dir, *config); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace skein::cli::bootstrap
