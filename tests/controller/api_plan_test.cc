// Controller.ApplyPlan and Controller.DeploymentHistory on a real server: the stream reports each
// change's state and ends with the job; the job goes on when the client goes away, and
// re-sending the plan follows it to the end.

#include <vector>

#include "controller/domain/core/sql.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using ::testing::HasSubstr;

class PlanApiTest : public testing::ApiTest {
 protected:
  v1::ApplyPlanRequest Plan(const std::string& yaml) {
    v1::ApplyPlanRequest req;
    req.set_model("test");
    req.set_deployment("demo");
    req.set_bundle_channel("1.0/stable");
    req.set_bundle_yaml(yaml);
    req.set_description("Upgrade to 1.0/stable");
    return req;
  }
  static void AddDeploy(v1::ApplyPlanRequest* req, const std::string& id, const std::string& app,
                        const std::string& metadata) {
    v1::PlanChange* c = req->add_changes();
    c->set_id(id);
    c->set_description("deploy " + app);
    c->mutable_deploy()->set_application(app);
    *c->mutable_deploy()->mutable_charm() = testing::MakeCharm(metadata);
    c->mutable_deploy()->set_num_units(1);
    c->mutable_deploy()->set_charm_origin("local");
  }
  static void AddWait(v1::ApplyPlanRequest* req, const std::string& id, const std::string& app) {
    v1::PlanChange* c = req->add_changes();
    c->set_id(id);
    c->set_description("wait for " + app);
    c->mutable_wait()->add_applications(app);
    c->mutable_wait()->set_timeout_ms(60000);
  }

  // The unit settles on its application's charm. Written with SQL as the unit agent's hook commit
  // and status calls would (no agent runs in this test), touching the unit's key as they do.
  void Settle(const std::string& unit) {
    ASSERT_TRUE(server_->db()
                    ->Write("test-settle",
                            [&](domain::Tx& tx) -> absl::Status {
                              int64_t id = domain::sql::QueryInt(tx.db(), 0, "SELECT id FROM units WHERE name = ?", unit);
                              domain::sql::Exec(tx.db(),
                                                "UPDATE units SET agent_status = 'idle', charm_url = (SELECT c.url FROM "
                                                "charms c JOIN applications a ON a.charm_id = c.id WHERE a.id = "
                                                "units.application_id) WHERE id = ?",
                                                id);
                              tx.Touch(domain::UnitKey(id));
                              return absl::OkStatus();
                            })
                    .ok());
  }

  grpc::Status History(const std::string& deployment, v1::DeploymentHistoryResponse* history) {
    v1::DeploymentHistoryRequest req;
    req.set_model("test");
    req.set_deployment(deployment);
    return Call(controller_.get(), &v1::Controller::Stub::DeploymentHistory, Admin(), req, history);
  }

  Stream<v1::PlanProgress> Apply(const v1::ApplyPlanRequest& req) {
    return OpenStream(controller_.get(), &v1::Controller::Stub::ApplyPlan, Admin(), req);
  }
};

TEST_F(PlanApiTest, TheJobGoesOnWhenTheClientDisconnectsAndReSendingThePlanFollowsIt) {
  ASSERT_TRUE(Deploy("db", testing::MakeCharm(testing::kDbMetadata), 1).ok());
  v1::ApplyPlanRequest req = Plan("v1");
  AddWait(&req, "wait-0", "db");
  AddDeploy(&req, "deploy-1", "app", testing::kAppMetadata);

  auto first = Apply(req);
  v1::PlanProgress msg;
  ASSERT_TRUE(first.reader->Read(&msg));
  EXPECT_EQ(msg.change_id(), "");
  EXPECT_EQ(msg.state(), v1::PlanProgress::RUNNING);
  EXPECT_EQ(msg.deployment_revision(), 1);
  EXPECT_FALSE(msg.resumed());
  const int64_t job = msg.job();
  ASSERT_TRUE(first.reader->Read(&msg));
  EXPECT_EQ(msg.change_id(), "wait-0");
  EXPECT_EQ(msg.state(), v1::PlanProgress::RUNNING);
  first.ctx->TryCancel();
  EXPECT_EQ(first.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // The same plan again while the job still waits: it follows the job (nothing new is stored);
  // the unit settles only once the second stream is attached, so the job cannot have ended first.
  auto second = Apply(req);
  std::vector<v1::PlanProgress> seen;
  ASSERT_TRUE(second.reader->Read(&msg));
  seen.push_back(msg);
  Settle("db/0");
  while (second.reader->Read(&msg)) seen.push_back(msg);
  grpc::Status end = second.reader->Finish();
  EXPECT_TRUE(end.ok()) << end.error_message();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front().job(), job);
  EXPECT_TRUE(seen.front().resumed());
  EXPECT_EQ(seen.back().change_id(), "deploy-1");
  EXPECT_EQ(seen.back().state(), v1::PlanProgress::DONE);

  v1::DeploymentHistoryResponse history;
  ASSERT_TRUE(History("demo", &history).ok());
  ASSERT_EQ(history.revisions_size(), 1);
  EXPECT_EQ(history.revisions(0).status(), "deployed");
  EXPECT_EQ(history.revisions(0).description(), "Upgrade to 1.0/stable");
  ASSERT_EQ(history.revisions(0).changes_size(), 2);
  EXPECT_EQ(history.revisions(0).changes(1).id(), "deploy-1");
  EXPECT_EQ(history.revisions(0).changes(1).state(), v1::PlanProgress::DONE);
}

TEST_F(PlanApiTest, AFailingChangeEndsTheStreamWithItsErrorAndHistoryShowsIt) {
  v1::ApplyPlanRequest req = Plan("v1");
  AddDeploy(&req, "deploy-0", "db", testing::kDbMetadata);
  v1::PlanChange* remove = req.add_changes();
  remove->set_id("removeRelation-1");
  remove->set_description("remove relation app:db db:db");
  remove->mutable_remove_relation()->set_a("app:db");
  remove->mutable_remove_relation()->set_b("db:db");

  auto stream = Apply(req);
  v1::PlanProgress msg;
  std::vector<std::string> states;
  while (stream.reader->Read(&msg)) states.push_back(msg.change_id() + ":" + std::to_string(msg.state()));
  grpc::Status end = stream.reader->Finish();
  EXPECT_EQ(end.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(end.error_message(), HasSubstr("change removeRelation-1 (remove relation app:db db:db) failed:"));
  EXPECT_THAT(end.error_message(), HasSubstr("to continue from removeRelation-1"));
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back(), "removeRelation-1:" + std::to_string(v1::PlanProgress::FAILED));

  v1::DeploymentHistoryResponse history;
  ASSERT_TRUE(History("demo", &history).ok());
  ASSERT_EQ(history.revisions_size(), 1);
  EXPECT_EQ(history.revisions(0).status(), "failed");
  EXPECT_EQ(history.revisions(0).changes(0).state(), v1::PlanProgress::DONE);
  EXPECT_EQ(history.revisions(0).changes(1).state(), v1::PlanProgress::FAILED);

  EXPECT_EQ(History("nope", &history).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace skein::controller
