// Streams over real gRPC: a commit wakes the streams it concerns (no polling), machine
// streams follow placement, debug-log replays and follows, and streams end cleanly at shutdown.

#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

class WatchApiTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 1).ok());  // peers: relation 0
    ASSERT_TRUE(Deploy("requirer", testing::TestCharm("kv-requirer"), 1).ok());
    ASSERT_TRUE(Integrate("provider", "requirer").ok());  // relation 1
    provider_ = UnitIdentity("provider/0");
    requirer_ = UnitIdentity("requirer/0");
  }

  static int64_t MemberVersion(const v1::UnitSnapshot& s, int64_t relation_id, const std::string& unit) {
    for (const auto& r : s.relations()) {
      if (r.id() != relation_id) continue;
      for (const auto& m : r.members()) {
        if (m.unit() == unit) return m.settings_version();
      }
    }
    return -1;
  }

  rpc::Identity provider_, requirer_;
};

TEST_F(WatchApiTest, CommitFromOneUnitWakesTheOtherUnitsStream) {
  auto stream = WatchUnit(provider_, "provider/0");
  v1::UnitSnapshot first;
  ASSERT_TRUE(stream.reader->Read(&first));
  EXPECT_EQ(first.unit(), "provider/0");
  EXPECT_TRUE(first.leader());
  const int64_t before = MemberVersion(first, 1, "requirer/0");
  ASSERT_GT(before, 0);

  ASSERT_TRUE(Commit(requirer_, 1, 1, false, {{"request", "world"}}).ok());

  // Wait on the stream itself (its context has a deadline): the next snapshot carries the new
  // settings version of requirer/0.
  v1::UnitSnapshot next;
  ASSERT_TRUE(stream.reader->Read(&next)) << "no snapshot before the deadline";
  EXPECT_GT(next.version(), first.version());
  EXPECT_GT(MemberVersion(next, 1, "requirer/0"), before);

  v1::RelationSettings bag;
  ASSERT_TRUE(Read(provider_, 1, "requirer/0", false, &bag).ok());
  EXPECT_EQ(bag.settings().at("request"), "world");
  stream.ctx->TryCancel();
  EXPECT_EQ(stream.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(WatchApiTest, RemovalShowsAsDyingThenDisappears) {
  auto stream = WatchUnit(requirer_, "requirer/0");
  v1::UnitSnapshot s;
  ASSERT_TRUE(stream.reader->Read(&s));
  ASSERT_EQ(s.relations_size(), 1);
  v1::RemoveRelationRequest req;
  req.set_model("test");
  req.add_endpoints("1");
  v1::RemoveRelationResponse resp;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::RemoveRelation, Admin(), req, &resp).ok());
  ASSERT_TRUE(stream.reader->Read(&s));
  ASSERT_EQ(s.relations_size(), 1);
  EXPECT_EQ(s.relations(0).life(), v1::LIFE_DYING);

  v1::LeaveRelationRequest leave;
  leave.set_relation_id(1);
  v1::LeaveRelationResponse left;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::LeaveRelation, requirer_, leave, &left).ok());
  ASSERT_TRUE(stream.reader->Read(&s));
  EXPECT_EQ(s.relations_size(), 0);
  stream.ctx->TryCancel();
  stream.reader->Finish();
}

TEST_F(WatchApiTest, MachineStreamFollowsPlacementAndMarksTheAgentStarted) {
  auto stream = WatchMachine(Machine(), "0");
  v1::MachineSnapshot s;
  ASSERT_TRUE(stream.reader->Read(&s));
  ASSERT_EQ(s.units_size(), 2);
  EXPECT_EQ(s.units(0).name(), "provider/0");
  EXPECT_EQ(s.units(1).name(), "requirer/0");

  v1::GetStatusRequest status_req;
  status_req.set_model("test");
  v1::ModelStatus status;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::GetStatus, Admin(), status_req, &status).ok());
  EXPECT_EQ(status.machines(0).agent_status().current(), "started");

  v1::AddUnitRequest add;
  add.set_model("test");
  add.set_application("requirer");
  add.set_num_units(1);
  v1::AddUnitResponse added;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::AddUnit, Admin(), add, &added).ok());
  ASSERT_TRUE(stream.reader->Read(&s));
  ASSERT_EQ(s.units_size(), 3);
  EXPECT_EQ(s.units(2).name(), "requirer/1");

  v1::RemoveUnitRequest remove;
  remove.set_model("test");
  remove.add_units("requirer/1");
  v1::RemoveUnitResponse removed;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::RemoveUnit, Admin(), remove, &removed).ok());
  ASSERT_TRUE(stream.reader->Read(&s));
  EXPECT_EQ(s.units(2).life(), v1::LIFE_DYING);
  stream.ctx->TryCancel();
  stream.reader->Finish();
}

