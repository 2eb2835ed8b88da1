// exec: runs a shell command in units' hook contexts (juju-cli-client-contract §3.10, §6). As in
// Juju, the command is a task of the action `juju-exec` on the same machinery as `run`: one
// operation with a task per unit, which the unit agent runs between hooks, never during one.

#include <chrono>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/shell_quote.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/machine_exec.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/tasks.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;
using Millis = std::chrono::milliseconds;

// The action the controller and the unit agent know `exec` by (domain/action kExecAction).
constexpr char kExecAction[] = "juju-exec";

// Comma-separated lists from every use of a repeatable flag, without empty items.
std::vector<std::string> SplitLists(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    for (absl::string_view item : absl::StrSplit(v, ',', absl::SkipWhitespace())) out.emplace_back(item);
  }
  return out;
}

class ExecCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"exec",
            "(--unit <unit>[,...] | --application <app>[,...] | --machine <id>[,...]) -- <command> [<arg> ...]",
            "Run the commands on the remote targets specified.",
            "Runs a shell command (bash) on each unit named with --unit (app/N or app/leader) or\n"
            "--application (each of its units), in the unit's hook context: hook tools such as\n"
            "unit-get, config-get, relation-ids and is-leader work and the JUJU_* environment is\n"
            "set, in the charm directory. The command runs between the unit's hooks, never at the\n"
            "same time as one. One argument after `--` is a shell command line as it is; several\n"
            "are joined with spaces, each quoted where needed (`-- echo a b` prints `a b`).\n"
            "Waits up to --wait (default 5m; 0 = no limit) for the results: the plain format\n"
            "prints the command's stdout (and its stderr on stderr) for one target; json and\n"
            "yaml print the tasks keyed by unit, with return-code, stdout and stderr.\n"
            "A non-zero return code exits 1 (`ERROR the following task failed`); running out of\n"
            "time exits 1 with `timed out waiting for results from: unit X`.\n"
            "With --machine the command runs on each machine listed (machine 0, or one from\n"
            "add-machine): on the local substrate that is this host, in the machine's directory\n"
            "($SKEIN_DATA/machine-<id>), as the machine agent's user; the results are keyed by\n"
            "machine id. --machine cannot be combined with --unit or --application.\n",
            "    skein exec --unit mysql/0 -- hostname\n"
            "    skein exec --application mysql --format json -- 'unit-get private-address'\n"
            "    skein exec --unit mysql/leader --wait 30s -- is-leader\n",
            {},
            {"run", "show-task", "ssh"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Strings("-u,--unit", &units_, "One or more unit names (comma-separated)");
    f.Strings("--app,--application", &applications_, "One or more application names (comma-separated)");
    f.Strings("--machine", &machines_, "One or more machine ids (comma-separated)");
    f.String("--wait", &wait_text_, "Maximum wait time for a task to complete");
    f.Bool("--background", &background_, "Run the task in the background");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    targets_ = SplitLists(units_);
    for (const auto& list : {applications_, machines_}) {
      for (auto& t : SplitLists(list)) targets_.push_back(std::move(t));
    }
    if (targets_.empty()) {
      return UsageError("you must specify a target, either through --machine, --application or --unit");
    }
    if (args.empty()) return UsageError("no commands specified");
    if (!machines_.empty() && (!units_.empty() || !applications_.empty())) {
      return UsageError("--machine cannot be combined with --unit or --application");
    }
    command_ = args.size() == 1 ? args[0] : ShellJoin(args);
    return ParseWaitFlag(wait_text_, background_, &wait_);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    if (!machines_.empty()) {
      auto ran = RunOnMachines(env, *session, targets_, command_, wait_);
      if (!ran.ok()) return ran.status();
      if (auto s = PrintTasks(env, ran->documents, format_, output_); !s.ok()) return s;
      if (!ran->failed.empty()) return TasksFailedError(ran->failed);
      return absl::OkStatus();
    }
    skein::v1::RunActionRequest req;
    req.set_model(session->model());
    for (const auto& t : targets_) req.add_units(t);
    req.set_action(kExecAction);
    req.set_params_json(nlohmann::json{{"command", command_}}.dump());
    auto queued = session->connection->Call(&Controller::StubInterface::RunAction, req);
    if (!queued.ok()) {
      const std::string message(queued.status().message());
      // Juju 3 reports a target it cannot find as an operation that scheduled nothing: exit 0
      // and nothing on stdout, which jubilant turns into ValueError.
      if (absl::IsNotFound(queued.status()) && (absl::StartsWith(message, "unit ") ||
                                                absl::StartsWith(message, "application "))) {
        *env.err << "Operation failed to schedule any tasks:\n - " << message << "\n";
        return absl::OkStatus();
      }
      return queued.status();
    }
    return FollowQueuedTasks(env, *session, *queued, background_, wait_, format_, output_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"plain", "json", "yaml"};
  std::string model_;
  std::string format_ = "plain";
  std::string output_;
  std::vector<std::string> units_, applications_, machines_;
  std::string wait_text_;
  bool background_ = false;
  Millis wait_{5 * 60 * 1000};
  std::vector<std::string> targets_;
  std::string command_;
};

}  // namespace

std::unique_ptr<Command> NewExecCommand() { return std::make_unique<ExecCommand>(); }

}  // namespace skein::cli::commands
