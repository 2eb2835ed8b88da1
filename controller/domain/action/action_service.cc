#include "controller/domain/action/action_service.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/action/param_schema.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/base/limits.h"
#include "lib/base/names.h"
#include "lib/base/status_macros.h"
#include "lib/format/output.h"
#include "lib/base/time.h"

namespace skein::controller::domain::action {
namespace {

absl::Status TaskNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("task \"", id, "\" not found"));
}

constexpr const char* kTaskColumns =
    "SELECT id, operation_id, unit, action, params_json, parallel, status, message, results_json, enqueued, "
    "started, completed FROM tasks ";

TaskRecord ReadTask(SQLite::Statement& q) {
  TaskRecord t;
  t.id = std::to_string(q.getColumn(0).getInt64());
  t.operation_id = std::to_string(q.getColumn(1).getInt64());
  t.unit = q.getColumn(2).getString();
  t.action = q.getColumn(3).getString();
  t.params = nlohmann::json::parse(q.getColumn(4).getString(), nullptr, false);
  if (!t.params.is_object()) t.params = nlohmann::json::object();
  t.parallel = q.getColumn(5).getInt() != 0;
  t.status = q.getColumn(6).getString();
  t.message = q.getColumn(7).getString();
  t.results = nlohmann::json::parse(q.getColumn(8).getString(), nullptr, false);
  if (!t.results.is_object()) t.results = nlohmann::json::object();
  t.enqueued = q.getColumn(9).getString();
  t.started = q.getColumn(10).getString();
  t.completed = q.getColumn(11).getString();
  return t;
}

absl::StatusOr<TaskRecord> LoadTask(Tx& tx, int64_t model_id, int64_t id) {
  auto q = sql::Prepare(tx.db(), (std::string(kTaskColumns) + "WHERE model_id = ?1 AND id = ?2").c_str(), model_id, id);
  if (!q.executeStep()) return TaskNotFound(std::to_string(id));
  TaskRecord t = ReadTask(q);
  auto logs = sql::Prepare(tx.db(), "SELECT timestamp, message FROM task_logs WHERE model_id = ?1 AND task_id = ?2 ORDER BY seq",
                           model_id, id);
  while (logs.executeStep()) t.log.push_back({logs.getColumn(0).getString(), logs.getColumn(1).getString()});
  return t;
}

absl::StatusOr<int64_t> ParseId(const std::string& id) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(id, &n) || n <= 0) return TaskNotFound(id);
  return n;
}

// The unit a `skein run` target names: `app/N` or `app/leader`.
absl::StatusOr<UnitRow> ResolveTarget(Tx& tx, int64_t model_id, const std::string& target) {
  size_t slash = target.find('/');
  if (slash != std::string::npos && target.substr(slash + 1) == "leader") {
    std::string app_name = target.substr(0, slash);
    ASSIGN_OR_RETURN(AppRow app, FindApp(tx, model_id, app_name));
    if (app.leader_unit.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("could not determine leader for \"", app_name, "\""));
    }
    return FindUnit(tx, model_id, app.leader_unit);
  }
  if (!ParseUnitName(target).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("invalid unit name \"", target, "\""));
  }
  auto unit = FindUnit(tx, model_id, target);
  if (!unit.ok() && absl::IsNotFound(unit.status())) {
    return absl::NotFoundError(absl::StrCat("unit \"", target, "\" not found"));
  }
  return unit;
}

// The units an exec target names: `app/N`, `app/leader`, or `app` for every unit of it.
absl::StatusOr<std::vector<UnitRow>> ResolveExecTarget(Tx& tx, int64_t model_id, const std::string& target) {
  if (target.find('/') != std::string::npos) {
    ASSIGN_OR_RETURN(UnitRow unit, ResolveTarget(tx, model_id, target));
    return std::vector<UnitRow>{unit};
  }
  if (!target.empty() && absl::ascii_isdigit(static_cast<unsigned char>(target[0]))) {
    // A machine reached here through --unit or --application; `exec --machine` has its own path.
    return absl::InvalidArgumentError(absl::StrCat("\"", target, "\" is a machine, not a unit or application: use --machine ",
                                                   target, " to run on it"));
  }
  auto app = FindApp(tx, model_id, target);
  if (!app.ok()) return absl::NotFoundError(absl::StrCat("application \"", target, "\" not found"));
  std::vector<UnitRow> units = UnitsOfApp(tx, app->id);
  if (units.empty()) return absl::NotFoundError(absl::StrCat("application \"", target, "\" has no units"));
  return units;
}

