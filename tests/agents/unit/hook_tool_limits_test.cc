// The caps of lib/base/limits.h as a charm meets them: the real hook tools run against the unit
// agent's real hook context (talking gRPC to a fake controller). A value at its cap is accepted;
// one byte more fails the tool with exit code 1 and `ERROR ... exceeds the <N> limit of <what>`,
// and nothing of the refused call is buffered or sent.

#include <atomic>
#include <filesystem>
#include <fstream>

#include "agents/unit/hook/tool.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "gtest/gtest.h"
#include "lib/base/limits.h"
#include "tests/agents/unit/fake_agent_service.h"

namespace skein::agent {
namespace {

using limits::kKiB;
using limits::kMiB;

class HookToolLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Start();
    client_ = std::make_unique<AgentClient>(fake_.address(), fake_.ca_pem(), rpc::Identity{"unit-app-0", "secret"});
    for (auto [id, endpoint, remote, peer] :
         {std::tuple<int64_t, const char*, const char*, bool>{3, "db", "mysql", false}, {4, "cache", "redis", false},
          {1, "cluster", "app", true}}) {
      relations::RelationProgress r;
      r.id = id;
      r.endpoint = endpoint;
      r.remote_application = remote;
      r.peer = peer;
      r.created = true;
      local_.relations[id] = r;
    }
    snapshot_ = std::make_shared<v1::UnitSnapshot>();
    snapshot_->set_leader(true);
  }

  std::unique_ptr<UnitHookContext> Context(std::optional<v1::PendingAction> action = std::nullopt) {
    HookContextParams p;
    p.id = "ctx-1";
    p.unit = "app/0";
    p.application = "app";
    p.hook.kind = HookKind::kConfigChanged;
    p.local = local_;
    p.snapshot = snapshot_;
    p.leader_now = [] { return true; };
    p.client = client_.get();
    p.log = [this](const std::string& level, const std::string& message) { logged_.push_back(message); };
    p.action = std::move(action);
    return std::make_unique<UnitHookContext>(std::move(p));
  }

  static ToolResult Run(HookContext& ctx, const std::string& tool, std::vector<std::string> args,
                        std::optional<std::string> stdin_data = std::nullopt) {
    ToolInput in;
    in.args = std::move(args);
    in.stdin_data = std::move(stdin_data);
    return RunTool(ctx, tool, in);
  }

  static std::string Error(const std::string& message) { return "ERROR " + message + "\n"; }

  testing::FakeAgentService fake_;
  std::unique_ptr<AgentClient> client_;
  LocalState local_;
  std::shared_ptr<v1::UnitSnapshot> snapshot_;
  std::vector<std::string> logged_;
};

TEST_F(HookToolLimitsTest, RelationSetValueAtItsCapIsBufferedOneByteMoreFailsTheTool) {
  auto ctx = Context();
  ToolResult over = Run(*ctx, "relation-set", {"-r", "3", "--file", "-"},
                        "k: " + std::string(16 * kMiB + 1, 'v') + "\n");
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("relation value \"k\" (16777217 bytes) exceeds the 16 MiB limit of a relation value"));
  EXPECT_EQ(ctx->BuildCommit(1).relation_changes_size(), 0);

  ToolResult at = Run(*ctx, "relation-set", {"-r", "3", "--file", "-"}, "k: " + std::string(16 * kMiB - 1, 'v'));
  EXPECT_EQ(at.code, 0) << at.err;
  v1::CommitHookRequest commit = ctx->BuildCommit(1);
  ASSERT_EQ(commit.relation_changes_size(), 1);
  EXPECT_EQ(commit.relation_changes(0).set().at("k").size(), 16 * kMiB - 1);
}

