// The controller checks every cap of lib/base/limits.h again on receipt (defence in depth: a
// client that skipped its own check), over real gRPC channels: a value at its cap is stored, one
// byte more is refused with RESOURCE_EXHAUSTED and the cap's text, and nothing is written. And
// every receiver takes what a sender may legally send: a 10 MiB relation value reads back, and a
// model status bigger than gRPC's default 4 MiB reaches the client.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/limits.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using limits::kKiB;
using limits::kMiB;

constexpr char kCharm[] = "name: blob\nprovides:\n  out:\n    interface: blob\nrequires:\n  in:\n    interface: blob\n";
constexpr char kConfig[] =
    "options:\n  big:\n    type: string\n    default: ''\n  b2:\n    type: string\n  b3:\n    type: string\n"
    "  b4:\n    type: string\n";
constexpr char kActions[] = "dump:\n  params:\n    message:\n      type: string\n";

class ApiLimitsTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    v1::CharmArchive charm = testing::MakeCharm(kCharm, kConfig);
    auto* actions = charm.add_files();
    actions->set_path("actions.yaml");
    actions->set_content(kActions);
    ASSERT_TRUE(Deploy("a", charm, 1).ok());
    ASSERT_TRUE(Deploy("b", charm, 1).ok());
    ASSERT_TRUE(Integrate("a:out", "b:in").ok());
    a_ = UnitIdentity("a/0");
    b_ = UnitIdentity("b/0");
  }

  static void ExpectRefused(const grpc::Status& s, const std::string& message) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_EQ(s.error_message(), message);
  }

  grpc::Status SetConfig(const std::string& value) {
    v1::SetConfigRequest req;
    req.set_model("test");
    req.set_application("a");
    (*req.mutable_values())["big"] = value;
    v1::SetConfigResponse resp;
    return Call(controller_.get(), &v1::Controller::Stub::SetConfig, Admin(), req, &resp);
  }

  size_t ConfigValueSize() {
    v1::GetConfigRequest req;
    req.set_model("test");
    req.set_application("a");
    v1::GetConfigResponse resp;
    EXPECT_TRUE(Call(controller_.get(), &v1::Controller::Stub::GetConfig, Admin(), req, &resp).ok());
    for (const auto& o : resp.options()) {
      if (o.name() == "big") return o.value_json().size();
    }
    return 0;
  }

  grpc::Status SetStatus(const rpc::Identity& who, const std::string& message) {
    v1::SetStatusRequest req;
    req.set_target(v1::SetStatusRequest::WORKLOAD);
    req.mutable_status()->set_current("active");
    req.mutable_status()->set_message(message);
    v1::SetStatusResponse resp;
    return Call(agent_.get(), &v1::Agent::Stub::SetStatus, who, req, &resp);
  }

  rpc::Identity a_, b_;
};

TEST_F(ApiLimitsTest, ConfigValueAtItsCapIsStoredOneByteMoreIsRefused) {
  size_t before = ConfigValueSize();
  ExpectRefused(SetConfig(std::string(4 * kMiB + 1, 'c')),
                "config option \"big\" (4194305 bytes) exceeds the 4 MiB limit of a config value");
  EXPECT_EQ(ConfigValueSize(), before) << "nothing is written";
  ASSERT_TRUE(SetConfig(std::string(4 * kMiB, 'c')).ok());
  EXPECT_EQ(ConfigValueSize(), 4 * kMiB + 2);  // as JSON: quoted

  v1::DeployRequest deploy;
  deploy.set_model("test");
  deploy.set_application("c");
  *deploy.mutable_charm() = testing::MakeCharm(kCharm, kConfig);
  (*deploy.mutable_config())["big"] = std::string(4 * kMiB + 1, 'c');
  v1::DeployResponse resp;
  ExpectRefused(Call(controller_.get(), &v1::Controller::Stub::Deploy, Admin(), deploy, &resp),
                "config option \"big\" (4194305 bytes) exceeds the 4 MiB limit of a config value");
}

