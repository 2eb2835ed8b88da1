#pragma once

// Starting the local daemons (skein-controller, skein-machine-agent) and finding and stopping
// them again. A daemon reports readiness by writing one line to an inherited pipe (`--ready-fd
// N`); the CLI blocks on that pipe with a deadline instead of polling for files.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"

namespace skein::cli::bootstrap {

struct DaemonSpec {
  std::string binary;              // path of the executable
  std::vector<std::string> args;   // arguments after argv[0], without --ready-fd
  std::string log_path;            // stdout and stderr are appended here
  std::chrono::milliseconds ready_timeout{30000};
  // The name errors give it; empty = the basename of `binary`. A supervised daemon is started
  // through skein-supervisor but its errors name the daemon.
  std::string display_name;
  // A new session (own process group), or the caller's group: a supervisor keeps its daemon in
  // its own group so that a signal to the group reaches both.
  bool new_session = true;
};

struct Daemon {
  pid_t pid = 0;
  std::string ready_line;  // the first line written to the ready pipe, without `\n`
};

// Starts `spec.binary ... --ready-fd N` (stdin /dev/null; a new session unless told otherwise)
// and waits until it writes a line to fd N. On failure the process is stopped and reaped. Errors:
//   Internal          the binary cannot be started
//   Unavailable       it exited or closed the pipe before writing a line (the message quotes the
//                     last line of its log)
//   DeadlineExceeded  no line within `ready_timeout` (measured on `clock`)
absl::StatusOr<Daemon> StartDaemon(const DaemonSpec& spec, const Clock& clock);

// argv of a running process from /proc; empty when it is gone or unreadable.
std::vector<std::string> ProcessArgv(pid_t pid);

// True when `pid` is alive and runs the program `binary_name` (basename of argv[0], of argv[1]
// for a script run by its interpreter, or of /proc/PID/exe), so that a stale pid file never
// makes us signal an unrelated process.
bool ProcessIs(pid_t pid, const std::string& binary_name);

// SIGTERM to the process and its group, up to `grace` for it to exit, then SIGKILL.
// True when it is gone.
bool StopProcess(pid_t pid, std::chrono::milliseconds grace);

// Processes that belong to a skein data dir: their argv has `--data-dir D` (or `--data-dir=D`)
// with D equal to or under `root`, or their environment has JUJU_CHARM_DIR or
// JUJU_AGENT_SOCKET_ADDRESS under `root` (hooks and what they started). This process and its
// ancestors are never listed.
std::vector<pid_t> FindProcessesUnder(const std::string& root);

}  // namespace skein::cli::bootstrap
