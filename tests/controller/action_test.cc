// domain/action: parameter schema validation and defaults, enqueueing (ids, leader targets,
// Juju's errors), the task state machine and the unit snapshot's queued actions.

#include "controller/domain/action/action_service.h"

#include <set>

#include "controller/domain/action/param_schema.h"
#include "controller/watch/snapshots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::action::ActionService;
using domain::action::ValidateParams;
using nlohmann::json;
using testing::DomainEnv;

constexpr char kActionsYaml[] = R"(
backup:
  description: Back up.
  params:
    target:
      type: string
    count:
      type: integer
      default: 3
    ratio:
      type: number
    force:
      type: boolean
      default: false
    mode:
      type: string
      enum: [full, incremental]
      default: full
    tags:
      type: array
      items:
        type: string
    opts:
      type: object
      properties:
        level:
          type: integer
          default: 1
  required: [target]
  additionalProperties: false
open:
  params:
    anything:
      type: string
)";

charm::ActionSpec Spec(const std::string& name) {
  auto specs = charm::ParseActions(kActionsYaml);
  EXPECT_TRUE(specs.ok());
  return specs->at(name);
}

v1::CharmArchive ActionCharm() {
  v1::CharmArchive charm = testing::MakeCharm(testing::kDbMetadata);
  v1::CharmFile* f = charm.add_files();
  f->set_path("actions.yaml");
  f->set_mode(0644);
  f->set_content(kActionsYaml);
  return charm;
}

TEST(ParamSchemaTest, InsertsDefaultsIncludingNestedObjects) {
  auto out = ValidateParams(Spec("backup"), json{{"target", "/tmp"}, {"opts", json::object()}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ((*out)["count"], 3);
  EXPECT_EQ((*out)["force"], false);
  EXPECT_EQ((*out)["mode"], "full");
  EXPECT_EQ((*out)["opts"]["level"], 1);
  EXPECT_EQ((*out)["target"], "/tmp");
  EXPECT_FALSE(out->contains("ratio"));
}

TEST(ParamSchemaTest, RejectsWrongTypesEnumsMissingAndUnknownKeys) {
  auto spec = Spec("backup");
  auto bad_type = ValidateParams(spec, json{{"target", "/t"}, {"count", "x"}});
  EXPECT_EQ(bad_type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_type.status().message()), ::testing::HasSubstr("(root).count : must be of type integer"));
  EXPECT_FALSE(ValidateParams(spec, json{{"target", 5}}).ok());
  EXPECT_FALSE(ValidateParams(spec, json{{"target", "/t"}, {"force", "yes"}}).ok());
  EXPECT_FALSE(ValidateParams(spec, json{{"target", "/t"}, {"ratio", "1.5"}}).ok());
  EXPECT_TRUE(ValidateParams(spec, json{{"target", "/t"}, {"ratio", 1}}).ok()) << "an integer is a number";
  EXPECT_FALSE(ValidateParams(spec, json{{"target", "/t"}, {"tags", "a"}}).ok());
  EXPECT_FALSE(ValidateParams(spec, json{{"target", "/t"}, {"tags", json::array({1})}}).ok());
  EXPECT_TRUE(ValidateParams(spec, json{{"target", "/t"}, {"tags", json::array({"a"})}}).ok());
  EXPECT_FALSE(ValidateParams(spec, json{{"target", "/t"}, {"opts", "x"}}).ok());
  auto bad_enum = ValidateParams(spec, json{{"target", "/t"}, {"mode", "weekly"}});
  EXPECT_THAT(std::string(bad_enum.status().message()), ::testing::HasSubstr("must be one of the following"));
  auto missing = ValidateParams(spec, json::object());
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("\"target\" property is missing and required"));
  auto unknown = ValidateParams(spec, json{{"target", "/t"}, {"bogus", 1}});
  EXPECT_THAT(std::string(unknown.status().message()),
              ::testing::HasSubstr("additional property \"bogus\" is not allowed"));
  // additionalProperties defaults to true.
  EXPECT_TRUE(ValidateParams(Spec("open"), json{{"other", 1}}).ok());
}

class ActionServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", ActionCharm(), 2);
    actions_ = std::make_unique<ActionService>(env_.db.get());
  }
  DomainEnv env_;
  std::unique_ptr<ActionService> actions_;
};

