// run and show-task: running charm actions and reading their tasks (juju-cli-client-contract
// §3.9, §6). Waiting follows the task's WatchTask stream (the controller sends each change as it
// commits), never a sleep or a poll.

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/file_read.h"
#include "lib/base/limits.h"
#include "lib/format/output.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/tasks.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;
using Millis = std::chrono::milliseconds;

// Juju reports an unknown unit or action with `(not found)`, which jubilant looks for.
absl::Status NotFoundSuffix(absl::Status s) {
  if (s.code() != absl::StatusCode::kNotFound || absl::EndsWith(s.message(), "(not found)")) return s;
  return absl::NotFoundError(absl::StrCat(std::string(s.message()), " (not found)"));
}

// Sets `key` (dotted = nested) in `params`.
void SetParam(nlohmann::json& params, const std::string& key, nlohmann::json value) {
  std::vector<std::string> parts = absl::StrSplit(key, '.');
  nlohmann::json* node = &params;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    nlohmann::json& next = (*node)[parts[i]];
    if (!next.is_object()) next = nlohmann::json::object();
    node = &next;
  }
  (*node)[parts.back()] = std::move(value);
}

class RunCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"run",
            "<unit> [<unit> ...] <action-name> [<key>=<value> [<key>[.<key> ...]=<value>]]",
            "Run an action on a specified unit.",
            "Queues an action on each unit (app/N or app/leader) and waits for the results (--wait,\n"
            "default 60s). Parameters are key=value pairs (values parsed as YAML unless\n"
            "--string-args; dotted keys build nested maps) and/or a YAML --params file; they are\n"
            "validated against the action's schema in actions.yaml, with its defaults filled in.\n"
            "--background only queues the tasks and prints their ids. A task that failed with a\n"
            "non-zero return code exits 1 (`ERROR the following task failed`).\n",
            "    skein run mysql/0 backup\n    skein run mysql/leader backup target=/tmp --format json\n"
            "    skein run mysql/0 mysql/1 restart --background\n",
            {},
            {"show-task"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.String("--params", &params_file_, "Path to yaml-formatted params file");
    f.Bool("--string-args", &string_args_, "Use raw string values of CLI args");
    f.Bool("--background", &background_, "Run the task in the background");
    f.String("--wait", &wait_text_, "Maximum wait time for a task to complete");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    size_t i = 0;
    while (i < args.size() && args[i].find('/') != std::string::npos && args[i].find('=') == std::string::npos) {
      units_.push_back(args[i++]);
    }
    if (units_.empty()) return UsageError("no unit specified");
    if (i >= args.size()) return UsageError("no action specified");
    action_ = args[i++];
    for (; i < args.size(); ++i) {
      size_t eq = args[i].find('=');
      if (eq == std::string::npos || eq == 0) {
        return UsageError(absl::StrCat("argument \"", args[i], "\" must be of the form key...=value"));
      }
      kv_.emplace_back(args[i].substr(0, eq), args[i].substr(eq + 1));
    }
    return ParseWaitFlag(wait_text_, background_, &wait_);
  }
  absl::Status Run(Environment& env) override {
    nlohmann::json params = nlohmann::json::object();
    if (!params_file_.empty()) {
      auto text = ReadFileCapped(params_file_, limits::kYamlInput, FileKinds::kAnyReadable);
      if (!text.ok()) return text.status();
      auto parsed = format::YamlToJson(*text, format::YamlDialect::kJuju);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(params_file_, ": ", parsed.status().message()));
      }
      if (!parsed->is_null() && !parsed->is_object()) {
        return absl::InvalidArgumentError("params file must contain a YAML map with string keys");
      }
      if (parsed->is_object()) params = *parsed;
    }
    for (const auto& [key, raw] : kv_) {
      nlohmann::json value = raw;
      if (!string_args_ && !raw.empty()) {
        auto typed = format::YamlToJson(raw, format::YamlDialect::kJuju);
        if (typed.ok() && !typed->is_null()) value = *typed;
      }
      SetParam(params, key, std::move(value));
    }
    // Refused here, before anything is queued; the controller checks again.
    std::string params_json = params.dump();
    if (auto s = limits::CheckSize(limits::kActionParams, "the action's parameters", params_json.size()); !s.ok()) {
      return s;
    }
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::RunActionRequest req;
    req.set_model(session->model());
    for (const auto& u : units_) req.add_units(u);
    req.set_action(action_);
    req.set_params_json(params_json);
    auto queued = session->connection->Call(&Controller::StubInterface::RunAction, req);
    if (!queued.ok()) return NotFoundSuffix(queued.status());

    return FollowQueuedTasks(env, *session, *queued, background_, wait_, format_, output_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"plain", "json", "yaml"};
  std::string model_;
  std::string format_ = "plain";
  std::string output_;
  std::string params_file_;
  bool string_args_ = false;
  bool background_ = false;
  std::string wait_text_;
  Millis wait_{60000};
  std::vector<std::string> units_;
  std::string action_;
  std::vector<std::pair<std::string, std::string>> kv_;
};

class ShowTaskCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"show-task",
            "<task ID>",
            "Show results of a task by ID.",
            "Shows a task's status, results, log and timing. --wait waits up to the given time for\n"
            "the task to finish first.\n",
            "    skein show-task 2\n    skein show-task 2 --format json --wait 30s\n",
            {},
            {"run"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.String("--wait", &wait_text_, "Maximum wait time for a task to complete");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    if (args.empty()) return UsageError("no task ID specified");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    task_id_ = args[0];
    return ParseWaitFlag(wait_text_, /*background=*/false, &wait_);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto task = WaitForTask(*session, *env.clock, task_id_, env.clock->Now() + wait_);
    if (!task.ok()) return task.status();
    if (wait_.count() > 0 && !TaskDone(*task)) {
      return absl::DeadlineExceededError(absl::StrCat("timed out waiting for results from: unit ", task->unit()));
    }
    nlohmann::json doc = TaskDocument(*task);
    std::string text;
    if (format_ == "plain") {
      text = PlainResult(doc);
    } else {
      auto rendered = output::RenderData(doc, format_);
      if (!rendered.ok()) return rendered.status();
      text = *rendered;
    }
    return WriteOutput(env, output_, text);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"yaml", "json", "plain"};
  std::string model_;
  std::string format_ = "yaml";
  std::string output_;
  std::string wait_text_;
  Millis wait_{0};
  std::string task_id_;
};

}  // namespace

std::unique_ptr<Command> NewRunCommand() { return std::make_unique<RunCommand>(); }
std::unique_ptr<Command> NewShowTaskCommand() { return std::make_unique<ShowTaskCommand>(); }

}  // namespace skein::cli::commands
