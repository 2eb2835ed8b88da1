#pragma once

// Starting, watching and stopping child processes: hooks, unit agents, daemons.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::process {

struct SpawnOptions {
  std::vector<std::string> argv;         // argv[0] is the path to execute
  // When set, the child gets exactly this environment; otherwise it inherits ours.
  std::optional<std::map<std::string, std::string>> env;
  std::string cwd;                       // empty = inherit
  // Files for the child's stdin/stdout/stderr; empty = /dev/null for stdin and inherit for
  // the others. `capture_output` overrides stdout/stderr with pipes read by Run().
  std::string stdin_path;
  std::string stdout_path;               // opened for append
  std::string stderr_path;               // opened for append
  // Start the child in a new session (its own process group), so that stopping it stops
  // everything it started. Daemons and hooks use this.
  bool new_session = true;
};

// Starts a process and returns its pid. Internal when fork/exec fails (the exec error of the
// child is reported back, e.g. `cannot run "x": No such file or directory`).
absl::StatusOr<pid_t> Spawn(const SpawnOptions& options);

struct RunResult {
  int exit_code = 0;         // 128+signal when killed by a signal
  bool signaled = false;
  int signal = 0;
  std::string stdout_text;
  std::string stderr_text;
  // Run only: the child's peak resident set (its VmHWM when it ended, as wait4 reports it).
  long peak_rss_kib = 0;
};

// Runs a process to completion, capturing stdout and stderr. The child runs in its own process
// group; if `timeout` passes, the whole group gets SIGKILL.
absl::StatusOr<RunResult> Run(const SpawnOptions& options,
                              std::optional<std::chrono::milliseconds> timeout = std::nullopt);

// Waits for a child; nullopt if still running and `block` is false.
std::optional<RunResult> Reap(pid_t pid, bool block);

// True if a process with this pid exists (and is not a zombie).
bool IsAlive(pid_t pid);

// Sends SIGTERM to the process group (or pid), waits up to `grace`, then SIGKILL.
// Returns true when the process is gone. Works for non-children by polling /proc.
bool Terminate(pid_t pid, std::chrono::milliseconds grace, bool group = true);

// Detaches into a daemon-friendly state: new session, stdin from /dev/null.
void WritePidFile(const std::string& path);
std::optional<pid_t> ReadPidFile(const std::string& path);

}  // namespace skein::process
