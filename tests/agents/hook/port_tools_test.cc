// Contract tests for open-port, close-port, opened-ports.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

class PortToolsTest : public ::testing::Test {
 protected:
  PortToolsTest() : ctx_("web/0", "start") {}
  FakeHookContext ctx_;
};

TEST_F(PortToolsTest, OpenPortForms) {
  ASSERT_EQ(ctx_.Run("open-port", {"8080"}).code, 0);
  ASSERT_EQ(ctx_.Run("open-port", {"53/UDP"}).code, 0);
  ASSERT_EQ(ctx_.Run("open-port", {"1000-2000/udp", "--endpoints", "db, web"}).code, 0);
  ASSERT_EQ(ctx_.Run("open-port", {"icmp"}).code, 0);
  ASSERT_EQ(ctx_.port_changes.size(), 4u);
  const PortRange& tcp = ctx_.port_changes[0].second;
  EXPECT_TRUE(ctx_.port_changes[0].first);
  EXPECT_EQ(tcp.from, 8080);
  EXPECT_EQ(tcp.to, 8080);
  EXPECT_EQ(tcp.protocol, "tcp");
  EXPECT_TRUE(tcp.endpoints.empty());
  EXPECT_EQ(ctx_.port_changes[1].second.protocol, "udp");  // lower-cased
  const PortRange& range = ctx_.port_changes[2].second;
  EXPECT_EQ(range.from, 1000);
  EXPECT_EQ(range.to, 2000);
  EXPECT_THAT(range.endpoints, ::testing::ElementsAre("db", "web"));
  EXPECT_EQ(ctx_.port_changes[3].second.protocol, "icmp");
}

TEST_F(PortToolsTest, ClosePort) {
  ToolResult r = ctx_.Run("close-port", {"80/tcp"});
  EXPECT_EQ(r.code, 0);
  ASSERT_EQ(ctx_.port_changes.size(), 1u);
  EXPECT_FALSE(ctx_.port_changes[0].first);
  EXPECT_EQ(ctx_.port_changes[0].second.from, 80);
}

TEST_F(PortToolsTest, ValidationErrorsAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{}, "ERROR expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp\n"},
      {{"80", "81"}, "ERROR expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp\n"},
      {{"http"}, "ERROR invalid port \"http\": strconv.Atoi: parsing \"http\": invalid syntax\n"},
      {{"80/sctp"}, "ERROR invalid protocol \"sctp\", expected \"tcp\", \"udp\", or \"icmp\"\n"},
      {{"2000-1000"}, "ERROR invalid port range 2000-1000/tcp\n"},
      {{"1-2-3"}, "ERROR invalid port range \"1-2-3\"\n"},
      {{"0"}, "ERROR port range bounds must be between 1 and 65535, got 0-0\n"},
      {{"70000/udp"}, "ERROR port range bounds must be between 1 and 65535, got 70000-70000\n"},
  };
  for (const Case& c : cases) {
    ToolResult r = ctx_.Run("open-port", c.args);
    EXPECT_EQ(r.code, 2) << c.err;
    EXPECT_EQ(r.err, c.err);
  }
  EXPECT_TRUE(ctx_.port_changes.empty());
  EXPECT_EQ(ctx_.Run("close-port", {"x"}).code, 2);
}

TEST_F(PortToolsTest, OpenedPortsFormats) {
  ctx_.opened_ports = {{1000, 2000, "udp", {}}, {80, 80, "tcp", {"web"}}, {0, 0, "icmp", {}}, {443, 443, "tcp", {"a", "b"}}};
  // Juju's order: by first port (icmp has none, so it comes first), then last port, then protocol.
  EXPECT_EQ(ctx_.Run("opened-ports", {"--format=json"}).out, "[\"icmp\",\"80/tcp\",\"443/tcp\",\"1000-2000/udp\"]\n");
  // ops 2.x parses each stdout line.
  EXPECT_EQ(ctx_.Run("opened-ports", {}).out, "icmp\n80/tcp\n443/tcp\n1000-2000/udp\n");
  EXPECT_EQ(ctx_.Run("opened-ports", {"--format=yaml"}).out, "- icmp\n- 80/tcp\n- 443/tcp\n- 1000-2000/udp\n");
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints", "--format=json"}).out,
            "[\"icmp (*)\",\"80/tcp (web)\",\"443/tcp (a, b)\",\"1000-2000/udp (*)\"]\n");
}

