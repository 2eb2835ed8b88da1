// HookService (controller/domain/hook): a hook's commit applies relation bags, opened ports and
// charm state in one transaction, or nothing; leader-set is immediate, leader-only, and moves
// the other units' leader settings version.

#include "controller/domain/hook/hook_service.h"

#include "controller/watch/snapshots.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::hook::HookCommit;
using domain::hook::PortChange;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

PortChange Open(const std::string& protocol, int from, int to, std::vector<std::string> endpoints = {}) {
  return PortChange{true, {protocol, from, to}, std::move(endpoints)};
}
PortChange Close(const std::string& protocol, int from, int to, std::vector<std::string> endpoints = {}) {
  return PortChange{false, {protocol, from, to}, std::move(endpoints)};
}

class HookCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", MakeCharm(kDbMetadata), 2);
    env_.Deploy("app", MakeCharm(kAppMetadata), 1);
    ASSERT_TRUE(env_.relations->Integrate("test", {"app", "db"}).ok());
  }
  std::vector<std::string> StatusPorts(const std::string& unit) {
    auto status = env_.status->ModelStatus("test");
    EXPECT_TRUE(status.ok()) << status.status();
    for (const auto& app : status->applications()) {
      for (const auto& u : app.units()) {
        if (u.name() == unit) return {u.open_ports().begin(), u.open_ports().end()};
      }
    }
    return {};
  }
  int64_t LeaderSettingsVersion(const std::string& unit) {
    auto view = watch::BuildUnitSnapshot(*env_.db, env_.UnitId(unit));
    EXPECT_TRUE(view.ok()) << view.status();
    return view.ok() ? view->snapshot.leader_settings_version() : -1;
  }

  DomainEnv env_;
};

TEST_F(HookCommitTest, PortsOpenAndCloseWithTheCommitAndShowInStatusAndShowUnit) {
  HookCommit c;
  c.commit_seq = 1;
  c.ports = {Open("tcp", 8080, 8080), Open("udp", 1000, 2000), Open("icmp", 0, 0), Open("tcp", 80, 80, {"db"}),
             Open("tcp", 80, 80, {"db"})};  // opening what is open is a no-op
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("db/0"), c).ok());
  EXPECT_EQ(StatusPorts("db/0"), (std::vector<std::string>{"80/tcp", "8080/tcp", "1000-2000/udp", "icmp"}));
  EXPECT_TRUE(StatusPorts("db/1").empty());
  auto info = env_.status->ShowUnit("test", "db/0");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(std::vector<std::string>(info->opened_ports().begin(), info->opened_ports().end()),
            (std::vector<std::string>{"80/tcp", "8080/tcp", "1000-2000/udp", "icmp"}));
  auto state = env_.hooks->UnitState(env_.UnitId("db/0"));
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->opened_ports.size(), 4u);
  EXPECT_EQ(state->opened_ports[0].endpoints, std::vector<std::string>{"db"});
  EXPECT_TRUE(state->opened_ports[1].endpoints.empty()) << "8080/tcp is open on every endpoint";

  // Units share machine 0 on the local substrate and keep their own ports (as on Kubernetes).
  HookCommit other;
  other.commit_seq = 1;
  other.ports = {Open("tcp", 8080, 8080)};
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("db/1"), other).ok());
  EXPECT_EQ(StatusPorts("db/1"), (std::vector<std::string>{"8080/tcp"}));

  // close-port without endpoints closes the range everywhere.
  HookCommit close;
  close.commit_seq = 2;
  close.ports = {Close("tcp", 80, 80), Close("udp", 1000, 2000), Close("tcp", 9999, 9999)};
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("db/0"), close).ok());
  EXPECT_EQ(StatusPorts("db/0"), (std::vector<std::string>{"8080/tcp", "icmp"}));
}

TEST_F(HookCommitTest, ARangeOpenOnEveryEndpointIsReportedWithoutEndpoints) {
  HookCommit c;
  c.commit_seq = 1;
  c.ports = {Open("tcp", 80, 80, {"db"}), Open("tcp", 80, 80)};
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("db/0"), c).ok());
  auto state = env_.hooks->UnitState(env_.UnitId("db/0"));
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->opened_ports.size(), 1u);
  EXPECT_TRUE(state->opened_ports[0].endpoints.empty()) << "80/tcp is open on every endpoint";
  // Closing it on "db" leaves it open on every endpoint.
  c.commit_seq = 2;
  c.ports = {Close("tcp", 80, 80, {"db"})};
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("db/0"), c).ok());
  state = env_.hooks->UnitState(env_.UnitId("db/0"));
  ASSERT_EQ(state->opened_ports.size(), 1u);
  EXPECT_TRUE(state->opened_ports[0].endpoints.empty());
}