TEST_F(ApiLimitsTest, AnApplicationsWholeConfigIsCapped) {
  v1::SetConfigRequest req;
  req.set_model("test");
  req.set_application("a");
  for (const char* key : {"big", "b2", "b3"}) (*req.mutable_values())[key] = std::string(4 * kMiB, 'c');
  v1::SetConfigResponse resp;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::SetConfig, Admin(), req, &resp).ok());
  // A fourth value at its cap takes the stored JSON past 16 MiB.
  req.clear_values();
  (*req.mutable_values())["b4"] = std::string(4 * kMiB, 'c');
  ExpectRefused(Call(controller_.get(), &v1::Controller::Stub::SetConfig, Admin(), req, &resp),
                "the config of application \"a\" (16777250 bytes) exceeds the 16 MiB limit of an application's config");
}

TEST_F(ApiLimitsTest, ModelConfigValue) {
  v1::SetModelConfigRequest req;
  req.set_model("test");
  (*req.mutable_values())["my-key"] = std::string(64 * kKiB, 'v');
  v1::SetModelConfigResponse resp;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::SetModelConfig, Admin(), req, &resp).ok());
  (*req.mutable_values())["my-key"] = std::string(64 * kKiB + 1, 'v');
  ExpectRefused(Call(controller_.get(), &v1::Controller::Stub::SetModelConfig, Admin(), req, &resp),
                "model config \"my-key\" (65537 bytes) exceeds the 64 KiB limit of a model config value");
}

TEST_F(ApiLimitsTest, ActionParamsAreRefusedBeforeAnyTaskExists) {
  v1::RunActionRequest req;
  req.set_model("test");
  req.add_units("a/0");
  req.set_action("dump");
  req.set_params_json(nlohmann::json{{"message", std::string(4 * kMiB, 'p')}}.dump());
  v1::RunActionResponse resp;
  ExpectRefused(Call(controller_.get(), &v1::Controller::Stub::RunAction, Admin(), req, &resp),
                "the action's parameters (4194318 bytes) exceeds the 4 MiB limit of action parameters");
  auto watch = WatchUnit(a_, "a/0");
  v1::UnitSnapshot snapshot;
  ASSERT_TRUE(watch.reader->Read(&snapshot));
  EXPECT_EQ(snapshot.actions_size(), 0) << "a refused action is never queued";
  watch.ctx->TryCancel();
}

TEST_F(ApiLimitsTest, DeeplyNestedActionParamsAreRefusedAndTheControllerGoesOn) {
  v1::RunActionRequest req;
  req.set_model("test");
  req.add_units("a/0");
  req.set_action("dump");
  // 1,000,000 levels would overflow any recursive walk of the JSON (1.9 MiB, under the cap).
  req.set_params_json("{\"message\": " + std::string(1000000, '[') + std::string(1000000, ']') + "}");
  v1::RunActionResponse resp;
  grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::RunAction, Admin(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "action parameters: JSON nests deeper than 256 levels (limit)");
  req.set_params_json(R"({"message": "hello"})");
  EXPECT_TRUE(Call(controller_.get(), &v1::Controller::Stub::RunAction, Admin(), req, &resp).ok());
}

