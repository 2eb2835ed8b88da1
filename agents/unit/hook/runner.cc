#include "agents/unit/hook/runner.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/process/subprocess.h"

namespace skein::agent {
namespace {

constexpr auto kKillGrace = std::chrono::milliseconds(2000);
constexpr auto kDrainAfterExit = std::chrono::milliseconds(200);

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

HookOutcome CharmDirRunner::Run(const std::string& hook_name, const std::map<std::string, std::string>& env,
                                const OutputFn& output) {
  HookOutcome outcome;
  if (!Exists(charm_dir_ + "/metadata.yaml")) {
    outcome.kind = HookOutcome::Kind::kFailed;
    outcome.error = "charm missing from disk";
    return outcome;
  }
  std::string path = charm_dir_ + "/dispatch";
  if (!IsExecutableFile(path)) {
    // Actions come as `actions/<name>` (hook names never hold a '/').
    path = absl::StartsWith(hook_name, "actions/") ? charm_dir_ + "/" + hook_name : charm_dir_ + "/hooks/" + hook_name;
    if (!Exists(path)) {
      outcome.kind = HookOutcome::Kind::kMissing;
      return outcome;
    }
    if (!IsExecutableFile(path)) {
      outcome.kind = HookOutcome::Kind::kFailed;
      outcome.error = absl::StrCat("fork/exec ", path, ": permission denied");
      return outcome;
    }
  }

  process::SpawnOptions spawn = Spawn({path}, env);
  process::RunOptions options = Options();
  if (output) {
    options.on_line = [&output](process::OutputStream stream, std::string_view line) {
      output(stream == process::OutputStream::kStderr, std::string(line));
    };
  }
  return Outcome(process::Run(spawn, options));
}

HookOutcome CharmDirRunner::RunCommand(const std::string& command, const std::map<std::string, std::string>& env,
                                       const OutputFn& output) {
  // No on_line: the result keeps the output byte for byte, as `exec` prints it.
  absl::StatusOr<process::RunResult> run = process::Run(Spawn({"/bin/bash", "-c", command}, env), Options());
  HookOutcome outcome = Outcome(run);
  // A command that ran has its output, even when that is nothing.
  outcome.captured = run.ok() && outcome.kind != HookOutcome::Kind::kKilled;
  if (outcome.captured && output) {
    for (const auto* text : {&outcome.stdout_text, &outcome.stderr_text}) {
      for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
        output(text == &outcome.stderr_text, std::string(line));
      }
    }
  }
  return outcome;
}

process::SpawnOptions CharmDirRunner::Spawn(std::vector<std::string> argv,
                                            const std::map<std::string, std::string>& env) const {
  process::SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.env = env;
  spawn.cwd = charm_dir_;
  return spawn;
}

process::RunOptions CharmDirRunner::Options() {
  process::RunOptions options;
  options.kill_grace = kKillGrace;
  options.drain_after_exit = kDrainAfterExit;
  options.canceller = &canceller_;
  return options;
}

HookOutcome CharmDirRunner::Outcome(const absl::StatusOr<process::RunResult>& run) {
  HookOutcome outcome;
  // Killed before it started, or while it ran: the agent is stopping and runs it again later.
  if (absl::IsCancelled(run.status())) return HookOutcome{HookOutcome::Kind::kKilled, 0, "agent stopping"};
  if (!run.ok()) return HookOutcome{HookOutcome::Kind::kFailed, 127, std::string(run.status().message())};
  if (canceller_.cancelled()) return HookOutcome{HookOutcome::Kind::kKilled, 0, "killed by the agent"};
  outcome.stdout_text = run->stdout_text;
  outcome.stderr_text = run->stderr_text;
  outcome.exit_code = run->exit_code;
  if (outcome.exit_code != 0) {
    outcome.kind = HookOutcome::Kind::kFailed;
    outcome.error = run->signaled ? absl::StrCat("signal: ", strsignal(run->signal))
                                  : absl::StrCat("exit status ", outcome.exit_code);
  }
  return outcome;
}

void CharmDirRunner::Kill() { canceller_.Cancel(); }

}  // namespace skein::agent
