#pragma once

// Actions (juju-semantics §1.7, §9.3): `skein run` enqueues one operation with one task per
// unit; the unit's agent sees its queued tasks in its UnitSnapshot, starts, logs to and
// finishes them. Tasks never touch the unit's status. Ids are model-wide numeric strings
// shared by operations and tasks (operation 1, task 2, ...), as in Juju 3.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::action {

struct TaskLogLine {
  std::string timestamp;  // RFC 3339
  std::string message;
};

struct TaskRecord {
  std::string id;
  std::string operation_id;
  std::string unit;
  std::string action;
  nlohmann::json params = nlohmann::json::object();
  bool parallel = false;
  std::string status;  // pending | running | completed | failed
  std::string message;
  nlohmann::json results = nlohmann::json::object();
  std::vector<TaskLogLine> log;
  std::string enqueued, started, completed;

  bool Done() const { return status == "completed" || status == "failed"; }
};

// A task and the change keys its next change touches, for a watch that waits on it.
struct TaskView {
  TaskRecord task;
  std::set<std::string> keys;
};

struct Enqueued {
  std::string operation_id;
  std::vector<TaskRecord> tasks;
};

// The action `skein exec` queues (Juju models `juju exec` as this action; charms may not define
// `juju-*` actions). Its params are {"command": "<shell command line>"}; the unit agent runs the
// command with bash in the unit's hook context instead of a charm handler.
inline constexpr char kExecAction[] = "juju-exec";

// Tasks of the unit that are pending or running, oldest first (for the unit's snapshot).
std::vector<TaskRecord> QueuedTasks(Tx& tx, int64_t model_id, const std::string& unit);

class ActionService {
 public:
  explicit ActionService(Db* db) : db_(db) {}

  // `units` are `app/N` or `app/leader`. Errors: NotFound `model "m" not found`,
  // `unit "app/9" not found`, `action "x" not defined on unit "app/0"`; FailedPrecondition
  // `could not determine leader for "app"`; InvalidArgument for a bad unit name, a params value
  // that is not a JSON object, or a schema violation (see param_schema.h). All-or-nothing.
  // For kExecAction, `units` may also name applications (`app`: each of its units, once) and
  // the params must hold a non-empty string `command`; machine targets (`0`) are refused with
  // Unimplemented, as only unit agents run tasks.
  absl::StatusOr<Enqueued> Enqueue(const std::string& model, const std::vector<std::string>& units,
                                   const std::string& action, const std::string& params_json);

  // NotFound `task "N" not found`. Waiting for a task is a watch on WatchedTask's keys (the
  // controller's hub wakes it), never a blocking call here.
  absl::StatusOr<TaskRecord> GetTask(const std::string& model, const std::string& task_id);
  absl::StatusOr<TaskView> WatchedTask(const std::string& model, const std::string& task_id);

  // Agent side; `unit_id` is the caller's unit row. NotFound `task "N" not found` when the
  // task is not the caller's. FailedPrecondition when the task is already done.
  absl::Status Start(int64_t unit_id, const std::string& task_id);
  absl::Status AppendLog(int64_t unit_id, const std::string& task_id, const std::string& message);
  // Idempotent for a task already done (a retried call after a lost answer).
  absl::Status Finish(int64_t unit_id, const std::string& task_id, bool failed, const std::string& message,
                      const std::string& results_json);

 private:
  absl::Status UpdateOwnTask(const std::string& op, int64_t unit_id, const std::string& task_id,
                             const std::function<absl::Status(Tx&, int64_t model_id, int64_t id, TaskRecord&)>& fn);

  Db* db_;
};

}  // namespace skein::controller::domain::action
