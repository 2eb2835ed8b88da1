// `skein exec` against a real controller in this process, the test playing the unit agent
// (domain/action Start and Finish, as the agent's RPCs do): the argv shapes, the JSON document,
// exit codes and stderr words of juju-cli-client-contract §3.10 and §6; and the usage errors.

#include <future>
#include <thread>

#include "controller/domain/action/action_service.h"
#include "controller/domain/core/rows.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/controller_fixture.h"

namespace skein::cli::testing {
namespace {

using nlohmann::json;

class ExecCliTest : public ControllerCliTest {
 protected:
  void SetUp() override {
    ControllerCliTest::SetUp();
    WriteFile(dir_.path() + "/charm/metadata.yaml", "name: app\nsummary: s\ndescription: d\n");
    CliRun r = Skein({"deploy", "--model", "dev", dir_.path() + "/charm", "-n", "2"});
    ASSERT_EQ(r.code, 0) << r.err;
    actions_ = std::make_unique<controller::domain::action::ActionService>(server_->db());
  }

  // Runs `skein args` while playing the agent of `unit`: the first task queued for it finishes
  // with `results`. Returns the CLI's result.
  CliRun ExecAnswering(const std::vector<std::string>& args, const std::string& unit, const json& results) {
    auto cli = std::async(std::launch::async, [&] { return Skein(args); });
    // The task appears when the CLI's RunAction commits: looked for until it does, with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    int64_t unit_id = 0;
    std::string task_id;
    while (task_id.empty() && cli.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready &&
           std::chrono::steady_clock::now() < deadline) {
      (void)server_->db()->Read([&](controller::domain::Tx& tx) -> absl::Status {
        auto model = controller::domain::FindModel(tx, "dev");
        if (!model.ok()) return model.status();
        auto row = controller::domain::FindUnit(tx, model->id, unit);
        if (!row.ok()) return row.status();
        unit_id = row->id;
        auto queued = controller::domain::action::QueuedTasks(tx, model->id, unit);
        if (!queued.empty()) task_id = queued.front().id;
        return absl::OkStatus();
      });
      if (task_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!task_id.empty()) {
      EXPECT_TRUE(actions_->Start(unit_id, task_id).ok());
      EXPECT_TRUE(actions_->Finish(unit_id, task_id, false, "", results.dump()).ok());
    }
    return cli.get();
  }

  std::unique_ptr<controller::domain::action::ActionService> actions_;
};

TEST_F(ExecCliTest, CompletedTaskIsPrintedAsJujusDocument) {
  CliRun r = ExecAnswering({"exec", "--model", "dev", "--format", "json", "--unit", "app/1", "--", "echo", "bar", "baz"},
                           "app/1", json{{"return-code", 0}, {"stdout", "bar baz\n"}});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object() && doc.size() == 1u) << r.out;
  const json& task = doc["app/1"];
  EXPECT_TRUE(task["id"].is_string());
  EXPECT_EQ(task["status"], "completed");
  EXPECT_EQ(task["unit"], "app/1");
  EXPECT_EQ(task["results"], (json{{"return-code", 0}, {"stdout", "bar baz\n"}}));
  EXPECT_TRUE(task["timing"].contains("completed"));
  // The command the agent got: several arguments joined, quoted only where needed.
  auto stored = actions_->GetTask("dev", task["id"]);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->action, "juju-exec");
  EXPECT_EQ(stored->params["command"], "echo bar baz");

  r = ExecAnswering({"exec", "--unit=app/0", "--model=dev", "--", "echo", "it's", "a b", "$x", ""}, "app/0",
                    json{{"return-code", 0}, {"stdout", "plain\n"}, {"stderr", "warn\n"}});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "plain\n") << "plain prints the command's stdout";
  EXPECT_NE(r.err.find("warn\n"), std::string::npos) << r.err;
  auto tasks = actions_->GetTask("dev", std::to_string(std::stoi(task["id"].get<std::string>()) + 2));
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  EXPECT_EQ(tasks->params["command"], "echo 'it'\"'\"'s' 'a b' '$x' ''");
}

TEST_F(ExecCliTest, NonZeroReturnCodeIsATaskFailureWithTheDocumentOnStdout) {
  CliRun r = ExecAnswering({"exec", "--model", "dev", "--format", "json", "--unit", "app/0", "--", "false"}, "app/0",
                           json{{"return-code", 1}});
  EXPECT_EQ(r.code, 1);
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object()) << r.out;
  EXPECT_EQ(doc["app/0"]["status"], "completed");
  EXPECT_EQ(doc["app/0"]["results"]["return-code"], 1);
  const std::string id = doc["app/0"]["id"];
  EXPECT_NE(r.err.find("ERROR the following task failed:\n - id \"" + id + "\" with return code 1\n\n"
                       "use 'skein show-task' to inspect the failure"),
            std::string::npos)
      << r.err;
}

TEST_F(ExecCliTest, WaitRunningOutAndUnknownTargets) {
  // Nobody answers: --wait runs out with Juju's words and nothing on stdout.
  CliRun r = Skein({"exec", "--model", "dev", "--format", "json", "--unit", "app/0", "--wait", "0.2s", "--", "ls"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("ERROR timed out waiting for results from: unit app/0"), std::string::npos) << r.err;

  // Juju 3: an unknown unit schedules nothing, exit 0 and an empty stdout.
  r = Skein({"exec", "--model", "dev", "--format", "json", "--unit", "app/9", "--", "ls"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unit \"app/9\" not found"), std::string::npos) << r.err;
  r = Skein({"exec", "--model", "dev", "--application", "nosuch", "--", "ls"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  // A machine the model does not have is an error of its own (not a task failure, not a
  // timeout), and so is mixing machines with units.
  r = Skein({"exec", "--model", "dev", "--machine", "7", "--", "ls"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("ERROR machine 7 not found"), std::string::npos) << r.err;
  r = Skein({"exec", "--model", "dev", "--machine", "0", "--unit", "app/0", "--", "ls"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--machine cannot be combined with --unit"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace skein::cli::testing