TEST_F(ActionServiceTest, EnqueueNumbersOperationThenTasksAndFillsDefaults) {
  auto queued = actions_->Enqueue("test", {"db/0", "db/1"}, "backup", R"({"target":"/x"})");
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(queued->operation_id, "1");
  ASSERT_EQ(queued->tasks.size(), 2u);
  EXPECT_EQ(queued->tasks[0].id, "2");
  EXPECT_EQ(queued->tasks[0].unit, "db/0");
  EXPECT_EQ(queued->tasks[1].id, "3");
  EXPECT_EQ(queued->tasks[0].status, "pending");
  EXPECT_EQ(queued->tasks[0].params["count"], 3);
  auto next = actions_->Enqueue("test", {"db/0"}, "open", "");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->operation_id, "4");
  EXPECT_EQ(next->tasks[0].id, "5");
}

TEST_F(ActionServiceTest, EnqueueErrorsAreJujus) {
  auto unknown = actions_->Enqueue("test", {"db/0"}, "nope", "");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "action \"nope\" not defined on unit \"db/0\"");
  auto no_unit = actions_->Enqueue("test", {"db/9"}, "backup", R"({"target":"/x"})");
  EXPECT_EQ(no_unit.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(no_unit.status().message(), "unit \"db/9\" not found");
  auto invalid = actions_->Enqueue("test", {"db/0"}, "backup", R"({"count":1})");
  EXPECT_EQ(invalid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(actions_->Enqueue("test", {"db/0"}, "backup", "[1]").status().code(), absl::StatusCode::kInvalidArgument);
  // Nothing was queued by the failures (all-or-nothing).
  EXPECT_EQ(env_.Count("tasks"), 0);
}

TEST_F(ActionServiceTest, LeaderTargetResolvesToTheLeaderUnit) {
  auto queued = actions_->Enqueue("test", {"db/leader"}, "open", "");
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(queued->tasks[0].unit, env_.Leader("db"));
}

TEST_F(ActionServiceTest, TaskStateMachineAndOwnership) {
  auto queued = actions_->Enqueue("test", {"db/0"}, "open", "");
  ASSERT_TRUE(queued.ok());
  std::string id = queued->tasks[0].id;
  int64_t unit0 = env_.UnitId("db/0");
  int64_t unit1 = env_.UnitId("db/1");
  EXPECT_EQ(actions_->Start(unit1, id).code(), absl::StatusCode::kNotFound) << "another unit's task";
  ASSERT_TRUE(actions_->Start(unit0, id).ok());
  EXPECT_EQ(actions_->GetTask("test", id)->status, "running");
  ASSERT_TRUE(actions_->AppendLog(unit0, id, "step one").ok());
  ASSERT_TRUE(actions_->Finish(unit0, id, true, "exit status 3", R"({"return-code":3})").ok());
  auto task = actions_->GetTask("test", id);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->status, "failed");
  EXPECT_EQ(task->message, "exit status 3");
  EXPECT_EQ(task->results["return-code"], 3);
  ASSERT_EQ(task->log.size(), 1u);
  EXPECT_EQ(task->log[0].message, "step one");
  EXPECT_FALSE(task->started.empty());
  EXPECT_FALSE(task->completed.empty());
  EXPECT_EQ(actions_->Start(unit0, id).code(), absl::StatusCode::kFailedPrecondition) << "already done";
  EXPECT_TRUE(actions_->Finish(unit0, id, false, "", "{}").ok()) << "a repeated finish is acknowledged";
  EXPECT_EQ(actions_->GetTask("test", id)->status, "failed") << "and changes nothing";
  EXPECT_EQ(actions_->GetTask("test", "99").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ActionServiceTest, SnapshotListsQueuedTasksUntilDone) {
  auto queued = actions_->Enqueue("test", {"db/0"}, "backup", R"({"target":"/x"})");
  ASSERT_TRUE(queued.ok());
  int64_t unit0 = env_.UnitId("db/0");
  auto view = watch::BuildUnitSnapshot(*env_.db, unit0);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->snapshot.actions_size(), 1);
  EXPECT_EQ(view->snapshot.actions(0).name(), "backup");
  EXPECT_EQ(json::parse(view->snapshot.actions(0).params_json())["mode"], "full");
  auto other = watch::BuildUnitSnapshot(*env_.db, env_.UnitId("db/1"));
  EXPECT_EQ(other->snapshot.actions_size(), 0);
  ASSERT_TRUE(actions_->Finish(unit0, queued->tasks[0].id, false, "", "{}").ok());
  EXPECT_EQ(watch::BuildUnitSnapshot(*env_.db, unit0)->snapshot.actions_size(), 0);
}