TEST_F(HookCommitTest, ARefusedPartAppliesNothing) {
  HookCommit c;
  c.commit_seq = 1;
  c.bags = {{1, false, {{"k", "v"}}, {}}};
  c.state_set = {{"a", "1"}};
  c.ports = {Open("tcp", 8080, 8080), Open("tcp", 0, 70000)};
  auto refused = env_.hooks->Commit(env_.UnitId("db/0"), c);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(), "port range bounds must be between 1 and 65535, got 0-70000");
  EXPECT_TRUE(StatusPorts("db/0").empty());
  EXPECT_EQ(env_.hooks->UnitState(env_.UnitId("db/0"))->state.size(), 0u);
  EXPECT_EQ(env_.Unit("db/0").last_commit_seq, 0);
  EXPECT_EQ(env_.Count("relation_settings", "key = 'k'"), 0);

  c.ports = {Open("sctp", 1, 1)};
  EXPECT_EQ(env_.hooks->Commit(env_.UnitId("db/0"), c).status().message(),
            "invalid protocol \"sctp\", expected \"tcp\", \"udp\", or \"icmp\"");
  c.ports.clear();
  c.state_set = {{"big", std::string(64 * 1024 + 1, 'x')}};
  // A cap (lib/base/limits.h) is a quota: ResourceExhausted, with the cap's text.
  auto over = env_.hooks->Commit(env_.UnitId("db/0"), c);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(over.status().message(), "state value \"big\" (65537 bytes) exceeds the 64 KiB limit of a state value");
  EXPECT_EQ(env_.Unit("db/0").last_commit_seq, 0);
}

TEST_F(HookCommitTest, CharmStateSetsDeletesAndIsIdempotentBySequence) {
  HookCommit c;
  c.commit_seq = 1;
  c.state_set = {{"a", "1"}, {"b", "2"}};
  ASSERT_EQ(*env_.hooks->Commit(env_.UnitId("db/0"), c), 1);
  HookCommit d;
  d.commit_seq = 2;
  d.state_set = {{"a", "10"}, {"c", ""}};
  d.state_unset = {"b"};
  ASSERT_EQ(*env_.hooks->Commit(env_.UnitId("db/0"), d), 2);
  // A replay of an applied commit (the agent lost the answer) is acknowledged, not applied.
  ASSERT_EQ(*env_.hooks->Commit(env_.UnitId("db/0"), c), 2);
  auto state = env_.hooks->UnitState(env_.UnitId("db/0"));
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, (std::map<std::string, std::string>{{"a", "10"}}));
  EXPECT_TRUE(env_.hooks->UnitState(env_.UnitId("db/1"))->state.empty()) << "state is per unit";
}

TEST_F(HookCommitTest, LeaderSettingsAreLeaderOnlyAndMoveTheVersion) {
  const std::string leader = env_.Leader("db");
  const std::string minion = leader == "db/0" ? "db/1" : "db/0";
  const int64_t before = LeaderSettingsVersion(minion);
  absl::Status refused = env_.hooks->SetLeaderSettings(env_.UnitId(minion), {{"k", "v"}}, {});
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(), "cannot write leadership settings: cannot write settings: not the leader");
  EXPECT_EQ(LeaderSettingsVersion(minion), before);

  ASSERT_TRUE(env_.hooks->SetLeaderSettings(env_.UnitId(leader), {{"k", "v"}, {"gone", ""}}, {}).ok());
  EXPECT_EQ(LeaderSettingsVersion(minion), before + 1);
  EXPECT_EQ(*env_.hooks->LeaderSettings(env_.UnitId(minion)), (std::map<std::string, std::string>{{"k", "v"}}));
  // Writing the same values changes nothing, so nobody runs leader-settings-changed for it.
  ASSERT_TRUE(env_.hooks->SetLeaderSettings(env_.UnitId(leader), {{"k", "v"}}, {}).ok());
  EXPECT_EQ(LeaderSettingsVersion(minion), before + 1);
  ASSERT_TRUE(env_.hooks->SetLeaderSettings(env_.UnitId(leader), {}, {"k"}).ok());
  EXPECT_EQ(LeaderSettingsVersion(minion), before + 2);
  EXPECT_TRUE(env_.hooks->LeaderSettings(env_.UnitId(minion))->empty());
  // Other applications are not affected.
  EXPECT_TRUE(env_.hooks->LeaderSettings(env_.UnitId("app/0"))->empty());
}

}  // namespace
}  // namespace skein::controller