TEST_F(HookToolLimitsTest, RelationSetCountsTheCommittedBag) {
  fake_.SetBag(3, "app/0", false, {{"dashboard", std::string(10 * kMiB, 'd')}});
  auto ctx = Context();
  ToolResult over = Run(*ctx, "relation-set", {"-r", "3", "--file", "-"}, "more: " + std::string(7 * kMiB, 'm'));
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("the unit data bag of relation 3 (17825805 bytes) exceeds the 16 MiB limit of a relation "
                            "data bag"));
  // Replacing the big value instead fits, and deleting needs no room.
  EXPECT_EQ(Run(*ctx, "relation-set", {"-r", "3", "--file", "-"}, "dashboard: small\nmore: " +
                                                                       std::string(7 * kMiB, 'm')).code,
            0);
  EXPECT_EQ(Run(*ctx, "relation-set", {"-r", "3", "dashboard="}).code, 0);
}

TEST_F(HookToolLimitsTest, OneHooksChangesTogetherAreCapped) {
  auto ctx = Context();
  // Three bags each at their cap make exactly the commit's cap.
  std::string at_bag_cap = "k: " + std::string(16 * kMiB - 1, 'v');
  EXPECT_EQ(Run(*ctx, "relation-set", {"-r", "3", "--file", "-"}, at_bag_cap).code, 0);
  EXPECT_EQ(Run(*ctx, "relation-set", {"-r", "4", "--file", "-"}, at_bag_cap).code, 0);
  EXPECT_EQ(Run(*ctx, "relation-set", {"-r", "1", "--file", "-"}, at_bag_cap).code, 0);
  ToolResult over = Run(*ctx, "state-set", {"s=x"});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("this hook's relation and state changes (50331650 bytes) exceeds the 48 MiB limit of one "
                            "hook's relation and state changes"));
  EXPECT_EQ(ctx->BuildCommit(1).state_set_size(), 0);
}

TEST_F(HookToolLimitsTest, RelationSetFileBombIsRefusedNamingTheInput) {
  std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k ? ", *a" : "*a") + std::to_string(i - 1);
    laughs += "]\n";
  }
  auto ctx = Context();
  ToolResult r = Run(*ctx, "relation-set", {"-r", "3", "--file", "-"}, laughs);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, Error("stdin: YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the whole "
                         "node it names, so aliases of aliases multiply"));
  std::string path = std::filesystem::temp_directory_path() / ("skein-laughs-" + std::to_string(::getpid()));
  std::ofstream(path) << laughs;
  r = Run(*ctx, "state-set", {"--file", path});
  std::filesystem::remove(path);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, Error(path + ": YAML expands to more than 150000 nodes (limit); an alias (*name) repeats the "
                         "whole node it names, so aliases of aliases multiply"));
  r = Run(*ctx, "relation-set", {"-r", "3", "--file", "/dev/zero"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, Error("/dev/zero exceeds the 24 MiB limit of a YAML document"));
}

TEST_F(HookToolLimitsTest, StatusSetMessage) {
  auto ctx = Context();
  ToolResult over = Run(*ctx, "status-set", {"active", std::string(32 * kKiB + 1, 'm')});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("the status message (32769 bytes) exceeds the 32 KiB limit of a status message"));
  EXPECT_EQ(Run(*ctx, "status-set", {"active", std::string(32 * kKiB, 'm')}).code, 0);
  ASSERT_TRUE(fake_.WaitUntil([&] { return !fake_.statuses.empty(); }));
  EXPECT_EQ(fake_.statuses.size(), 1u);
  EXPECT_EQ(fake_.statuses[0].message.size(), 32 * kKiB);
}

TEST_F(HookToolLimitsTest, JujuLogMessage) {
  auto ctx = Context();
  ToolResult over = Run(*ctx, "juju-log", {std::string(128 * kKiB + 1, 'l')});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("the log message (131073 bytes) exceeds the 128 KiB limit of a log message"));
  EXPECT_TRUE(logged_.empty());
  EXPECT_EQ(Run(*ctx, "juju-log", {std::string(128 * kKiB, 'l')}).code, 0);
  ASSERT_EQ(logged_.size(), 1u);
}