// `skein exec` is a task of the action juju-exec on the same machinery: one operation, a task
// per unit, the command in the params, no schema.
TEST_F(ActionServiceTest, ExecQueuesJujuExecTasksForUnitsAndApplications) {
  auto queued = actions_->Enqueue("test", {"db/1", "db", "db/leader"}, domain::action::kExecAction,
                                  R"({"command":"echo hi"})");
  ASSERT_TRUE(queued.ok()) << queued.status();
  ASSERT_EQ(queued->tasks.size(), 2u) << "each unit once, however often it is named";
  EXPECT_EQ(queued->tasks[0].unit, "db/1");
  EXPECT_EQ(queued->tasks[1].unit, "db/0");
  EXPECT_EQ(queued->tasks[0].action, "juju-exec");
  EXPECT_EQ(queued->tasks[0].params, json({{"command", "echo hi"}}));
  // The unit agent sees it in its snapshot like any queued action.
  auto view = watch::BuildUnitSnapshot(*env_.db, env_.UnitId("db/1"));
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->snapshot.actions_size(), 1);
  EXPECT_EQ(view->snapshot.actions(0).name(), "juju-exec");
  EXPECT_EQ(json::parse(view->snapshot.actions(0).params_json())["command"], "echo hi");
  // The agent finishes it as it finishes an action; the result is recorded.
  ASSERT_TRUE(actions_->Start(env_.UnitId("db/1"), queued->tasks[0].id).ok());
  ASSERT_TRUE(actions_->Finish(env_.UnitId("db/1"), queued->tasks[0].id, false, "",
                               R"({"return-code":1,"stderr":"boom\n"})")
                  .ok());
  auto task = actions_->GetTask("test", queued->tasks[0].id);
  ASSERT_TRUE(task.ok());
  EXPECT_EQ(task->status, "completed");
  EXPECT_EQ(task->results["return-code"], 1);
  EXPECT_EQ(task->results["stderr"], "boom\n");
}

TEST_F(ActionServiceTest, ExecRefusesMissingCommandsUnknownTargetsAndMachines) {
  const std::string exec = domain::action::kExecAction;
  EXPECT_EQ(actions_->Enqueue("test", {"db/0"}, exec, "{}").status().message(), "no command specified");
  EXPECT_EQ(actions_->Enqueue("test", {"db/0"}, exec, R"({"command":""})").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto no_unit = actions_->Enqueue("test", {"db/0", "db/9"}, exec, R"({"command":"true"})");
  EXPECT_EQ(no_unit.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(no_unit.status().message(), "unit \"db/9\" not found");
  auto no_app = actions_->Enqueue("test", {"nosuch"}, exec, R"({"command":"true"})");
  EXPECT_EQ(no_app.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(no_app.status().message(), "application \"nosuch\" not found");
  auto machine = actions_->Enqueue("test", {"0"}, exec, R"({"command":"true"})");
  EXPECT_EQ(machine.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(machine.status().message(),
            "\"0\" is a machine, not a unit or application: use --machine 0 to run on it");
  EXPECT_EQ(env_.Count("tasks"), 0) << "nothing queued by a refused exec";
}

// What a waiting `run` / `show-task --wait` relies on: every change of the task touches the keys
// its watch subscribes to, so the hub wakes the watch with the commit.
TEST_F(ActionServiceTest, EveryChangeOfATaskTouchesTheKeysItsWatchFollows) {
  struct Recorder : domain::ChangeListener {
    void OnCommitted(const std::set<std::string>& keys) override { last = keys; }
    std::set<std::string> last;
  } recorder;
  env_.db->SetListener(&recorder);
  auto queued = actions_->Enqueue("test", {"db/0"}, "open", "");
  ASSERT_TRUE(queued.ok());
  std::string id = queued->tasks[0].id;
  auto view = actions_->WatchedTask("test", id);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->task.status, "pending");
  ASSERT_FALSE(view->keys.empty());
  int64_t unit0 = env_.UnitId("db/0");
  auto touched_all = [&] {
    for (const std::string& key : view->keys) {
      if (recorder.last.count(key) == 0) return false;
    }
    return true;
  };
  ASSERT_TRUE(actions_->Start(unit0, id).ok());
  EXPECT_TRUE(touched_all()) << "start";
  ASSERT_TRUE(actions_->AppendLog(unit0, id, "step").ok());
  EXPECT_TRUE(touched_all()) << "log";
  ASSERT_TRUE(actions_->Finish(unit0, id, false, "", "{}").ok());
  EXPECT_TRUE(touched_all()) << "finish";
  // Another task's change does not wake this one's watch.
  auto other = actions_->Enqueue("test", {"db/1"}, "open", "");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(actions_->Start(env_.UnitId("db/1"), other->tasks[0].id).ok());
  EXPECT_FALSE(touched_all());
  env_.db->SetListener(nullptr);
  EXPECT_EQ(actions_->WatchedTask("test", "99").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace skein::controller
