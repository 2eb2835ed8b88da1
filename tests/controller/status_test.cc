#include "controller/domain/status/status_service.h"

#include "controller/domain/status/derivation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::StatusValue;
using domain::unit::StatusTarget;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

domain::UnitRow UnitWith(const std::string& workload, const std::string& message, const std::string& agent = "idle",
                         const std::string& agent_message = "") {
  domain::UnitRow u;
  u.workload = {workload, message, "", "t"};
  u.agent = {agent, agent_message, "", "t"};
  return u;
}

TEST(DerivationTest, MostSevereUnitStatusWins) {
  domain::AppRow app;
  EXPECT_EQ(domain::status::ApplicationStatus(app, {}).status, "unknown");
  StatusValue s = domain::status::ApplicationStatus(
      app, {UnitWith("active", "a"), UnitWith("blocked", "b"), UnitWith("waiting", "w"), UnitWith("blocked", "b2")});
  EXPECT_EQ(s.status, "blocked");
  EXPECT_EQ(s.message, "b") << "the first unit wins ties";
  s = domain::status::ApplicationStatus(app, {UnitWith("active", "a"), UnitWith("maintenance", "m")});
  EXPECT_EQ(s.status, "maintenance");
}

TEST(DerivationTest, AgentErrorCountsAsErrorWithTheAgentMessage) {
  domain::AppRow app;
  domain::UnitRow failed = UnitWith("active", "fine", "error", "hook failed: \"install\"");
  EXPECT_EQ(domain::status::DisplayedWorkload(failed).status, "error");
  StatusValue s = domain::status::ApplicationStatus(app, {UnitWith("blocked", "b"), failed});
  EXPECT_EQ(s.status, "error");
  EXPECT_EQ(s.message, "hook failed: \"install\"");
}

TEST(DerivationTest, LeaderSetStatusWins) {
  domain::AppRow app;
  app.status = {"active", "all good", "", "t"};
  EXPECT_EQ(domain::status::ApplicationStatus(app, {UnitWith("blocked", "b")}).message, "all good");
}

TEST(StatusServiceTest, ModelStatusIsFullyFilled) {
  DomainEnv env;
  env.Deploy("app10", MakeCharm(kAppMetadata), 1);
  env.Deploy("app2", MakeCharm(kAppMetadata), 0);
  env.Deploy("db", MakeCharm(kDbMetadata), 2);
  ASSERT_TRUE(env.relations->Integrate("test", {"app10", "db"}).ok());
  ASSERT_TRUE(env.units->SetStatus(env.UnitId("db/0"), StatusTarget::kWorkload, {"active", "ready", "", ""}).ok());
  ASSERT_TRUE(env.units->SetStatus(env.UnitId("db/1"), StatusTarget::kAgent,
                                   {"error", "hook failed: \"start\"", R"({"hook":"start"})", ""}).ok());

  auto status = env.status->ModelStatus("test");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->model().name(), "test");
  EXPECT_EQ(status->model().type(), "iaas");
  EXPECT_EQ(status->model().cloud(), "local");
  EXPECT_EQ(status->model().region(), "localhost");
  EXPECT_EQ(status->model().controller(), "local");
  EXPECT_EQ(status->model().agent_version(), "3.6.11");
  EXPECT_EQ(status->model().status().current(), "available");
  ASSERT_EQ(status->machines_size(), 1);
  EXPECT_EQ(status->machines(0).id(), "0");
  EXPECT_EQ(status->machines(0).hostname(), "testhost");
  EXPECT_EQ(status->machines(0).agent_status().current(), "pending");

  ASSERT_EQ(status->applications_size(), 3);
  EXPECT_EQ(status->applications(0).name(), "app2") << "natural order";
  EXPECT_EQ(status->applications(1).name(), "app10");
  const v1::ApplicationStatus& db = status->applications(2);
  EXPECT_EQ(db.charm_url(), "local:db-0");
  EXPECT_EQ(db.charm_origin(), "local");
  EXPECT_EQ(db.scale(), 2);
  EXPECT_EQ(db.status().current(), "error");
  EXPECT_EQ(db.status().message(), "hook failed: \"start\"");
  ASSERT_EQ(db.units_size(), 2);
  EXPECT_TRUE(db.units(0).leader());
  EXPECT_EQ(db.units(0).workload_status().current(), "active");
  EXPECT_EQ(db.units(1).workload_status().current(), "error");
  EXPECT_EQ(db.units(1).workload_status().message(), "hook failed: \"start\"");
  EXPECT_EQ(db.units(1).agent_status().current(), "error");
  EXPECT_EQ(db.units(1).address(), "127.0.0.1");
  ASSERT_EQ(db.relations_size(), 2);
  EXPECT_EQ(db.relations(0).endpoint(), "cluster");
  EXPECT_EQ(db.relations(0).related_application(), "db");
  EXPECT_EQ(db.relations(1).endpoint(), "db");
  EXPECT_EQ(db.relations(1).related_application(), "app10");

  ASSERT_EQ(status->relations_size(), 2);
  EXPECT_EQ(status->relations(0).type(), "peer");
  EXPECT_EQ(status->relations(0).provider(), "db:cluster");
  EXPECT_EQ(status->relations(1).type(), "regular");
  EXPECT_EQ(status->relations(1).provider(), "db:db");
  EXPECT_EQ(status->relations(1).requirer(), "app10:db");
  EXPECT_EQ(status->relations(1).key(), "app10:db db:db");

  ASSERT_TRUE(env.models->SetMachineAgentSeen("0", true).ok());
  EXPECT_EQ(env.status->ModelStatus("test")->machines(0).agent_status().current(), "started");
  EXPECT_EQ(env.status->ModelStatus("nope").status().message(), "model \"nope\" not found");
}