TEST_F(ApiLimitsTest, RelationValueOf10MiBIsStoredAndReadBackOverTheBagCapIsRefused) {
  ASSERT_TRUE(Commit(a_, 1, 0, false, {{"blob", std::string(10 * kMiB, 'x')}}).ok());
  v1::RelationSettings read;
  ASSERT_TRUE(Read(b_, 0, "a/0", false, &read).ok());
  EXPECT_EQ(read.settings().at("blob").size(), 10 * kMiB);
  // 10 MiB + 7 MiB in one bag: over Juju's 16 MiB, and the bag keeps what it had.
  // (The bag also holds the addresses the controller puts in every unit bag.)
  grpc::Status over = Commit(a_, 2, 0, false, {{"more", std::string(7 * kMiB, 'y')}});
  EXPECT_EQ(over.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(over.error_message(), ::testing::MatchesRegex("the unit data bag of relation 0 \\([0-9]+ bytes\\) "
                                                            "exceeds the 16 MiB limit of a relation data bag"));
  ASSERT_TRUE(Read(b_, 0, "a/0", false, &read).ok());
  EXPECT_EQ(read.settings().count("more"), 0u);
  ExpectRefused(Commit(a_, 3, 0, false, {{"one", std::string(16 * kMiB + 1, 'z')}}),
                "relation value \"one\" (16777217 bytes) exceeds the 16 MiB limit of a relation value");
}

TEST_F(ApiLimitsTest, StateStatusLogsLeaderSettingsVersionAndResults) {
  v1::CommitHookRequest commit;
  commit.set_commit_seq(1);
  (*commit.mutable_state_set())["k"] = std::string(64 * kKiB + 1, 's');
  v1::CommitHookResponse commit_resp;
  ExpectRefused(Call(agent_.get(), &v1::Agent::Stub::CommitHook, a_, commit, &commit_resp),
                "state value \"k\" (65537 bytes) exceeds the 64 KiB limit of a state value");

  ASSERT_TRUE(SetStatus(a_, std::string(32 * kKiB, 'm')).ok());
  ExpectRefused(SetStatus(a_, std::string(32 * kKiB + 1, 'm')),
                "the status message (32769 bytes) exceeds the 32 KiB limit of a status message");

  v1::PushLogsRequest logs;
  v1::LogEntry* entry = logs.add_entries();
  entry->set_entity(a_.entity);
  entry->set_level("INFO");
  entry->set_message(std::string(128 * kKiB + 1, 'l'));
  v1::PushLogsResponse logs_resp;
  ExpectRefused(Call(agent_.get(), &v1::Agent::Stub::PushLogs, a_, logs, &logs_resp),
                "a log message (131073 bytes) exceeds the 128 KiB limit of a log message");

  v1::SetLeaderSettingsRequest leader;
  (*leader.mutable_set())["k"] = std::string(kMiB + 1, 'v');
  v1::SetLeaderSettingsResponse leader_resp;
  ExpectRefused(Call(agent_.get(), &v1::Agent::Stub::SetLeaderSettings, a_, leader, &leader_resp),
                "leader setting \"k\" (1048577 bytes) exceeds the 1 MiB limit of a leader setting value");

  v1::SetWorkloadVersionRequest version;
  version.set_version(std::string(kKiB + 1, 'v'));
  v1::SetWorkloadVersionResponse version_resp;
  ExpectRefused(Call(agent_.get(), &v1::Agent::Stub::SetWorkloadVersion, a_, version, &version_resp),
                "the application version (1025 bytes) exceeds the 1 KiB limit of an application version");

  v1::RunActionRequest run;
  run.set_model("test");
  run.add_units("a/0");
  run.set_action("dump");
  v1::RunActionResponse run_resp;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::RunAction, Admin(), run, &run_resp).ok());
  ASSERT_EQ(run_resp.tasks_size(), 1);
  v1::FinishActionRequest finish;
  finish.set_task_id(run_resp.tasks(0).id());
  finish.set_results_json(nlohmann::json{{"out", std::string(4 * kMiB, 'r')}}.dump());
  v1::FinishActionResponse finish_resp;
  ExpectRefused(Call(agent_.get(), &v1::Agent::Stub::FinishAction, a_, finish, &finish_resp),
                "the action's results (4194314 bytes) exceeds the 4 MiB limit of action results");
}

TEST_F(ApiLimitsTest, ModelStatusBiggerThanFourMiBReachesTheClient) {
  // 140 units with status messages at the cap: about 4.5 MiB of messages in one reply.
  v1::AddUnitRequest add;
  add.set_model("test");
  add.set_application("a");
  add.set_num_units(139);
  v1::AddUnitResponse add_resp;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::AddUnit, Admin(), add, &add_resp).ok());
  for (int i = 0; i < 140; ++i) {
    ASSERT_TRUE(SetStatus(UnitIdentity("a/" + std::to_string(i)), std::string(32 * kKiB, 'm')).ok()) << i;
  }
  v1::GetStatusRequest req;
  req.set_model("test");
  v1::ModelStatus status;
  grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::GetStatus, Admin(), req, &status);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(status.ByteSizeLong(), 4 * kMiB);
  size_t at_cap = 0;
  for (const auto& app : status.applications()) {
    for (const auto& u : app.units()) at_cap += u.workload_status().message().size() == 32 * kKiB ? 1 : 0;
  }
  EXPECT_EQ(at_cap, 140u);
}

}  // namespace
}  // namespace skein::controller