// The caps on what FinishAction stores (lib/base/limits.h), checked again on receipt.
absl::Status CheckResultSizes(const nlohmann::json& results, const std::string& message) {
  RETURN_IF_ERROR(limits::CheckSize(limits::kStatusMessage, "the action's failure message", message.size()));
  // The agent keeps the end of each output stream (base64 when it is not UTF-8) beside what the
  // action set with action-set, which has its own cap.
  nlohmann::json set = results;
  for (const char* key : {"stdout", "stderr"}) {
    set.erase(std::string(key) + "-encoding");
    if (!set.contains(key)) continue;
    size_t size = set[key].is_string() ? set[key].get_ref<const std::string&>().size() : set[key].dump().size();
    RETURN_IF_ERROR(
        limits::CheckSize(limits::kActionOutput, absl::StrCat("the action's ", key, " in its results"), size));
    set.erase(key);
  }
  set.erase("return-code");
  return limits::CheckSize(limits::kActionResults, "the action's results", set.dump().size());
}

}  // namespace

std::vector<TaskRecord> QueuedTasks(Tx& tx, int64_t model_id, const std::string& unit) {
  std::vector<TaskRecord> out;
  auto q = sql::Prepare(
      tx.db(),
      (std::string(kTaskColumns) + "WHERE model_id = ?1 AND unit = ?2 AND status IN ('pending', 'running') ORDER BY id")
          .c_str(),
      model_id, unit);
  while (q.executeStep()) out.push_back(ReadTask(q));
  return out;
}

