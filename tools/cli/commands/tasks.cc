// The task helpers shared by run, exec and show-task (tasks.h).

#include "tools/cli/commands/tasks.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/duration.h"
#include "lib/format/output.h"
#include "tools/cli/client/stream_watch.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

// Juju prints task times as Go's time.Time String() in UTC: `2024-06-11 05:07:33 +0000 UTC`.
std::string GoTime(const std::string& rfc3339) {
  if (rfc3339.size() < 19) return rfc3339;
  return absl::StrCat(rfc3339.substr(0, 10), " ", rfc3339.substr(11, 8), " +0000 UTC");
}

// `app/0` as Juju's unit tag names it: `app-0`.
std::string Tag(const std::string& unit) {
  std::string tag = unit;
  std::replace(tag.begin(), tag.end(), '/', '-');
  return tag;
}

}  // namespace

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

bool TaskDone(const skein::v1::TaskInfo& task) { return task.status() == "completed" || task.status() == "failed"; }

absl::StatusOr<skein::v1::TaskInfo> WaitForTask(Session& session, Clock& clock, const std::string& task_id,
                                                std::optional<Clock::TimePoint> deadline) {
  skein::v1::ShowTaskRequest show;
  show.set_model(session.model());
  show.set_task_id(task_id);
  // A plain answer first: its errors (an unknown task) are the command's, and a task that is
  // already done needs no stream.
  auto task = session.connection->Call(&Controller::StubInterface::ShowTask, show);
  if (!task.ok() || TaskDone(*task) || (deadline && clock.Now() >= *deadline)) return task;
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
        if (TaskDone(*task)) return task;
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

std::optional<int64_t> TaskReturnCode(const nlohmann::json& doc) {
  const nlohmann::json results = doc.value("results", nlohmann::json::object());
  if (!results.contains("return-code") || !results["return-code"].is_number_integer()) return std::nullopt;
  return results["return-code"].get<int64_t>();
}

absl::Status ParseWaitFlag(const std::string& text, bool background, std::chrono::milliseconds* wait) {
  if (text.empty()) return absl::OkStatus();
  auto parsed = ParseDuration(text);
  if (!parsed.ok()) {
    return UsageError(
        absl::StrCat("invalid value \"", text, "\" for option --wait: ", std::string(parsed.status().message())));
  }
  if (background) return UsageError("cannot specify both --wait and --background");
  *wait = std::chrono::duration_cast<std::chrono::milliseconds>(*parsed);
  return absl::OkStatus();
}

void PrintScheduled(std::ostream& err, const skein::v1::RunActionResponse& queued) {
  const int n = queued.tasks_size();
  if (n == 1) {
    err << "Scheduled operation " << queued.operation_id() << " with task " << queued.tasks(0).id() << "\n";
  } else {
    err << "Scheduled operation " << queued.operation_id() << " with " << n << " tasks\n";
    for (const auto& t : queued.tasks()) err << "  - task " << t.id() << " on unit-" << Tag(t.unit()) << "\n";
  }
  err << "Check operation status with 'skein show-operation " << queued.operation_id() << "'\n";
  for (const auto& t : queued.tasks()) err << "Check task status with 'skein show-task " << t.id() << "'\n";
}

void PrintRunning(std::ostream& err, const skein::v1::RunActionResponse& queued) {
  const int n = queued.tasks_size();
  err << "Running operation " << queued.operation_id() << " with " << n << (n == 1 ? " task\n" : " tasks\n");
  for (const auto& t : queued.tasks()) err << "  - task " << t.id() << " on unit-" << Tag(t.unit()) << "\n";
  err << "\n";
}

absl::StatusOr<CollectedTasks> CollectTasks(Environment& env, Session& session,
                                            const skein::v1::RunActionResponse& queued, std::chrono::milliseconds wait) {
  // Juju's --wait 0 means no limit.
  Clock& clock = *env.clock;
  std::optional<Clock::TimePoint> deadline;
  if (wait.count() != 0) deadline = clock.Now() + wait;
  CollectedTasks out;
  for (const auto& t : queued.tasks()) {
    *env.err << "Waiting for task " << t.id() << "...\n" << std::flush;
    auto task = WaitForTask(session, clock, t.id(), deadline);
    if (!task.ok()) return task.status();
    if (!TaskDone(*task)) {
      return absl::DeadlineExceededError(absl::StrCat("timed out waiting for results from: unit ", task->unit()));
    }
    nlohmann::json doc = TaskDocument(*task);
    std::optional<int64_t> rc = TaskReturnCode(doc);
    if (rc.has_value() && *rc != 0) {
      out.failed.push_back(absl::StrCat(" - id \"", task->id(), "\" with return code ", *rc));
    } else if (!rc.has_value() && task->status() == "failed") {
      out.failed.push_back(absl::StrCat(" - id \"", task->id(), "\" with message \"", task->message(), "\""));
    }
    out.documents[task->unit()] = std::move(doc);
  }
  return out;
}

absl::Status PrintTasks(Environment& env, const nlohmann::json& documents, const std::string& format,
                        const std::string& output_file) {
  std::string text;
  if (format == "plain") {
    for (const auto& [receiver, doc] : documents.items()) {
      std::string stderr_text = doc.contains("results") ? doc["results"].value("stderr", "") : "";
      if (!stderr_text.empty()) *env.err << stderr_text;
      if (documents.size() > 1) text += receiver + ":\n";
      text += PlainResult(doc);
    }
  } else {
    auto rendered = output::RenderData(documents, format);
    if (!rendered.ok()) return rendered.status();
    text = *rendered;
  }
  return WriteOutput(env, output_file, text);
}

absl::Status TasksFailedError(const std::vector<std::string>& failed) {
  if (failed.empty()) return absl::OkStatus();
  std::string message = absl::StrCat("the following ", failed.size() == 1 ? "task" : "tasks", " failed:\n");
  for (const auto& f : failed) absl::StrAppend(&message, f, "\n");
  absl::StrAppend(&message, "\nuse 'skein show-task' to inspect the failure");
  return absl::FailedPreconditionError(message);
}

absl::Status FollowQueuedTasks(Environment& env, Session& session, const skein::v1::RunActionResponse& queued,
                               bool background, std::chrono::milliseconds wait, const std::string& format,
                               const std::string& output_file) {
  if (background) {
    PrintScheduled(*env.err, queued);
    return absl::OkStatus();
  }
  PrintRunning(*env.err, queued);
  auto collected = CollectTasks(env, session, queued, wait);
  if (!collected.ok()) return collected.status();
  if (absl::Status s = PrintTasks(env, collected->documents, format, output_file); !s.ok()) return s;
  return TasksFailedError(collected->failed);
}

}  // namespace skein::cli::commands