TEST_F(WatchApiTest, DebugLogReplaysThenFollows) {
  v1::PushLogsRequest push;
  for (const char* msg : {"first", "second"}) {
    v1::LogEntry* e = push.add_entries();
    e->set_entity("unit-requirer-0");
    e->set_level("INFO");
    e->set_module("juju.worker.uniter");
    e->set_message(msg);
  }
  v1::PushLogsResponse pushed;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::PushLogs, requirer_, push, &pushed).ok());

  v1::DebugLogRequest replay;
  replay.set_model("test");
  replay.set_lines(-1);
  auto ctx = StreamContext(Admin());
  auto reader = controller_->DebugLog(ctx.get(), replay);
  v1::LogEntry e;
  std::vector<std::string> seen;
  while (reader->Read(&e)) seen.push_back(e.message());
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"first", "second"}));

  v1::DebugLogRequest bad_level;
  bad_level.set_model("test");
  bad_level.set_level("LOUD");
  auto bad_ctx = StreamContext(Admin());
  auto bad = controller_->DebugLog(bad_ctx.get(), bad_level);
  EXPECT_FALSE(bad->Read(&e));
  EXPECT_EQ(bad->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::DebugLogRequest follow;
  follow.set_model("test");
  follow.set_lines(1);
  follow.set_follow(true);
  follow.add_include("requirer");
  auto follow_ctx = StreamContext(Admin());
  auto follower = controller_->DebugLog(follow_ctx.get(), follow);
  ASSERT_TRUE(follower->Read(&e));
  EXPECT_EQ(e.message(), "second");
  push.mutable_entries(0)->set_message("third");
  push.mutable_entries()->DeleteSubrange(1, 1);
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::PushLogs, requirer_, push, &pushed).ok());
  ASSERT_TRUE(follower->Read(&e)) << "a new entry is streamed before the deadline";
  EXPECT_EQ(e.message(), "third");
  EXPECT_EQ(e.entity(), "unit-requirer-0");
  follow_ctx->TryCancel();
  follower->Finish();
}

TEST_F(WatchApiTest, LoginDescribesTheAgent) {
  ASSERT_TRUE(Commit(requirer_, 7, 1, false, {{"k", "v"}}).ok());
  v1::LoginRequest req;
  v1::LoginResponse unit;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::Login, requirer_, req, &unit).ok());
  EXPECT_EQ(unit.entity(), "unit-requirer-0");
  EXPECT_EQ(unit.model_name(), "test");
  EXPECT_EQ(unit.unit(), "requirer/0");
  EXPECT_EQ(unit.application(), "requirer");
  EXPECT_EQ(unit.machine_id(), "0");
  EXPECT_EQ(unit.last_commit_seq(), 7);
  EXPECT_EQ(unit.agent_version(), "3.6.11");
  EXPECT_EQ(unit.controller_uuid(), testing::TestBootstrap().controller_uuid);
  v1::LoginResponse machine;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::Login, Machine(), req, &machine).ok());
  EXPECT_EQ(machine.machine_id(), "0");
  EXPECT_EQ(machine.model_name(), "controller");

  std::string zip;
  v1::CharmChunk first;
  grpc::Status downloaded = Download(requirer_, "local:kv-requirer-0", &zip, &first);
  ASSERT_TRUE(downloaded.ok()) << downloaded.error_message();
  EXPECT_EQ(first.sha256(), Sha256Hex(zip));
  EXPECT_EQ(first.size(), static_cast<int64_t>(zip.size()));
  EXPECT_EQ(zip.substr(0, 2), "PK") << "the charm travels as a zip";
}

TEST_F(WatchApiTest, StreamsEndCleanlyAtShutdown) {
  auto unit = WatchUnit(provider_, "provider/0");
  auto machine = WatchMachine(Machine(), "0");
  v1::UnitSnapshot us;
  v1::MachineSnapshot ms;
  ASSERT_TRUE(unit.reader->Read(&us));
  ASSERT_TRUE(machine.reader->Read(&ms));
  server_->Shutdown();
  EXPECT_FALSE(unit.reader->Read(&us));
  EXPECT_TRUE(unit.reader->Finish().ok());
  EXPECT_FALSE(machine.reader->Read(&ms));
  EXPECT_TRUE(machine.reader->Finish().ok());
}

}  // namespace
}  // namespace skein::controller
