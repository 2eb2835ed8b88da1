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
#include "lib/base/duration.h"
#include "lib/base/file_read.h"
#include "lib/base/limits.h"
#include "lib/format/output.h"
#include "tools/cli/client/stream_watch.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;
using Millis = std::chrono::milliseconds;

// Juju prints task times as Go's time.Time String() in UTC: `2024-06-11 05:07:33 +0000 UTC`.
std::string GoTime(const std::string& rfc3339) {
  if (rfc3339.size() < 19) return rfc3339;
  return absl::StrCat(rfc3339.substr(0, 10), " ", rfc3339.substr(11, 8), " +0000 UTC");
}

// The task document of `run --format json` (keyed by unit) and `show-task`.
nlohmann::json TaskDocument(const skein::v1::TaskInfo& task) {
  nlohmann::json doc = {{"id", task.id()}, {"status", task.status()}, {"unit", task.unit()}};
  nlohmann::json results = nlohmann::json::parse(task.results_json().empty() ? "{}" : task.results_json(), nullptr,
                                                 false);
  if (results.is_object() && !results.empty()) doc["results"] = results;
  if (!task.message().empty()) doc["message"] = task.message();
  if (task.log_size() > 0) {
    nlohmann::json log = nlohmann::json::array();
    for (const auto& line : task.log()) log.push_back(absl::StrCat(GoTime(line.timestamp()), " ", line.message()));
    doc["log"] = log;
  }
  nlohmann::json timing = nlohmann::json::object();
  if (!task.enqueued().empty()) timing["enqueued"] = GoTime(task.enqueued());
  if (!task.started().empty()) timing["started"] = GoTime(task.started());
  if (!task.completed().empty()) timing["completed"] = GoTime(task.completed());
  doc["timing"] = timing;
  return doc;
}

bool Done(const skein::v1::TaskInfo& task) { return task.status() == "completed" || task.status() == "failed"; }

// The task once it is done, or as it is when `wait` (unlimited when unset) has passed.
absl::StatusOr<skein::v1::TaskInfo> WaitForTask(Session& session, Clock& clock, const std::string& task_id,
                                                std::optional<Clock::TimePoint> deadline) {
  skein::v1::ShowTaskRequest show;
  show.set_model(session.model());
  show.set_task_id(task_id);
  // A plain answer first: its errors (an unknown task) are the command's, and a task that is
  // already done needs no stream.
  auto task = session.connection->Call(&Controller::StubInterface::ShowTask, show);
  if (!task.ok() || Done(*task) || (deadline && clock.Now() >= *deadline)) return task;
  skein::v1::WatchTaskRequest req;
  req.set_model(session.model());
  req.set_task_id(task_id);
  using Watch = client::StreamWatch<skein::v1::TaskInfo>;
  std::optional<Clock::Duration> limit;
  if (deadline) limit = *deadline - clock.Now();
  auto watch = Watch::Open(*session.connection, clock, &Watch::Async::WatchTask, req, limit);
  // No deadline of our own: a year stands for none (Clock waits take a time point).
  const Clock::TimePoint until = deadline ? *deadline : clock.Now() + std::chrono::hours(24 * 365);
  while (true) {
    switch (watch->Wait(until, &*task)) {
      case Watch::Next::kMessage:
        if (Done(*task)) return task;
        continue;
      case Watch::Next::kEnded: {
        grpc::Status ended = watch->status();
        // The stream ends OK right after the finished task, which was read above.
        if (ended.ok() || ended.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) return task;
        return session.connection->Error(ended);
      }
      case Watch::Next::kTimedOut:
        return task;
    }
  }
}

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

