#pragma once

// Runs one hook of a charm directory (juju-semantics §2.1): `<charm>/dispatch` when it exists
// and is executable, else `<charm>/hooks/<hook>`. A missing hook is a success ("skipped"); a
// hook file that is not executable is a failure. The hook runs in its own process group with
// cwd = charm dir and exactly the given environment; its stdout and stderr are handed over
// line by line while it runs.
//
// Built-in charms implement the same HookRunner interface in process (agents/sdk): they take
// the typed hook and its context from the HookInvocation, not from the environment.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "lib/process/subprocess.h"

namespace skein::agent {

struct HookInfo;     // agents/unit/local_state/local_state.h
class HookContext;   // agents/unit/hook/hook_context.h

// One hook or action to run, as the operation that runs it has it.
struct HookInvocation {
  // The hook's name (`install`, `db-relation-changed`), or `actions/<name>` for an action:
  // what a charm directory's dispatch sees as JUJU_DISPATCH_PATH.
  std::string name;
  // The typed hook; nullptr when running an action.
  const HookInfo* hook = nullptr;
  // The action's name (`backup`); empty when running a hook.
  std::string action;
  // The live context of this hook or action (also published to the tool server). Not owned.
  HookContext* context = nullptr;
  // The SHA-256 of the charm in the charm directory (LocalState::charm_sha256): a runner may
  // keep what it read from the directory until this changes.
  std::string charm_sha256;
  std::string model_name;
  // The process environment (juju-semantics §2.4), for charms that run as processes.
  std::map<std::string, std::string> env;
  // A `skein exec` command line (the juju-exec action): when set, every runner runs it with
  // /bin/bash -c in the charm directory and the environment above, whatever the charm is,
  // instead of a hook or action handler.
  std::string command;
};

struct HookOutcome {
  enum class Kind {
    kOk,       // exit 0
    kMissing,  // no hook file: counts as run
    kFailed,   // non-zero exit, or the hook could not be started (`error` says why)
    kKilled,   // stopped by Kill() (agent shutdown): not an error, the hook runs again later
  };
  Kind kind = Kind::kOk;
  int exit_code = 0;
  std::string error;
  // A command's output exactly as it wrote it (trailing newline or not), when `captured`; the
  // OutputFn still gets its lines, for the log.
  bool captured = false;
  std::string stdout_text;
  std::string stderr_text;
};

class HookRunner {
 public:
  // `is_stderr` tells which stream the line came from; lines have no trailing newline.
  using OutputFn = std::function<void(bool is_stderr, const std::string& line)>;

  virtual ~HookRunner() = default;
  virtual HookOutcome Run(const HookInvocation& invocation, const OutputFn& output) = 0;
  // Stops the running hook, if any (SIGTERM to its process group, SIGKILL after a grace
  // period). Safe to call from any thread, including a signal-handling thread.
  virtual void Kill() = 0;
};

class CharmDirRunner : public HookRunner {
 public:
  explicit CharmDirRunner(std::string charm_dir) : charm_dir_(std::move(charm_dir)) {}

  // A process sees only the hook's name and environment (or the command to run).
  HookOutcome Run(const HookInvocation& invocation, const OutputFn& output) override {
    if (!invocation.command.empty()) return RunCommand(invocation.command, invocation.env, output);
    return Run(invocation.name, invocation.env, output);
  }
  HookOutcome Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                  const OutputFn& output);
  void Kill() override;

 private:
  HookOutcome RunCommand(const std::string& command, const std::map<std::string, std::string>& env,
                         const OutputFn& output);
  // A process in the charm directory with exactly `env`, and how every run is stopped.
  process::SpawnOptions Spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& env) const;
  process::RunOptions Options();
  // Turns a finished (or failed to start) run into an outcome.
  HookOutcome Outcome(const absl::StatusOr<process::RunResult>& run);

  const std::string charm_dir_;
  // Kill() cancels it for good: the agent is shutting down, so no hook runs after.
  process::RunCanceller canceller_;
};

}  // namespace skein::agent
