#pragma once

// Starting, watching and stopping child processes: hooks, unit agents, daemons.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::process {

struct SpawnOptions {
  std::vector<std::string> argv;         // argv[0] is the path to execute
  // When set, the child gets exactly this environment; otherwise it inherits ours.
  std::optional<std::map<std::string, std::string>> env;
  std::string cwd;                       // empty = inherit
  // Files for the child's stdin/stdout/stderr; empty = /dev/null for stdin and inherit for
  // the others. `capture_output` overrides stdout/stderr with pipes read by Run().
  std::string stdin_path;
  // The child reads our own stdin instead (`skein ssh` passes the caller's input through);
  // stdin_path is then unused.
  bool inherit_stdin = false;
  std::string stdout_path;               // opened for append
  std::string stderr_path;               // opened for append
  // Start the child in a new session (its own process group), so that stopping it stops
  // everything it started. Daemons and hooks use this.
  bool new_session = true;
  // Run the child as this user and group, with no supplementary groups (privilege separation).
  // The switch happens first: the standard streams and the working directory are opened with the
  // child's rights. Needs root; nullopt runs the child as we run.
  struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;
  };
  std::optional<Identity> run_as;
  // A directory bound onto another path inside the child's own mount namespace.
  struct BindMount {
    std::string source;  // must exist
    std::string target;  // must exist (a directory); it stays unchanged outside the child
  };
  // When not empty, the child gets a mount namespace of its own (CLONE_NEWNS) in which every
  // mount is private (nothing it mounts reaches the host, nothing the host mounts later reaches
  // it) and these binds are made, before the switch to run_as. What the child starts inherits the
  // namespace. Needs root. Sidecar units see their Pebble sockets at the fixed path ops dials
  // (/charm/containers) this way, each unit its own.
  std::vector<BindMount> private_binds;
  // The child gets SIGTERM when the thread that spawned it ends (PR_SET_PDEATHSIG), also when
  // the whole process is killed: daemons that must not outlive their agent (a unit's Pebble).
  bool die_with_parent = false;
};

// Kills (SIGKILL) every process running as `uid`, whatever session or group it moved to: a unit
// run under its own uid may leave daemons behind, and its uid is given to another unit later.
// Forks a child that takes `uid` and signals all it may (kill(-1)), until none is left. Needs root.
// Waits for the processes to go on `clock`.
absl::Status KillAllProcessesOfUid(uid_t uid, Clock& clock = RealClock());
// Whether some process of the host runs as `uid` (the owner of its /proc entry).
bool AnyProcessOfUid(uid_t uid);

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
  // Run only: the child was stopped because RunOptions::timeout passed, or by its canceller.
  bool timed_out = false;
  bool cancelled = false;
};

// Lets another thread stop a Run in progress (an agent shutting down stops its hook). Sticky:
// once cancelled, every later Run given this canceller returns Cancelled without starting its
// child. Thread-safe; Cancel() wakes the Run at once (an eventfd it polls), so nothing polls on
// a timer.
class RunCanceller {
 public:
  RunCanceller();
  ~RunCanceller();
  RunCanceller(const RunCanceller&) = delete;
  RunCanceller& operator=(const RunCanceller&) = delete;

  void Cancel();
  bool cancelled() const;
  // Readable once Cancel() was called; for Run's poll.
  int wake_fd() const { return wake_fd_; }

 private:
  const int wake_fd_;
  mutable Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

enum class OutputStream { kStdout, kStderr };

struct RunOptions {
  // When it passes, the child's process group is stopped (see kill_grace) and the result says
  // timed_out.
  std::optional<Clock::Duration> timeout;
  // What a stopped child (timeout or cancel) gets between SIGTERM to its group and SIGKILL.
  // Zero sends SIGKILL at once.
  Clock::Duration kill_grace{0};
  // When set, output is handed over here line by line as it arrives, in order within each
  // stream, without the trailing newline (a last line without one comes when the stream ends),
  // and RunResult's stdout_text/stderr_text stay empty. Called on the thread running Run.
  std::function<void(OutputStream stream, std::string_view line)> on_line;
  // When set, reading stops once the child itself has exited and its pipes hold nothing more,
  // or this long after it exited, even if a process it started in the background still holds
  // them open. Unset: Run reads until every writer has closed them.
  std::optional<Clock::Duration> drain_after_exit;
  // When set, Cancel() on it stops the child (as a timeout does) and the result says cancelled.
  RunCanceller* canceller = nullptr;
};

// Runs a process to completion, capturing (or streaming) stdout and stderr. The child always
// runs in its own process group, so stopping it stops what it started. Errors: Internal when it
// cannot be started (see Spawn); Cancelled when `options.canceller` was cancelled before the
// child started. Time is read from RealClock(): a child runs in real time, and poll(2) waits in
// it.
absl::StatusOr<RunResult> Run(const SpawnOptions& spawn, const RunOptions& options);
// The same with only a timeout (SIGKILL to the whole group when it passes), capturing output.
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