TEST_F(PortToolsTest, OpenedPortsEmptyIsAList) {
  EXPECT_EQ(ctx_.Run("opened-ports", {"--format=json"}).out, "[]\n");
  EXPECT_EQ(ctx_.Run("opened-ports", {}).out, "");
  ToolResult r = ctx_.Run("opened-ports", {"extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"extra\"]\n");
}

// Juju 3.6 lists the hook's own pending open-port and close-port calls.
TEST_F(PortToolsTest, OpenedPortsShowsThisHooksOwnOpenPort) {
  ASSERT_EQ(ctx_.Run("open-port", {"8080/tcp"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {}).out, "8080/tcp\n");
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints"}).out, "8080/tcp (*)\n");
  ASSERT_EQ(ctx_.Run("open-port", {"9090", "--endpoints", "web,db"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {"--format=json"}).out, "[\"8080/tcp\",\"9090/tcp\"]\n");
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints", "--format=json"}).out,
            "[\"8080/tcp (*)\",\"9090/tcp (db, web)\"]\n");
  // Closing in the same hook takes it out again.
  ASSERT_EQ(ctx_.Run("close-port", {"8080/tcp"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints"}).out, "9090/tcp (db, web)\n");
  ASSERT_EQ(ctx_.Run("close-port", {"9090/tcp", "--endpoints", "db"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints"}).out, "9090/tcp (web)\n");
}

TEST_F(PortToolsTest, OpenedPortsMergesCommittedPortsWithThisHooksChanges) {
  ctx_.opened_ports = {{80, 80, "tcp", {}}, {443, 443, "tcp", {"web"}}, {53, 53, "udp", {}}};
  // Close a committed port, open a new one, reopen the closed one on one endpoint.
  ASSERT_EQ(ctx_.Run("close-port", {"80/tcp"}).code, 0);
  ASSERT_EQ(ctx_.Run("open-port", {"1000-2000/udp"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {"--format=json"}).out, "[\"53/udp\",\"443/tcp\",\"1000-2000/udp\"]\n");
  ASSERT_EQ(ctx_.Run("open-port", {"80/tcp", "--endpoints", "admin"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints", "--format=json"}).out,
            "[\"53/udp (*)\",\"80/tcp (admin)\",\"443/tcp (web)\",\"1000-2000/udp (*)\"]\n");
  // Opening a committed range for every endpoint widens it to `*`; closing it without
  // endpoints closes it on every one.
  ASSERT_EQ(ctx_.Run("open-port", {"443/tcp"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {"--endpoints", "--format=json"}).out,
            "[\"53/udp (*)\",\"80/tcp (admin)\",\"443/tcp (*)\",\"1000-2000/udp (*)\"]\n");
  ASSERT_EQ(ctx_.Run("close-port", {"443/tcp"}).code, 0);
  ASSERT_EQ(ctx_.Run("close-port", {"53/udp"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {}).out, "80/tcp\n1000-2000/udp\n");
  // Closing what is not open changes nothing.
  ASSERT_EQ(ctx_.Run("close-port", {"7/tcp"}).code, 0);
  EXPECT_EQ(ctx_.Run("opened-ports", {}).out, "80/tcp\n1000-2000/udp\n");
}

TEST(MergePortChangesTest, ARangeOpenForEveryEndpointStaysOpenWhenOneEndpointCloses) {
  // As the controller keeps it: the every-endpoint row outlives closing one named endpoint.
  std::vector<PortRange> committed = {{80, 80, "tcp", {}}};
  std::vector<PortRange> merged = tools::MergePortChanges(committed, {{false, {80, 80, "tcp", {"web"}}}});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_TRUE(merged[0].endpoints.empty());
  merged = tools::MergePortChanges(committed, {{true, {80, 80, "tcp", {"web"}}}, {false, {80, 80, "tcp", {}}}});
  EXPECT_TRUE(merged.empty());
}

}  // namespace
}  // namespace skein::agent::testing
