// The security requirements of the walking skeleton: every agent call is checked against the
// caller's identity and the bag rules (DESIGN §10, juju-semantics §4).

#include "gtest/gtest.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

class SecurityTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 2).ok());  // peers: relation 0
    ASSERT_TRUE(Deploy("requirer", testing::TestCharm("kv-requirer"), 1).ok());
    ASSERT_TRUE(Deploy("third", testing::TestCharm("kv-requirer"), 1).ok());
    ASSERT_TRUE(Integrate("provider", "requirer").ok());  // relation 1
    ASSERT_TRUE(Integrate("provider", "third").ok());     // relation 2
    leader_ = UnitIdentity("provider/0");
    minion_ = UnitIdentity("provider/1");
    requirer_ = UnitIdentity("requirer/0");
    third_ = UnitIdentity("third/0");
  }
  rpc::Identity leader_, minion_, requirer_, third_;
};

TEST_F(SecurityTest, WrongCredentialsAreUnauthenticated) {
  v1::LoginRequest req;
  v1::LoginResponse resp;
  grpc::Status wrong = Call(agent_.get(), &v1::Agent::Stub::Login, {requirer_.entity, "wrong"}, req, &resp);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(wrong.error_message(), "invalid entity name or password (unauthorized access)");
  // Another unit's valid secret does not open this unit.
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::Login, {requirer_.entity, third_.credential}, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::Login, {"unit-nope-0", "x"}, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::Login, {"machine-0", "wrong"}, req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::GetStatusRequest status_req;
  status_req.set_model("test");
  v1::ModelStatus status;
  EXPECT_EQ(Call(controller_.get(), &v1::Controller::Stub::GetStatus, {"user-admin", "wrong"}, status_req, &status)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto stream = WatchUnit({requirer_.entity, "wrong"}, "requirer/0");
  v1::UnitSnapshot snap;
  EXPECT_FALSE(stream.reader->Read(&snap));
  EXPECT_EQ(stream.reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Call(agent_.get(), &v1::Agent::Stub::Login, requirer_, req, &resp).ok());
}

TEST_F(SecurityTest, UnitCannotReadAnotherRelationsBags) {
  ASSERT_TRUE(Commit(third_, 1, 2, false, {{"secret", "s"}}).ok());
  v1::RelationSettings out;
  EXPECT_EQ(Read(requirer_, 2, "third/0", false, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Read(requirer_, 2, "provider", true, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Read(requirer_, 0, "provider/1", false, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "the provider's peer relation";
  EXPECT_EQ(Read(requirer_, 77, "provider/0", false, &out).error_message(), "relation not found");
  EXPECT_EQ(Read(minion_, 1, "provider", true, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << "own app bag of a regular relation needs leadership";
  ASSERT_TRUE(Read(requirer_, 1, "provider/0", false, &out).ok());
  EXPECT_EQ(out.settings().at("private-address"), "127.0.0.1");
}

TEST_F(SecurityTest, UnitCannotWriteBagsItDoesNotOwn) {
  grpc::Status other_relation = Commit(requirer_, 1, 2, false, {{"evil", "1"}});
  EXPECT_EQ(other_relation.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(other_relation.error_message(), "permission denied");
  grpc::Status not_leader = Commit(minion_, 1, 1, true, {{"answer", "forged"}});
  EXPECT_EQ(not_leader.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(not_leader.error_message(), "cannot write relation settings");
  ASSERT_TRUE(Commit(leader_, 1, 1, true, {{"answer", "hello"}}).ok());
  v1::RelationSettings out;
  ASSERT_TRUE(Read(requirer_, 1, "provider", true, &out).ok());
  EXPECT_EQ(out.settings().at("answer"), "hello");
  // The refused writes left no trace: relation 2 holds no bag of requirer/0 and no app data.
  v1::ShowUnitRequest show;
  show.set_model("test");
  show.set_unit("provider/0");
  v1::UnitInfo info;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::ShowUnit, Admin(), show, &info).ok());
  for (const v1::RelationInfo& rel : info.relation_info()) {
    if (rel.relation_id() != 2) continue;
    EXPECT_EQ(rel.related_units_size(), 1);
    EXPECT_TRUE(rel.related_units().contains("third/0"));
    EXPECT_TRUE(rel.application_data().empty());
  }
}

TEST_F(SecurityTest, UnitCannotActAsAnotherUnit) {
  auto stream = WatchUnit(requirer_, "provider/0");
  v1::UnitSnapshot snap;
  EXPECT_FALSE(stream.reader->Read(&snap));
  EXPECT_EQ(stream.reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);

  std::string zip;
  EXPECT_EQ(Download(requirer_, "local:kv-provider-0", &zip).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(zip.empty());

  v1::SetStatusRequest status_req;
  status_req.set_target(v1::SetStatusRequest::APPLICATION);
  status_req.mutable_status()->set_current("active");
  v1::SetStatusResponse status_resp;
  grpc::Status app_status = Call(agent_.get(), &v1::Agent::Stub::SetStatus, minion_, status_req, &status_resp);
  EXPECT_EQ(app_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(app_status.error_message(), "this unit is not the leader");

  v1::PushLogsRequest logs;
  logs.add_entries()->set_entity("unit-provider-0");
  v1::PushLogsResponse logs_resp;
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::PushLogs, requirer_, logs, &logs_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SecurityTest, EachKindOfCallerStaysInItsLane) {
  v1::GetStatusRequest status_req;
  status_req.set_model("test");
  v1::ModelStatus status;
  EXPECT_EQ(Call(controller_.get(), &v1::Controller::Stub::GetStatus, requirer_, status_req, &status).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(controller_.get(), &v1::Controller::Stub::GetStatus, Machine(), status_req, &status).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::AddUnitRequest add;
  add.set_model("test");
  add.set_application("provider");
  add.set_num_units(1);
  v1::AddUnitResponse added;
  EXPECT_EQ(Call(controller_.get(), &v1::Controller::Stub::AddUnit, leader_, add, &added).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::SetUnitCredentialRequest cred;
  cred.set_unit("provider/1");
  cred.set_credential("stolen");
  v1::SetUnitCredentialResponse cred_resp;
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::SetUnitCredential, leader_, cred, &cred_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::SetUnitCredential, Admin(), cred, &cred_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::CommitHookRequest commit;
  commit.set_commit_seq(1);
  v1::CommitHookResponse commit_resp;
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::CommitHook, Machine(), commit, &commit_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::LoginRequest login;
  v1::LoginResponse login_resp;
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::Login, Admin(), login, &login_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  for (auto [who, machine] : {std::pair{requirer_, std::string("0")}, std::pair{Machine(), std::string("1")}}) {
    auto stream = WatchMachine(who, machine);
    v1::MachineSnapshot snap;
    EXPECT_FALSE(stream.reader->Read(&snap));
    EXPECT_EQ(stream.reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED) << who.entity;
  }
}

}  // namespace
}  // namespace skein::controller
