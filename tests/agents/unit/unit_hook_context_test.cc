#include "agents/unit/hook/unit_hook_context.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/agents/unit/fake_agent_service.h"

namespace skein::agent {
namespace {

using relations::RelationHookKind;
using Members = std::vector<std::string>;

class UnitHookContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Start();
    client_ = std::make_unique<AgentClient>(fake_.address(), fake_.ca_pem(), rpc::Identity{"unit-app-0", "secret"});
    relations::RelationProgress db;
    db.id = 3;
    db.endpoint = "db";
    db.remote_application = "mysql";
    db.created = true;
    db.members = {{"mysql/0", 1}, {"mysql/2", 1}};
    local_.relations[3] = db;
    relations::RelationProgress peers;
    peers.id = 1;
    peers.endpoint = "cluster";
    peers.remote_application = "app";
    peers.peer = true;
    peers.created = true;
    local_.relations[1] = peers;
    snapshot_ = std::make_shared<v1::UnitSnapshot>();
    snapshot_->set_config_json(R"({"port":80,"name":"x"})");
  }

  std::unique_ptr<UnitHookContext> Context(HookInfo hook) {
    HookContextParams p;
    p.id = "ctx-1";
    p.unit = "app/0";
    p.application = "app";
    p.hook = std::move(hook);
    p.local = local_;
    p.snapshot = snapshot_;
    p.leader_now = [this] { return leader_.load(); };
    p.client = client_.get();
    p.log = [this](const std::string& level, const std::string& message) { logged_.push_back(level + " " + message); };
    return std::make_unique<UnitHookContext>(std::move(p));
  }

  static HookInfo RelationHook(RelationHookKind kind, int64_t id, const std::string& endpoint,
                               const std::string& remote_app, const std::string& remote_unit) {
    HookInfo h;
    h.kind = relations::ToHookKind(kind);
    h.relation.kind = kind;
    h.relation.relation_id = id;
    h.relation.endpoint = endpoint;
    h.relation.remote_application = remote_app;
    h.relation.remote_unit = remote_unit;
    return h;
  }

  testing::FakeAgentService fake_;
  std::unique_ptr<AgentClient> client_;
  LocalState local_;
  std::shared_ptr<v1::UnitSnapshot> snapshot_;
  std::atomic<bool> leader_{true};
  std::vector<std::string> logged_;
};

