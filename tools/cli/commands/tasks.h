#pragma once

// What `run`, `exec` and `show-task` share about tasks: the JSON document Juju prints for one
// (juju-cli-client-contract §6), waiting for one to finish, the plain rendering and the error
// that lists the tasks that failed.

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/environment.h"

namespace skein::cli::commands {

// `{"id", "status", "unit", "results", "message", "log", "timing"}`, empty parts left out.
nlohmann::json TaskDocument(const skein::v1::TaskInfo& task);

bool TaskDone(const skein::v1::TaskInfo& task);

// The task once it is done, or as it is when `deadline` (none: no limit) has passed. Follows
// the task's WatchTask stream, never a poll.
absl::StatusOr<skein::v1::TaskInfo> WaitForTask(Session& session, Clock& clock, const std::string& task_id,
                                                std::optional<Clock::TimePoint> deadline);

// The plain format: the results the charm set (as YAML) and then the stdout.
std::string PlainResult(const nlohmann::json& doc);

// The return code in a task document's results, when it has one.
std::optional<int64_t> TaskReturnCode(const nlohmann::json& doc);

// Parses a --wait flag (a Go duration; empty leaves `*wait` as it is). Usage errors: a bad
// duration, or --wait given with --background.
absl::Status ParseWaitFlag(const std::string& text, bool background, std::chrono::milliseconds* wait);

// What `--background` prints on stderr: the operation, its tasks and how to check them.
void PrintScheduled(std::ostream& err, const skein::v1::RunActionResponse& queued);
// What Juju prints on stderr before it waits: `Running operation N with M tasks` and each task.
void PrintRunning(std::ostream& err, const skein::v1::RunActionResponse& queued);

struct CollectedTasks {
  nlohmann::json documents = nlohmann::json::object();  // TaskDocument keyed by receiver
  std::vector<std::string> failed;                      // lines for TasksFailedError
};
// Waits for each queued task in turn, up to `wait` in all (0 = no limit). DeadlineExceeded
// `timed out waiting for results from: unit X` when it runs out. A task failed when its return
// code is not 0, or when it ended `failed` without one (a failure with return code 0 is
// action-fail's, which Juju does not report as an error).
absl::StatusOr<CollectedTasks> CollectTasks(Environment& env, Session& session,
                                            const skein::v1::RunActionResponse& queued, std::chrono::milliseconds wait);

// Prints the documents: plain gives each task's results and stdout (its stderr goes to stderr),
// with a `receiver:` line before each when there are several; json and yaml the whole object.
// To stdout, or to `output_file` when set.
absl::Status PrintTasks(Environment& env, const nlohmann::json& documents, const std::string& format,
                        const std::string& output_file);

// Juju's error for tasks that failed; each line is ` - id "N" with return code R` (or `with
// message "..."`). jubilant looks for `task failed` in it.
absl::Status TasksFailedError(const std::vector<std::string>& failed);

// What run and exec do once their tasks are queued: with `background`, PrintScheduled and
// return; else PrintRunning, CollectTasks up to `wait`, PrintTasks in `format`, and
// TasksFailedError for the tasks that failed.
absl::Status FollowQueuedTasks(Environment& env, Session& session, const skein::v1::RunActionResponse& queued,
                               bool background, std::chrono::milliseconds wait, const std::string& format,
                               const std::string& output_file);

}  // namespace skein::cli::commands
