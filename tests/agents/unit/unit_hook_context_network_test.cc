// UnitHookContext's network-get, unit-get, goal-state, credential-get and model UUID (what the
// hook tools of the same names print).

#include "agents/unit/hook/unit_hook_context.h"

#include "gtest/gtest.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent {
namespace {

class UnitHookContextNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(charm_.path() + "/metadata.yaml",
                       "name: app\nprovides:\n  website:\n    interface: http\nrequires:\n  db:\n    interface: mysql\n"
                       "peers:\n  cluster:\n    interface: app-peers\nextra-bindings:\n  admin:\n");
    snapshot_ = std::make_shared<v1::UnitSnapshot>();
    snapshot_->set_private_address("127.0.0.1");
    snapshot_->set_model_uuid("0a1b2c3d-0000-4000-8000-00000000000f");
    v1::RelationSnapshot* db = snapshot_->add_relations();
    db->set_id(3);
    db->set_endpoint("db");
    db->set_role("requires");
    db->set_remote_application("mysql");
    db->add_members()->set_unit("mysql/0");
    v1::RelationSnapshot* peers = snapshot_->add_relations();
    peers->set_id(1);
    peers->set_endpoint("cluster");
    peers->set_role("peers");
    peers->set_remote_application("app");
    peers->add_members()->set_unit("app/1");
    relations::RelationProgress progress;
    progress.id = 3;
    progress.endpoint = "db";
    progress.remote_application = "mysql";
    progress.created = true;
    local_.relations[3] = progress;
  }

  std::unique_ptr<UnitHookContext> Context() {
    HookContextParams p;
    p.id = "ctx-1";
    p.unit = "app/0";
    p.application = "app";
    p.hook.kind = HookKind::kStart;
    p.local = local_;
    p.snapshot = snapshot_;
    p.leader_now = [] { return true; };
    p.charm_dir = charm_.path();
    return std::make_unique<UnitHookContext>(std::move(p));
  }

  testing::TempDir charm_;
  LocalState local_;
  std::shared_ptr<v1::UnitSnapshot> snapshot_;
};

TEST_F(UnitHookContextNetworkTest, BindingsAreTheMachineAddressOnItsInterface) {
  auto ctx = Context();
  absl::StatusOr<NetworkInfo> info = ctx->NetworkGet("website", std::nullopt);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->bind_addresses.size(), 1u);
  // 127.0.0.1 lives on the loopback interface of every Linux host.
  EXPECT_EQ(info->bind_addresses[0].name, "lo");
  ASSERT_EQ(info->bind_addresses[0].addresses.size(), 1u);
  EXPECT_EQ(info->bind_addresses[0].addresses[0].value, "127.0.0.1");
  EXPECT_EQ(info->bind_addresses[0].addresses[0].cidr, "127.0.0.0/8");
  EXPECT_EQ(info->ingress_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(info->egress_subnets, std::vector<std::string>{"127.0.0.1/32"});
  // Every endpoint, extra binding and juju-info is a binding; a relation id is checked.
  EXPECT_TRUE(ctx->NetworkGet("db", std::nullopt).ok());
  EXPECT_TRUE(ctx->NetworkGet("db", 3).ok());
  EXPECT_TRUE(ctx->NetworkGet("admin", std::nullopt).ok());
  EXPECT_TRUE(ctx->NetworkGet("juju-info", std::nullopt).ok());
  absl::Status unknown = ctx->NetworkGet("nope", std::nullopt).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(unknown.message()), "no network config found for binding \"nope\"");
  absl::Status no_relation = ctx->NetworkGet("db", 42).status();
  EXPECT_EQ(std::string(no_relation.message()), "relation not found");
}

TEST_F(UnitHookContextNetworkTest, UnitAddressAndModelUuidComeFromTheSnapshot) {
  snapshot_->set_private_address("10.9.8.7");
  auto ctx = Context();
  EXPECT_EQ(*ctx->UnitAddress(false), "10.9.8.7");
  EXPECT_EQ(*ctx->UnitAddress(true), "10.9.8.7");
  EXPECT_EQ(ctx->ModelUuid(), "0a1b2c3d-0000-4000-8000-00000000000f");
  // An address no interface holds is still reported, without interface details.
  absl::StatusOr<NetworkInfo> info = ctx->NetworkGet("db", std::nullopt);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->bind_addresses[0].addresses[0].value, "10.9.8.7");
  EXPECT_EQ(info->ingress_addresses, std::vector<std::string>{"10.9.8.7"});
}

TEST_F(UnitHookContextNetworkTest, GoalStateListsPeersAndRelatedUnits) {
  absl::StatusOr<nlohmann::json> goal = Context()->GoalState();
  ASSERT_TRUE(goal.ok());
  const nlohmann::json& units = (*goal)["units"];
  EXPECT_EQ(units.size(), 2u);
  EXPECT_EQ(units["app/0"]["status"], "active");
  EXPECT_EQ(units["app/1"]["status"], "active");
  EXPECT_TRUE(units["app/0"]["since"].is_string());
  const nlohmann::json& db = (*goal)["relations"]["db"];
  EXPECT_EQ(db["mysql"]["status"], "joined");
  EXPECT_EQ(db["mysql/0"]["status"], "active");
  EXPECT_FALSE((*goal)["relations"].contains("cluster"));
}

TEST_F(UnitHookContextNetworkTest, OnlyATrustedApplicationReadsTheCloudSpec) {
  absl::StatusOr<nlohmann::json> refused = Context()->CloudSpec();
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.status().message(), "permission denied");

  snapshot_->set_trusted(true);
  absl::StatusOr<nlohmann::json> spec = Context()->CloudSpec();
  ASSERT_TRUE(spec.ok()) << spec.status();
  // What ops' CloudSpec.from_dict requires (type, name) and what status shows of the cloud.
  EXPECT_EQ((*spec)["type"], "local");
  EXPECT_EQ((*spec)["name"], "local");
  EXPECT_EQ((*spec)["region"], "localhost");
  EXPECT_EQ((*spec)["endpoint"], "127.0.0.1");
  EXPECT_EQ((*spec)["credential"]["auth-type"], "empty");
}

}  // namespace
}  // namespace skein::agent