TEST(StatusServiceTest, ShowUnitListsRelationData) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(kDbMetadata), 2);
  env.Deploy("app", MakeCharm(kAppMetadata), 1);
  ASSERT_TRUE(env.relations->Integrate("test", {"app", "db"}).ok());
  domain::relation::BagChange app_bag{1, true, {{"answer", "42"}}, {}};
  ASSERT_TRUE(env.CommitBags(env.UnitId("db/0"), 1, {app_bag}).ok());
  ASSERT_TRUE(env.SetUnitBag("app/0", 1, {{"request", "q"}}, 1).ok());

  auto info = env.status->ShowUnit("test", "app/0");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->charm(), "local:app-0");
  EXPECT_TRUE(info->leader());
  ASSERT_EQ(info->relation_info_size(), 1);
  const v1::RelationInfo& rel = info->relation_info(0);
  EXPECT_EQ(rel.relation_id(), 1);
  EXPECT_EQ(rel.endpoint(), "db");
  EXPECT_EQ(rel.related_endpoint(), "db");
  EXPECT_EQ(rel.application_data().at("answer"), "42");
  EXPECT_TRUE(rel.local_unit().in_scope());
  EXPECT_EQ(rel.local_unit().data().at("request"), "q");
  ASSERT_EQ(rel.related_units_size(), 2);
  EXPECT_TRUE(rel.related_units().at("db/1").in_scope());
  EXPECT_EQ(rel.related_units().at("db/1").data().at("private-address"), "127.0.0.1");

  auto peer = env.status->ShowUnit("test", "db/1");
  ASSERT_TRUE(peer.ok());
  const v1::RelationInfo& peers = peer->relation_info(0);
  EXPECT_EQ(peers.endpoint(), "cluster");
  ASSERT_EQ(peers.related_units_size(), 1);
  EXPECT_TRUE(peers.related_units().contains("db/0"));
  EXPECT_EQ(env.status->ShowUnit("test", "app/7").status().message(), "unit \"app/7\" not found");
}

TEST(UnitServiceTest, StatusWritesAreValidatedAndApplicationStatusIsForTheLeader) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(kDbMetadata), 2);
  EXPECT_EQ(env.units->SetStatus(env.UnitId("db/0"), StatusTarget::kWorkload, {"happy", "", "", ""}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env.units->SetStatus(env.UnitId("db/0"), StatusTarget::kAgent, {"active", "", "", ""}).code(),
            absl::StatusCode::kInvalidArgument);
  auto minion = env.units->SetStatus(env.UnitId("db/1"), StatusTarget::kApplication, {"active", "x", "", ""});
  EXPECT_EQ(minion.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(minion.message(), "this unit is not the leader");
  ASSERT_TRUE(env.units->SetStatus(env.UnitId("db/0"), StatusTarget::kApplication, {"active", "led", "", ""}).ok());
  EXPECT_EQ(env.units->GetStatus(env.UnitId("db/1"), true).status().code(), absl::StatusCode::kPermissionDenied);
  auto view = env.units->GetStatus(env.UnitId("db/0"), true);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->application.message, "led");
  EXPECT_EQ(view->units.size(), 2u);
  EXPECT_EQ(view->unit.status, "waiting");
  EXPECT_FALSE(env.Unit("db/0").workload.since.empty());
}

}  // namespace
}  // namespace skein::controller
