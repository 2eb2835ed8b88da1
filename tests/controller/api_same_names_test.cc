// The same application and unit names in two models (issue 11, defect 1): a machine agent sets
// each unit's credential by model UUID and name, each credential opens exactly its own model's
// unit, and everything that unit does stays in its model.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

class SameNamesTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    uuid_a_ = NewModel("a");
    uuid_b_ = NewModel("b");
    ASSERT_FALSE(uuid_a_.empty());
    ASSERT_FALSE(uuid_b_.empty());
    // kv-provider has a peer relation: relation 0 in each model, the same id twice.
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 1, "a").ok());
    ASSERT_TRUE(Deploy("provider", testing::TestCharm("kv-provider"), 1, "b").ok());
  }

  std::string NewModel(const std::string& name) {
    v1::AddModelRequest req;
    req.set_name(name);
    v1::AddModelResponse resp;
    grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::AddModel, Admin(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.uuid();
  }

  grpc::Status SetCredential(const std::string& unit, const std::string& model_uuid, const std::string& secret) {
    v1::SetUnitCredentialRequest req;
    req.set_unit(unit);
    req.set_model_uuid(model_uuid);
    req.set_credential(secret);
    v1::SetUnitCredentialResponse resp;
    return Call(agent_.get(), &v1::Agent::Stub::SetUnitCredential, Machine(), req, &resp);
  }

  v1::LoginResponse Login(const rpc::Identity& who) {
    v1::LoginResponse resp;
    grpc::Status s = Call(agent_.get(), &v1::Agent::Stub::Login, who, v1::LoginRequest(), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  // The workload status message of `unit` in `model`'s status.
  std::string WorkloadMessage(const std::string& model, const std::string& unit) {
    v1::GetStatusRequest req;
    req.set_model(model);
    v1::ModelStatus status;
    grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::GetStatus, Admin(), req, &status);
    EXPECT_TRUE(s.ok()) << s.error_message();
    for (const auto& app : status.applications()) {
      for (const auto& u : app.units()) {
        if (u.name() == unit) return u.workload_status().message();
      }
    }
    return "(no unit " + unit + ")";
  }

  std::string uuid_a_, uuid_b_;
};

TEST_F(SameNamesTest, EachCredentialOpensOnlyItsOwnModelsUnit) {
  rpc::Identity a = UnitIdentity("provider/0", uuid_a_);
  rpc::Identity b = UnitIdentity("provider/0", uuid_b_);
  EXPECT_EQ(a.entity, b.entity);
  // Setting b's credential left a's alone: both log in, each to its own model.
  v1::LoginResponse login_a = Login(a);
  v1::LoginResponse login_b = Login(b);
  EXPECT_EQ(login_a.model_uuid(), uuid_a_);
  EXPECT_EQ(login_a.model_name(), "a");
  EXPECT_EQ(login_b.model_uuid(), uuid_b_);
  EXPECT_EQ(login_b.model_name(), "b");
  EXPECT_EQ(login_a.unit(), "provider/0");
  EXPECT_EQ(login_b.unit(), "provider/0");

  // A new credential for a's unit (its agent restarted) replaces a's only.
  rpc::Identity a2 = UnitIdentity("provider/0", uuid_a_);
  v1::LoginResponse resp;
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::Login, a, v1::LoginRequest(), &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Login(a2).model_uuid(), uuid_a_);
  EXPECT_EQ(Login(b).model_uuid(), uuid_b_);
}

TEST_F(SameNamesTest, SetUnitCredentialRefusesAnAmbiguousOrUnknownUnit) {
  grpc::Status s = SetCredential("provider/0", "", "secret-1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "unit \"provider/0\" exists in several models; the request must name the model UUID");
  s = SetCredential("provider/0", "00000000-0000-4000-8000-000000000000", "secret-1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "model \"00000000-0000-4000-8000-000000000000\" not found");
  s = SetCredential("provider/7", uuid_a_, "secret-1");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "unit \"provider/7\" not found");
  // The refused calls set nothing: no unit logs in with that secret.
  v1::LoginResponse resp;
  EXPECT_EQ(Call(agent_.get(), &v1::Agent::Stub::Login, {"unit-provider-0", "secret-1"}, v1::LoginRequest(), &resp)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // A name only one model has still works without a UUID (machine agents before this field).
  ASSERT_TRUE(Deploy("solo", testing::TestCharm("kv-requirer"), 1, "b").ok());
  rpc::Identity solo = UnitIdentity("solo/0");
  EXPECT_EQ(Login(solo).model_uuid(), uuid_b_);
}

TEST_F(SameNamesTest, WhatAUnitDoesStaysInItsModel) {
  rpc::Identity a = UnitIdentity("provider/0", uuid_a_);
  rpc::Identity b = UnitIdentity("provider/0", uuid_b_);

  auto watch_a = WatchUnit(a, "provider/0");
  auto watch_b = WatchUnit(b, "provider/0");
  v1::UnitSnapshot snap_a, snap_b;
  ASSERT_TRUE(watch_a.reader->Read(&snap_a));
  ASSERT_TRUE(watch_b.reader->Read(&snap_b));
  EXPECT_EQ(snap_a.model_uuid(), uuid_a_);
  EXPECT_EQ(snap_b.model_uuid(), uuid_b_);
  watch_a.ctx->TryCancel();
  watch_b.ctx->TryCancel();

  v1::SetStatusRequest status;
  status.set_target(v1::SetStatusRequest::WORKLOAD);
  status.mutable_status()->set_current("active");
  status.mutable_status()->set_message("i am b");
  v1::SetStatusResponse status_resp;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::SetStatus, b, status, &status_resp).ok());
  EXPECT_EQ(WorkloadMessage("b", "provider/0"), "i am b");
  EXPECT_NE(WorkloadMessage("a", "provider/0"), "i am b");

  // Relation 0 is each model's peer relation: a's write lands in a's bag only.
  ASSERT_TRUE(Commit(a, 1, 0, false, {{"who", "a"}}).ok());
  v1::RelationSettings bag_a, bag_b;
  ASSERT_TRUE(Read(a, 0, "provider/0", false, &bag_a).ok());
  ASSERT_TRUE(Read(b, 0, "provider/0", false, &bag_b).ok());
  EXPECT_EQ(bag_a.settings().at("who"), "a");
  EXPECT_EQ(bag_b.settings().count("who"), 0u);
}

TEST_F(SameNamesTest, MachineSnapshotNamesEachUnitsModel) {
  auto stream = WatchMachine(Machine(), "0");
  v1::MachineSnapshot snap;
  ASSERT_TRUE(stream.reader->Read(&snap));
  stream.ctx->TryCancel();
  std::vector<std::pair<std::string, std::string>> units;
  for (const auto& u : snap.units()) units.emplace_back(u.model_uuid(), u.name());
  std::sort(units.begin(), units.end());
  std::vector<std::pair<std::string, std::string>> want = {{uuid_a_, "provider/0"}, {uuid_b_, "provider/0"}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(units, want);
}

}  // namespace
}  // namespace skein::controller