// Results without what Juju adds itself, and the decoded stdout, for the plain format.
std::string PlainResult(const nlohmann::json& doc) {
  std::string text;
  nlohmann::json results = doc.value("results", nlohmann::json::object());
  std::string out = results.value("stdout", "");
  for (const char* k : {"return-code", "stdout", "stderr", "stdout-encoding", "stderr-encoding"}) results.erase(k);
  if (!results.empty()) text = format::ToYaml(results);
  if (!text.empty() && text.back() != '\n') text += "\n";
  text += out;
  return text;
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
    if (!wait_text_.empty()) {
      auto wait = ParseDuration(wait_text_);
      if (!wait.ok()) {
        return UsageError(absl::StrCat("invalid value \"", wait_text_, "\" for option --wait: ",
                                       std::string(wait.status().message())));
      }
      if (background_) return UsageError("cannot specify both --wait and --background");
      wait_ = std::chrono::duration_cast<Millis>(*wait);
    }
    return absl::OkStatus();
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

    size_t n = queued->tasks_size();
    std::string tasks_word = n == 1 ? "task" : "tasks";
    if (background_) {
      if (n == 1) {
        *env.err << "Scheduled operation " << queued->operation_id() << " with task " << queued->tasks(0).id() << "\n";
      } else {
        *env.err << "Scheduled operation " << queued->operation_id() << " with " << n << " tasks\n";
        for (const auto& t : queued->tasks()) *env.err << "  - task " << t.id() << " on unit-" << Tag(t.unit()) << "\n";
      }
      *env.err << "Check operation status with 'skein show-operation " << queued->operation_id() << "'\n";
      for (const auto& t : queued->tasks()) *env.err << "Check task status with 'skein show-task " << t.id() << "'\n";
      return absl::OkStatus();
    }
    *env.err << "Running operation " << queued->operation_id() << " with " << n << " " << tasks_word << "\n";
    for (const auto& t : queued->tasks()) *env.err << "  - task " << t.id() << " on unit-" << Tag(t.unit()) << "\n";
    *env.err << "\n";

    // Juju's --wait 0 means no limit.
    Clock& clock = *env.clock;
    std::optional<Clock::TimePoint> deadline;
    if (wait_.count() != 0) deadline = clock.Now() + wait_;
    nlohmann::json all = nlohmann::json::object();
    std::vector<std::string> failed;
    for (const auto& t : queued->tasks()) {
      *env.err << "Waiting for task " << t.id() << "...\n" << std::flush;
      auto task = WaitForTask(*session, clock, t.id(), deadline);
      if (!task.ok()) return task.status();
      if (!Done(*task)) {
        return absl::DeadlineExceededError(absl::StrCat("timed out waiting for results from: unit ", task->unit()));
      }
      nlohmann::json doc = TaskDocument(*task);
      if (task->status() == "failed") {
        const nlohmann::json results = doc.value("results", nlohmann::json::object());
        int64_t rc = results.contains("return-code") && results["return-code"].is_number_integer()
                         ? results["return-code"].get<int64_t>()
                         : -1;
        // action-fail ends `failed` with return code 0, which Juju does not report as an error.
        if (rc != 0) {
          failed.push_back(rc < 0 ? absl::StrCat(" - id \"", task->id(), "\" with message \"", task->message(), "\"")
                                  : absl::StrCat(" - id \"", task->id(), "\" with return code ", rc));
        }
      }
      all[task->unit()] = std::move(doc);
    }
    std::string text;
    if (format_ == "plain") {
      for (const auto& [unit, doc] : all.items()) {
        std::string results = doc.contains("results") ? doc["results"].value("stderr", "") : "";
        if (!results.empty()) *env.err << results;
        if (all.size() > 1) text += unit + ":\n";
        text += PlainResult(doc);
      }
    } else {
      auto rendered = output::RenderData(all, format_);
      if (!rendered.ok()) return rendered.status();
      text = *rendered;
    }
    if (auto s = WriteOutput(env, output_, text); !s.ok()) return s;
    if (!failed.empty()) {
      std::string message = absl::StrCat("the following ", failed.size() == 1 ? "task" : "tasks", " failed:\n");
      for (const auto& f : failed) absl::StrAppend(&message, f, "\n");
      absl::StrAppend(&message, "\nuse 'skein show-task' to inspect the failure");
      return absl::FailedPreconditionError(message);
    }
    return absl::OkStatus();
  }

 private:
  static std::string Tag(const std::string& unit) {
    std::string tag = unit;
    std::replace(tag.begin(), tag.end(), '/', '-');
    return tag;
  }

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
    if (!wait_text_.empty()) {
      auto wait = ParseDuration(wait_text_);
      if (!wait.ok()) {
        return UsageError(absl::StrCat("invalid value \"", wait_text_, "\" for option --wait: ",
                                       std::string(wait.status().message())));
      }
      wait_ = std::chrono::duration_cast<Millis>(*wait);
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto task = WaitForTask(*session, *env.clock, task_id_, env.clock->Now() + wait_);
    if (!task.ok()) return task.status();
    if (wait_.count() > 0 && !Done(*task)) {
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
