#include "tools/cli/commands/machine_exec.h"

#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "lib/process/subprocess.h"
#include "tools/cli/bootstrap/local_machines.h"
#include "tools/cli/commands/machine_placement.h"

namespace skein::cli::commands {

absl::StatusOr<CollectedTasks> RunOnMachines(Environment& env, Session& session,
                                             const std::vector<std::string>& machines, const std::string& command,
                                             std::chrono::milliseconds wait) {
  for (const std::string& id : machines) {
    if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid machine \"", id, "\": containers are not supported on the local substrate"));
    }
  }
  if (auto s = CheckPlacementMachines(session, machines); !s.ok()) return s;
  CollectedTasks out;
  const Clock::TimePoint start = env.clock->Now();
  for (const std::string& id : machines) {
    const std::string dir = bootstrap::LocalMachineDir(env.data_dir, id);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("machine ", id, " has no directory on this host (", dir, "): its agent has not started"));
    }
    process::SpawnOptions spawn;
    spawn.argv = {"/bin/bash", "-c", command};
    spawn.cwd = dir;
    // The machine agent runs as the owner of its directory: root acts as that user there.
    if (::geteuid() == 0 && st.st_uid != 0) spawn.run_as = process::SpawnOptions::Identity{st.st_uid, st.st_gid};
    std::optional<std::chrono::milliseconds> left;
    if (wait.count() > 0) {
      left = std::chrono::duration_cast<std::chrono::milliseconds>(wait - (env.clock->Now() - start));
      if (left->count() <= 0) left = std::chrono::milliseconds(1);
    }
    auto run = process::Run(spawn, left);
    if (!run.ok()) return run.status();
    if (run->timed_out) {
      return absl::DeadlineExceededError(absl::StrCat("timed out waiting for results from: machine ", id));
    }
    nlohmann::json results = {{"return-code", run->exit_code}};
    if (!run->stdout_text.empty()) results["stdout"] = run->stdout_text;
    if (!run->stderr_text.empty()) results["stderr"] = run->stderr_text;
    out.documents[id] = {{"id", id}, {"machine", id}, {"status", "completed"}, {"results", results}};
    if (run->exit_code != 0) {
      out.failed.push_back(absl::StrCat(" - id \"", id, "\" with return code ", run->exit_code));
    }
  }
  return out;
}

}  // namespace skein::cli::commands
