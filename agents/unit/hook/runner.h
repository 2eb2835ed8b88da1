#pragma once

// Runs one hook of a charm directory (juju-semantics §2.1): `<charm>/dispatch` when it exists
// and is executable, else `<charm>/hooks/<hook>`. A missing hook is a success ("skipped"); a
// hook file that is not executable is a failure. The hook runs in its own process group with
// cwd = charm dir and exactly the given environment; its stdout and stderr are handed over
// line by line while it runs.
//
// Built-in charms (later) implement the same HookRunner interface in process.

#include <functional>
#include <map>
#include <string>

#include "lib/process/subprocess.h"

namespace skein::agent {

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
};

class HookRunner {
 public:
  // `is_stderr` tells which stream the line came from; lines have no trailing newline.
  using OutputFn = std::function<void(bool is_stderr, const std::string& line)>;

  virtual ~HookRunner() = default;
  virtual HookOutcome Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                          const OutputFn& output) = 0;
  // Stops the running hook, if any (SIGTERM to its process group, SIGKILL after a grace
  // period). Safe to call from any thread, including a signal-handling thread.
  virtual void Kill() = 0;
};

class CharmDirRunner : public HookRunner {
 public:
  explicit CharmDirRunner(std::string charm_dir) : charm_dir_(std::move(charm_dir)) {}

  HookOutcome Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                  const OutputFn& output) override;
  void Kill() override;

 private:
  const std::string charm_dir_;
  // Kill() cancels it for good: the agent is shutting down, so no hook runs after.
  process::RunCanceller canceller_;
};

}  // namespace skein::agent
