#pragma once

// `exec --machine N`: on the local substrate every machine is this host, so the command runs
// here, in the machine's directory ($SKEIN_DATA/machine-<id>) as the machine agent's user (the
// directory's owner when skein runs as root), and the results take the shape Juju gives a
// machine's task: `{id, machine, status, results: {return-code, stdout, stderr}}`.

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/tasks.h"

namespace skein::cli::commands {

// Runs `command` with bash on each machine in turn, up to `wait` in all (0 = no limit).
// NotFound `machine 3 not found` for a machine that is not the model's (checked for all before
// any runs); DeadlineExceeded `timed out waiting for results from: machine N`.
absl::StatusOr<CollectedTasks> RunOnMachines(Environment& env, Session& session,
                                             const std::vector<std::string>& machines, const std::string& command,
                                             std::chrono::milliseconds wait);

}  // namespace skein::cli::commands
