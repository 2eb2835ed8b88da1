// Contract tests for network-get and unit-get.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agents/hook/fake_hook_context.h"

namespace skein::agent::testing {
namespace {

class NetworkToolsTest : public ::testing::Test {
 protected:
  NetworkToolsTest() : ctx_("web/0", "start") {
    NetworkInfo info;
    info.bind_addresses = {{"eth0", "00:16:3e:00:00:01", {{"10.1.2.3", "10.1.2.0/24", ""}}}};
    info.egress_subnets = {"10.1.2.3/32"};
    info.ingress_addresses = {"10.1.2.3"};
    ctx_.networks["db"] = info;
    ctx_.networks["empty"] = NetworkInfo{};
    ctx_.AddRelation(4, "db", "mysql", {"mysql/0"});
  }
  FakeHookContext ctx_;
};

TEST_F(NetworkToolsTest, FullJson) {
  EXPECT_EQ(ctx_.Run("network-get", {"--format=json", "db"}).out,
            "{\"bind-addresses\":[{\"addresses\":[{\"cidr\":\"10.1.2.0/24\",\"hostname\":\"\",\"value\":\"10.1.2.3\"}],"
            "\"interface-name\":\"eth0\",\"mac-address\":\"00:16:3e:00:00:01\"}],\"egress-subnets\":[\"10.1.2.3/32\"],"
            "\"ingress-addresses\":[\"10.1.2.3\"]}\n");
  // Empty lists are omitted.
  EXPECT_EQ(ctx_.Run("network-get", {"--format=json", "empty"}).out, "{}\n");
}

TEST_F(NetworkToolsTest, FullYamlHasLegacyKeys) {
  EXPECT_EQ(ctx_.Run("network-get", {"db", "--format=yaml"}).out,
            "bind-addresses:\n"
            "  - addresses:\n"
            "      - address: 10.1.2.3\n"
            "        cidr: 10.1.2.0/24\n"
            "        hostname: ''\n"
            "        value: 10.1.2.3\n"
            "    interface-name: eth0\n"
            "    interfacename: eth0\n"
            "    mac-address: 00:16:3e:00:00:01\n"
            "    macaddress: 00:16:3e:00:00:01\n"
            "egress-subnets:\n"
            "  - 10.1.2.3/32\n"
            "ingress-addresses:\n"
            "  - 10.1.2.3\n");
}

TEST_F(NetworkToolsTest, Selectors) {
  EXPECT_EQ(ctx_.Run("network-get", {"db", "--bind-address"}).out, "10.1.2.3\n");
  EXPECT_EQ(ctx_.Run("network-get", {"db", "--primary-address"}).out, "10.1.2.3\n");
  EXPECT_EQ(ctx_.Run("network-get", {"db", "--ingress-address", "--format=json"}).out, "\"10.1.2.3\"\n");
  EXPECT_EQ(ctx_.Run("network-get", {"db", "--egress-subnets", "--format=json"}).out, "[\"10.1.2.3/32\"]\n");
  EXPECT_EQ(ctx_.Run("network-get", {"db", "--bind-address", "--ingress-address", "--egress-subnets", "--format=json"}).out,
            "{\"bind-address\":\"10.1.2.3\",\"egress-subnets\":[\"10.1.2.3/32\"],\"ingress-address\":\"10.1.2.3\"}\n");
  EXPECT_EQ(ctx_.Run("network-get", {"empty", "--bind-address", "--format=json"}).out, "null\n");
  EXPECT_EQ(ctx_.Run("network-get", {"--format=json", "-r", "4", "db", "--ingress-address"}).out, "\"10.1.2.3\"\n");
}

TEST_F(NetworkToolsTest, Errors) {
  ToolResult r = ctx_.Run("network-get", {"nope"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR no network config found for binding \"nope\"\n");
  r = ctx_.Run("network-get", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no arguments specified\n");
  r = ctx_.Run("network-get", {"db", "extra"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unrecognized args: [\"extra\"]\n");
  // ops maps `relation not found` from network-get to RelationNotFoundError.
  r = ctx_.Run("network-get", {"--format=json", "-r", "9", "db"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("relation not found"));
}

TEST_F(NetworkToolsTest, UnitGet) {
  EXPECT_EQ(ctx_.Run("unit-get", {"private-address"}).out, "10.0.0.5\n");
  EXPECT_EQ(ctx_.Run("unit-get", {"public-address", "--format=json"}).out, "\"10.0.0.6\"\n");
  ToolResult r = ctx_.Run("unit-get", {"mac"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR unknown setting \"mac\"\n");
  r = ctx_.Run("unit-get", {});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "ERROR no setting specified\n");
}

}  // namespace
}  // namespace skein::agent::testing