TEST_F(UnitHookContextTest, MembersIncludeTheJoiningUnitAndExcludeTheDepartingOne) {
  auto joined = Context(RelationHook(RelationHookKind::kJoined, 3, "db", "mysql", "mysql/10"));
  EXPECT_EQ(*joined->RelationMembers(3), (Members{"mysql/0", "mysql/2", "mysql/10"}));
  auto departed = Context(RelationHook(RelationHookKind::kDeparted, 3, "db", "mysql", "mysql/2"));
  EXPECT_EQ(*departed->RelationMembers(3), (Members{"mysql/0"}));
  EXPECT_EQ(*departed->RelationMembers(1), Members{});
  EXPECT_EQ(departed->RelationMembers(99).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(departed->RemoteUnit(), "mysql/2");
  EXPECT_EQ(departed->RemoteApplication(), "mysql");
  EXPECT_EQ(departed->HookName(), "db-relation-departed");
  EXPECT_EQ(departed->HookRelationId(), 3);
}

TEST_F(UnitHookContextTest, RelationsHideTheOneBeingBrokenAndShowTheOneBeingCreated) {
  auto broken = Context(RelationHook(RelationHookKind::kBroken, 3, "db", "mysql", ""));
  ASSERT_EQ(broken->Relations().size(), 1u);
  EXPECT_EQ(broken->Relations()[0].id, 1);
  EXPECT_TRUE(broken->Relation(3).ok());
  auto created = Context(RelationHook(RelationHookKind::kCreated, 8, "web", "haproxy", ""));
  ASSERT_EQ(created->Relations().size(), 3u);
  EXPECT_EQ(created->Relations()[2].endpoint, "web");
  HookInfo install;
  auto plain = Context(install);
  EXPECT_FALSE(plain->HookRelationId().has_value());
  EXPECT_EQ(plain->Relation(8).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(UnitHookContextTest, OwnBagsShowPendingWritesAndOnlySuccessfulHooksCommitThem) {
  fake_.SetBag(3, "app/0", false, {{"private-address", "10.0.0.1"}, {"old", "1"}});
  fake_.SetBag(3, "mysql/0", false, {{"user", "u"}});
  auto ctx = Context(RelationHook(RelationHookKind::kChanged, 3, "db", "mysql", "mysql/0"));
  ASSERT_TRUE(ctx->WriteSettings(3, false, {{"host", "h"}, {"old", ""}}).ok());
  auto own = ctx->ReadSettings(3, "app/0", false);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(*own, (std::map<std::string, std::string>{{"private-address", "10.0.0.1"}, {"host", "h"}}));
  EXPECT_EQ(*ctx->ReadSettings(3, "mysql/0", false), (std::map<std::string, std::string>{{"user", "u"}}));
  // Reads are cached for the hook: a later controller change is not seen.
  fake_.SetBag(3, "mysql/0", false, {{"user", "v"}});
  EXPECT_EQ(ctx->ReadSettings(3, "mysql/0", false)->at("user"), "u");

  ASSERT_TRUE(ctx->WriteSettings(3, true, {{"endpoint", "e"}}).ok());
  EXPECT_EQ(ctx->ReadSettings(3, "app", true)->at("endpoint"), "e");
  v1::CommitHookRequest commit = ctx->BuildCommit(12);
  EXPECT_EQ(commit.commit_seq(), 12);
  EXPECT_EQ(commit.hook(), "db-relation-changed");
  ASSERT_EQ(commit.relation_changes_size(), 2);
  const auto& unit_change = commit.relation_changes(0);
  EXPECT_FALSE(unit_change.application());
  EXPECT_EQ(unit_change.set().at("host"), "h");
  EXPECT_EQ(unit_change.unset(0), "old");
  EXPECT_TRUE(commit.relation_changes(1).application());
  EXPECT_EQ(ctx->AppWriteRelations(), (std::set<int64_t>{3}));
}

TEST_F(UnitHookContextTest, OpenedPortsShowsThisHooksOwnChangesAndTheCommitCarriesThem) {
  v1::GetUnitStateResponse committed;
  v1::PortRange* http = committed.add_opened_ports();
  http->set_protocol("tcp");
  http->set_from_port(80);
  http->set_to_port(80);
  v1::PortRange* metrics = committed.add_opened_ports();
  metrics->set_protocol("tcp");
  metrics->set_from_port(9100);
  metrics->set_to_port(9100);
  metrics->add_endpoints("metrics");
  fake_.SetUnitState(committed);
  auto ctx = Context(HookInfo{HookKind::kConfigChanged});
  auto ports = [&] {
    std::vector<std::string> out;
    auto opened = ctx->OpenedPorts();
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return out;
    for (const PortRange& p : *opened) {
      out.push_back(absl::StrCat(p.from, "/", p.protocol, p.endpoints.empty() ? "" : " " + absl::StrJoin(p.endpoints, ",")));
    }
    return out;
  };
  EXPECT_EQ(ports(), (std::vector<std::string>{"80/tcp", "9100/tcp metrics"}));
  ASSERT_TRUE(ctx->OpenPort({8080, 8080, "tcp", {}}).ok());
  ASSERT_TRUE(ctx->ClosePort({80, 80, "tcp", {}}).ok());
  EXPECT_EQ(ports(), (std::vector<std::string>{"8080/tcp", "9100/tcp metrics"}));
  ASSERT_TRUE(ctx->OpenPort({80, 80, "tcp", {"web"}}).ok());
  EXPECT_EQ(ports(), (std::vector<std::string>{"80/tcp web", "8080/tcp", "9100/tcp metrics"}));
  // The commit carries the calls in the order the hook made them.
  v1::CommitHookRequest commit = ctx->BuildCommit(3);
  ASSERT_EQ(commit.port_changes_size(), 3);
  EXPECT_TRUE(commit.port_changes(0).open());
  EXPECT_EQ(commit.port_changes(0).range().from_port(), 8080);
  EXPECT_FALSE(commit.port_changes(1).open());
  EXPECT_EQ(commit.port_changes(2).range().endpoints(0), "web");
}

TEST_F(UnitHookContextTest, NonLeaderCannotWriteOrReadItsAppBagAndStaysMinionForTheHook) {
  leader_ = false;
  auto ctx = Context(RelationHook(RelationHookKind::kChanged, 3, "db", "mysql", "mysql/0"));
  absl::Status write = ctx->WriteSettings(3, true, {{"k", "v"}});
  EXPECT_EQ(write.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(write.message(), "cannot write relation settings");
  EXPECT_EQ(ctx->ReadSettings(3, "app", true).status().code(), absl::StatusCode::kPermissionDenied);
  // Peers may read their shared app bag.
  EXPECT_TRUE(ctx->ReadSettings(1, "app", true).ok());
  leader_ = true;  // elected meanwhile: this hook still sees a minion
  EXPECT_FALSE(*ctx->IsLeader());
  EXPECT_EQ(ctx->SetStatus(true, StatusValue{"active", "", {}}).message(), "this unit is not the leader");
  EXPECT_TRUE(ctx->BuildCommit(1).relation_changes().empty());
}

TEST_F(UnitHookContextTest, StatusIsImmediateAndRemembered) {
  HookInfo install;
  auto ctx = Context(install);
  EXPECT_FALSE(ctx->WorkloadStatusSet());
  ASSERT_TRUE(ctx->SetStatus(false, StatusValue{"active", "ready", {}}).ok());
  EXPECT_TRUE(ctx->WorkloadStatusSet());
  auto calls = fake_.StatusesOf(v1::SetStatusRequest::WORKLOAD);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].status, "active");
  EXPECT_EQ(calls[0].message, "ready");
  auto status = ctx->UnitStatus();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->status, "active");
  EXPECT_EQ(ctx->Config(), (nlohmann::json{{"port", 80}, {"name", "x"}}));
  ctx->Log("INFO", "hello");
  EXPECT_EQ(logged_, (std::vector<std::string>{"INFO hello"}));
}

TEST(RemovalReasonTest, TheSnapshotSaysWhetherTheUnitTheApplicationOrTheModelGoes) {
  v1::UnitSnapshot s;
  EXPECT_EQ(RemovalReasonOf(s), RemovalReason::kNone);
  s.set_life(v1::LIFE_DYING);
  EXPECT_EQ(RemovalReasonOf(s), RemovalReason::kUnitRemoved) << "scale to zero: the application stays";
  s.set_application_life(v1::LIFE_DYING);
  EXPECT_EQ(RemovalReasonOf(s), RemovalReason::kApplicationRemoved);
  s.set_model_life(v1::LIFE_DYING);
  EXPECT_EQ(RemovalReasonOf(s), RemovalReason::kModelDestroyed);
  EXPECT_STREQ(RemovalReasonName(RemovalReason::kUnitRemoved), "unit removed");
}

}  // namespace
}  // namespace skein::agent
