#pragma once

// Actions (juju-semantics §1.7, §9.3): `skein run` enqueues one operation with one task per
// unit; the unit's agent sees its queued tasks in its UnitSnapshot, starts, logs to and
// finishes them. Tasks never touch the unit's status. Ids are model-wide numeric strings
// shared by operations and tasks (operation 1, task 2, ...), as in Juju 3.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
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

struct Enqueued {
  std::string operation_id;
  std::vector<TaskRecord> tasks;
};

// Tasks of the unit that are pending or running, oldest first (for the unit's snapshot).
std::vector<TaskRecord> QueuedTasks(Tx& tx, int64_t model_id, const std::string& unit);

class ActionService {
 public:
  explicit ActionService(Db* db) : db_(db) {}

  // `units` are `app/N` or `app/leader`. Errors: NotFound `model "m" not found`,
  // `unit "app/9" not found`, `action "x" not defined on unit "app/0"`; FailedPrecondition
  // `could not determine leader for "app"`; InvalidArgument for a bad unit name, a params value
  // that is not a JSON object, or a schema violation (see param_schema.h). All-or-nothing.
  absl::StatusOr<Enqueued> Enqueue(const std::string& model, const std::vector<std::string>& units,
                                   const std::string& action, const std::string& params_json);

  // NotFound `task "N" not found`. With a non-zero `wait`, returns once the task is done or
  // the wait ran out (then as it is), or at Shutdown.
  absl::StatusOr<TaskRecord> GetTask(const std::string& model, const std::string& task_id,
                                     std::chrono::milliseconds wait = std::chrono::milliseconds(0));

  // Agent side; `unit_id` is the caller's unit row. NotFound `task "N" not found` when the
  // task is not the caller's. FailedPrecondition when the task is already done.
  absl::Status Start(int64_t unit_id, const std::string& task_id);
  absl::Status AppendLog(int64_t unit_id, const std::string& task_id, const std::string& message);
  // Idempotent for a task already done (a retried call after a lost answer).
  absl::Status Finish(int64_t unit_id, const std::string& task_id, bool failed, const std::string& message,
                      const std::string& results_json);

  // Wakes every waiter in GetTask so that the server can stop.
  void Shutdown();

 private:
  absl::Status UpdateOwnTask(const std::string& op, int64_t unit_id, const std::string& task_id,
                             const std::function<absl::Status(Tx&, int64_t model_id, int64_t id, TaskRecord&)>& fn);
  void Notify();

  Db* db_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool shutdown_ = false;
};

}  // namespace skein::controller::domain::action