absl::StatusOr<Enqueued> ActionService::Enqueue(const std::string& model, const std::vector<std::string>& units,
                                                const std::string& action, const std::string& params_json) {
  // Refused before any task exists: a task whose parameters no agent may receive would wedge
  // its unit's queue.
  RETURN_IF_ERROR(limits::CheckSize(limits::kActionParams, "the action's parameters", params_json.size()));
  nlohmann::json params = nlohmann::json::object();
  if (!params_json.empty()) {
    absl::StatusOr<nlohmann::json> parsed = format::ParseJsonWithin(params_json);
    if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("action parameters: ", parsed.status().message()));
    params = std::move(*parsed);
    if (!params.is_object()) return absl::InvalidArgumentError("action parameters must be a map");
  }
  if (units.empty()) return absl::InvalidArgumentError("no unit specified");
  const bool exec = action == kExecAction;
  if (exec && (!params.contains("command") || !params["command"].is_string() ||
               params["command"].get_ref<const std::string&>().empty())) {
    return absl::InvalidArgumentError("no command specified");
  }
  Enqueued out;
  RETURN_IF_ERROR(db_->Write("run action", [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    struct Planned {
      UnitRow unit;
      nlohmann::json params;
      bool parallel;
    };
    std::vector<Planned> planned;
    std::set<std::string> planned_units;
    for (const std::string& target : units) {
      if (exec) {
        // A command has no schema: it runs as given, once per unit however often it is named.
        ASSIGN_OR_RETURN(std::vector<UnitRow> targets, ResolveExecTarget(tx, m.id, target));
        for (UnitRow& unit : targets) {
          if (planned_units.insert(unit.name).second) planned.push_back({std::move(unit), params, false});
        }
        continue;
      }
      ASSIGN_OR_RETURN(UnitRow unit, ResolveTarget(tx, m.id, target));
      ASSIGN_OR_RETURN(AppRow app, FindAppById(tx, unit.application_id));
      auto q = sql::Prepare(tx.db(), "SELECT actions_yaml FROM charms WHERE id = ?1", app.charm_id);
      std::string yaml = q.executeStep() ? q.getColumn(0).getString() : "";
      ASSIGN_OR_RETURN(auto specs, charm::ParseActions(yaml));
      auto spec = specs.find(action);
      if (spec == specs.end()) {
        return absl::NotFoundError(absl::StrCat("action \"", action, "\" not defined on unit \"", unit.name, "\""));
      }
      ASSIGN_OR_RETURN(nlohmann::json validated, ValidateParams(spec->second, params));
      RETURN_IF_ERROR(limits::CheckSize(limits::kActionParams, "the action's parameters with their defaults",
                                        validated.dump().size()));
      planned.push_back({unit, validated, spec->second.parallel});
    }
    int64_t next = sql::QueryInt(tx.db(), 1, "SELECT next_action_id FROM models WHERE id = ?1", m.id);
    int64_t op_id = next++;
    std::string now = FormatRfc3339(tx.clock().WallNow());
    sql::Exec(tx.db(), "INSERT INTO operations (model_id, id, action, enqueued) VALUES (?1, ?2, ?3, ?4)", m.id, op_id,
              action, now);
    out.operation_id = std::to_string(op_id);
    for (const Planned& p : planned) {
      int64_t task_id = next++;
      sql::Exec(tx.db(),
                "INSERT INTO tasks (model_id, id, operation_id, unit, action, params_json, parallel, status, enqueued) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
                m.id, task_id, op_id, p.unit.name, action, p.params.dump(), p.parallel, now);
      ASSIGN_OR_RETURN(TaskRecord t, LoadTask(tx, m.id, task_id));
      out.tasks.push_back(std::move(t));
      tx.Touch(UnitKey(p.unit.id));
    }
    sql::Exec(tx.db(), "UPDATE models SET next_action_id = ?1 WHERE id = ?2", next, m.id);
    tx.Record(m.id, "operation", out.operation_id, "add");
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<TaskView> ActionService::WatchedTask(const std::string& model, const std::string& task_id) {
  ASSIGN_OR_RETURN(int64_t id, ParseId(task_id));
  TaskView view;
  RETURN_IF_ERROR(db_->Read([&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(ModelRow m, FindModel(tx, model));
    ASSIGN_OR_RETURN(view.task, LoadTask(tx, m.id, id));
    view.keys = {TaskKey(m.id, id)};
    return absl::OkStatus();
  }));
  return view;
}

absl::StatusOr<TaskRecord> ActionService::GetTask(const std::string& model, const std::string& task_id) {
  ASSIGN_OR_RETURN(TaskView view, WatchedTask(model, task_id));
  return std::move(view.task);
}

absl::Status ActionService::UpdateOwnTask(
    const std::string& op, int64_t unit_id, const std::string& task_id,
    const std::function<absl::Status(Tx&, int64_t model_id, int64_t id, TaskRecord&)>& fn) {
  ASSIGN_OR_RETURN(int64_t id, ParseId(task_id));
  return db_->Write(op, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(UnitRow unit, FindUnitById(tx, unit_id));
    auto task = LoadTask(tx, unit.model_id, id);
    if (!task.ok() || task->unit != unit.name) return TaskNotFound(task_id);
    RETURN_IF_ERROR(fn(tx, unit.model_id, id, *task));
    tx.Touch(UnitKey(unit.id));
    tx.Touch(TaskKey(unit.model_id, id));
    return absl::OkStatus();
  });
}

absl::Status ActionService::Start(int64_t unit_id, const std::string& task_id) {
  return UpdateOwnTask("start action", unit_id, task_id, [&](Tx& tx, int64_t model_id, int64_t id, TaskRecord& t) {
    if (t.Done()) return absl::FailedPreconditionError(absl::StrCat("task \"", task_id, "\" already ", t.status));
    if (t.status == "running") return absl::OkStatus();
    sql::Exec(tx.db(), "UPDATE tasks SET status = 'running', started = ?1 WHERE model_id = ?2 AND id = ?3",
              FormatRfc3339(tx.clock().WallNow()), model_id, id);
    return absl::OkStatus();
  });
}

absl::Status ActionService::AppendLog(int64_t unit_id, const std::string& task_id, const std::string& message) {
  RETURN_IF_ERROR(limits::CheckSize(limits::kLogLine, "the action log message", message.size()));
  return UpdateOwnTask("log action", unit_id, task_id, [&](Tx& tx, int64_t model_id, int64_t id, TaskRecord& t) {
    int64_t seq = sql::QueryInt(tx.db(), 0, "SELECT MAX(seq) FROM task_logs WHERE model_id = ?1 AND task_id = ?2",
                                model_id, id) + 1;
    sql::Exec(tx.db(), "INSERT INTO task_logs (model_id, task_id, seq, timestamp, message) VALUES (?1, ?2, ?3, ?4, ?5)",
              model_id, id, seq, FormatRfc3339(tx.clock().WallNow()), message);
    return absl::OkStatus();
  });
}

absl::Status ActionService::Finish(int64_t unit_id, const std::string& task_id, bool failed, const std::string& message,
                                   const std::string& results_json) {
  absl::StatusOr<nlohmann::json> parsed = format::ParseJsonWithin(results_json.empty() ? "{}" : results_json);
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("action results: ", parsed.status().message()));
  nlohmann::json results = std::move(*parsed);
  if (!results.is_object()) return absl::InvalidArgumentError("action results must be a map");
  RETURN_IF_ERROR(CheckResultSizes(results, message));
  return UpdateOwnTask("finish action", unit_id, task_id, [&](Tx& tx, int64_t model_id, int64_t id, TaskRecord& t) {
    if (t.Done()) return absl::OkStatus();
    std::string now = FormatRfc3339(tx.clock().WallNow());
    sql::Exec(tx.db(),
              "UPDATE tasks SET status = ?1, message = ?2, results_json = ?3, completed = ?4, "
              "started = CASE WHEN started = '' THEN ?4 ELSE started END WHERE model_id = ?5 AND id = ?6",
              failed ? "failed" : "completed", message, results.dump(), now, model_id, id);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::action