TEST_F(HookToolLimitsTest, StateSetKeyValueAndWholeState) {
  auto ctx = Context();
  EXPECT_EQ(Run(*ctx, "state-set", {std::string(257, 'k') + "=v"}).err,
            Error("the state key (257 bytes) exceeds the 256 bytes limit of a state key"));
  EXPECT_EQ(Run(*ctx, "state-set", {"k=" + std::string(64 * kKiB + 1, 'v')}).err,
            Error("state value \"k\" (65537 bytes) exceeds the 64 KiB limit of a state value"));
  EXPECT_EQ(Run(*ctx, "state-set", {std::string(256, 'k') + "=" + std::string(64 * kKiB, 'v')}).code, 0);
  EXPECT_EQ(Run(*ctx, "state-delete", {std::string(256, 'k')}).code, 0);
  // The committed state counts: 31 values of 64 KiB fit in 2 MiB, a 32nd does not.
  v1::GetUnitStateResponse committed;
  for (int i = 0; i < 31; ++i) (*committed.mutable_state())["k" + std::to_string(100 + i)] = std::string(64 * kKiB, 'v');
  fake_.SetUnitState(committed);
  auto fresh = Context();
  ToolResult over = Run(*fresh, "state-set", {"k999=" + std::string(64 * kKiB, 'v')});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("the unit's charm state (2097280 bytes) exceeds the 2 MiB limit of a unit's charm state"));
  // Deleting in the same call makes room: one call is all or nothing.
  EXPECT_EQ(Run(*fresh, "state-set", {"k100=", "k999=" + std::string(64 * kKiB, 'v')}).code, 0);
}

TEST_F(HookToolLimitsTest, LeaderSetValue) {
  auto ctx = Context();
  ToolResult over = Run(*ctx, "leader-set", {"k=" + std::string(kMiB + 1, 'v')});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("cannot write leadership settings: leader setting \"k\" (1048577 bytes) exceeds the 1 MiB "
                            "limit of a leader setting value"));
  EXPECT_EQ(Run(*ctx, "leader-set", {"k=" + std::string(kMiB, 'v')}).code, 0);
  EXPECT_TRUE(fake_.WaitUntil([&] { return fake_.leader_settings.count("k") == 1; }));
}

TEST_F(HookToolLimitsTest, ApplicationVersionSet) {
  auto ctx = Context();
  ToolResult over = Run(*ctx, "application-version-set", {std::string(kKiB + 1, 'v')});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("the application version (1025 bytes) exceeds the 1 KiB limit of an application version"));
  EXPECT_EQ(Run(*ctx, "application-version-set", {std::string(kKiB, 'v')}).code, 0);
  EXPECT_TRUE(fake_.WaitUntil([&] { return fake_.workload_versions.size() == 1; }));
}

TEST_F(HookToolLimitsTest, ActionSetLogAndFail) {
  v1::PendingAction action;
  action.set_task_id("7");
  action.set_name("dump");
  action.set_params_json("{}");
  auto ctx = Context(action);
  // {"k":"<value>"} is the value plus 8 bytes of JSON.
  ToolResult over = Run(*ctx, "action-set", {"k=" + std::string(4 * kMiB - 7, 'r')});
  EXPECT_EQ(over.code, 1);
  EXPECT_EQ(over.err, Error("the action's results (4194305 bytes) exceeds the 4 MiB limit of action results"));
  EXPECT_EQ(Run(*ctx, "action-set", {"k=" + std::string(4 * kMiB - 8, 'r')}).code, 0);
  EXPECT_EQ(ctx->ActionResults()["k"].get<std::string>().size(), 4 * kMiB - 8);

  EXPECT_EQ(Run(*ctx, "action-log", {std::string(128 * kKiB + 1, 'l')}).err,
            Error("the action log message (131073 bytes) exceeds the 128 KiB limit of a log message"));
  EXPECT_EQ(Run(*ctx, "action-fail", {std::string(32 * kKiB + 1, 'f')}).err,
            Error("the failure message (32769 bytes) exceeds the 32 KiB limit of a status message"));
  EXPECT_FALSE(ctx->ActionFailure().has_value());
  EXPECT_EQ(Run(*ctx, "action-log", {std::string(128 * kKiB, 'l')}).code, 0);
  EXPECT_TRUE(fake_.WaitUntil([&] { return fake_.action_logs.size() == 1; }));
}

}  // namespace
}  // namespace skein::agent
