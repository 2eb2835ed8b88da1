// The walking skeleton, end to end (issue: controller, machine agent, unit agent and CLI run a
// two-charm relation). Every step is a CLI command a user would type; every check is what the
// user would look at: status, show-unit, the hook log the test charms write.

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

// Lines of a hook log that belong to one unit, without the unit prefix.
std::vector<std::string> HooksOf(const std::vector<std::string>& lines, const std::string& unit) {
  std::vector<std::string> out;
  for (const auto& l : lines) {
    if (l.rfind(unit + " ", 0) == 0) out.push_back(l.substr(unit.size() + 1));
  }
  return out;
}

// Index of the first line starting with `prefix` at or after `from`; -1 when absent.
int Find(const std::vector<std::string>& lines, const std::string& prefix, int from = 0) {
  for (int i = from; i < static_cast<int>(lines.size()); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) return i;
  }
  return -1;
}

std::string HookName(const std::string& line) { return line.substr(0, line.find(' ')); }

const json* RelationInfo(const json& show_unit, const std::string& unit, const std::string& endpoint) {
  if (!show_unit.contains(unit) || !show_unit[unit].contains("relation-info")) return nullptr;
  for (const auto& r : show_unit[unit]["relation-info"]) {
    if (r.value("endpoint", "") == endpoint) return &r;
  }
  return nullptr;
}

class WalkingSkeletonTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  json ShowUnit(const std::string& unit) {
    CliResult r = cluster_.Skein({"show-unit", unit, "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
  std::string Log(const std::string& name) { return cluster_.scratch_dir() + "/" + name + ".log"; }

  Cluster cluster_;
};

TEST_F(WalkingSkeletonTest, TwoCharmRelationEndToEnd) {
  const std::string provider_log = Log("provider");
  const std::string requirer_log = Log("requirer");

  Ok({"bootstrap"});
  Ok({"add-model", "e2e"});
  Ok({"deploy", TestCharm("kv-provider"), "--config", "log-path=" + provider_log});
  Ok({"deploy", TestCharm("kv-requirer"), "--config", "log-path=" + requirer_log});

  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "kv-provider/0", "blocked") && UnitSettled(s, "kv-requirer/0", "blocked");
  })) << "units never settled after deploy";
  {
    json s = cluster_.Status();
    EXPECT_EQ(WorkloadMessage(s, "kv-provider/0"), "waiting for a kv relation");
    EXPECT_EQ(s["applications"]["kv-provider"]["units"]["kv-provider/0"].value("leader", false), true);
    EXPECT_EQ(s["applications"]["kv-provider"]["charm"], "local:kv-provider-0");
    EXPECT_EQ(s["applications"]["kv-provider"]["charm-origin"], "local");
    // Setup order of juju-semantics §1.3: install, peer relation-created, leader-elected,
    // config-changed, start.
    std::vector<std::string> hooks = HooksOf(ReadLines(provider_log), "kv-provider/0");
    std::vector<std::string> names;
    for (const auto& h : hooks) names.push_back(HookName(h));
    ASSERT_GE(names.size(), 5u);
    EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 5),
              (std::vector<std::string>{"install", "replicas-relation-created", "leader-elected", "config-changed",
                                        "start"}));
  }

  // Integrate: the requirer asks in its unit bag, the provider's leader answers in its app bag.
  Ok({"integrate", "kv-provider", "kv-requirer"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "kv-requirer/0", "active") && WorkloadMessage(s, "kv-requirer/0") == "answer: hello world" &&
           UnitSettled(s, "kv-provider/0", "active") && WorkloadMessage(s, "kv-provider/0") == "serving 1 requests";
  })) << "the relation data never reached both units";
  {
    json su = ShowUnit("kv-requirer/0");
    const json* rel = RelationInfo(su, "kv-requirer/0", "kv");
    ASSERT_NE(rel, nullptr) << su.dump(2);
    EXPECT_EQ((*rel)["related-endpoint"], "kv");
    EXPECT_EQ((*rel)["application-data"]["answer"], "hello world");
    EXPECT_EQ((*rel)["local-unit"]["data"]["request"], "world");
    EXPECT_TRUE((*rel)["local-unit"]["data"].contains("private-address"));
    EXPECT_TRUE((*rel)["related-units"].contains("kv-provider/0"));
    json sp = ShowUnit("kv-provider/0");
    const json* prel = RelationInfo(sp, "kv-provider/0", "kv");
    ASSERT_NE(prel, nullptr) << sp.dump(2);
    EXPECT_EQ((*prel)["related-units"]["kv-requirer/0"]["data"]["request"], "world");
    // Relation hooks on the requirer: created, then joined immediately followed by changed.
    std::vector<std::string> hooks = HooksOf(ReadLines(requirer_log), "kv-requirer/0");
    int created = Find(hooks, "kv-relation-created");
    int joined = Find(hooks, "kv-relation-joined remote=kv-provider/0");
    ASSERT_GE(created, 0);
    ASSERT_GT(joined, created);
    ASSERT_LT(joined + 1, static_cast<int>(hooks.size()));
    EXPECT_EQ(hooks[joined + 1].rfind("kv-relation-changed remote=kv-provider/0", 0), 0u) << hooks[joined + 1];
  }

  // add-unit on the requirer fires joined -> changed for the new unit on the provider.
  Ok({"add-unit", "kv-requirer"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "kv-requirer/1", "active") && WorkloadMessage(s, "kv-provider/0") == "serving 2 requests";
  }));
  {
    std::vector<std::string> hooks = HooksOf(ReadLines(provider_log), "kv-provider/0");
    int joined = Find(hooks, "kv-relation-joined remote=kv-requirer/1");
    ASSERT_GE(joined, 0);
    ASSERT_LT(joined + 1, static_cast<int>(hooks.size()));
    EXPECT_EQ(hooks[joined + 1].rfind("kv-relation-changed remote=kv-requirer/1", 0), 0u) << hooks[joined + 1];
  }

  // remove-unit fires departed on the provider; the leaving unit runs departed, broken, stop, remove.
  Ok({"remove-unit", "kv-requirer/1", "--no-prompt"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return !HasUnit(s, "kv-requirer/1") && WorkloadMessage(s, "kv-provider/0") == "serving 1 requests";
  }));
  {
    std::vector<std::string> provider = HooksOf(ReadLines(provider_log), "kv-provider/0");
    EXPECT_GE(Find(provider, "kv-relation-departed remote=kv-requirer/1 departing=kv-requirer/1"), 0);
    std::vector<std::string> leaving = HooksOf(ReadLines(requirer_log), "kv-requirer/1");
    int departed = Find(leaving, "kv-relation-departed remote=kv-provider/0 departing=kv-requirer/1");
    int broken = Find(leaving, "kv-relation-broken", departed);
    int stop = Find(leaving, "stop", broken);
    int remove = Find(leaving, "remove", stop);
    EXPECT_GE(departed, 0);
    EXPECT_GT(broken, departed);
    EXPECT_GT(stop, broken);
    EXPECT_GT(remove, stop);
  }

  // remove-relation fires departed then broken on both sides.
  Ok({"remove-relation", "kv-provider", "kv-requirer"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return !s["applications"]["kv-provider"].contains("relations") ||
           !s["applications"]["kv-provider"]["relations"].contains("kv");
  }));
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "kv-provider/0", "blocked") && UnitSettled(s, "kv-requirer/0", "blocked");
  }));
  for (const auto& [log, unit, remote] :
       {std::tuple{provider_log, "kv-provider/0", "kv-requirer/0"}, std::tuple{requirer_log, "kv-requirer/0", "kv-provider/0"}}) {
    std::vector<std::string> hooks = HooksOf(ReadLines(log), unit);
    int departed = Find(hooks, std::string("kv-relation-departed remote=") + remote);
    int broken = Find(hooks, "kv-relation-broken", departed);
    EXPECT_GE(departed, 0) << unit;
    EXPECT_GT(broken, departed) << unit;
  }

  // remove-application runs stop then remove.
  Ok({"remove-application", "kv-requirer", "--no-prompt"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return !HasApplication(s, "kv-requirer"); }));
  {
    std::vector<std::string> hooks = HooksOf(ReadLines(requirer_log), "kv-requirer/0");
    ASSERT_GE(hooks.size(), 2u);
    EXPECT_EQ(HookName(hooks[hooks.size() - 2]), "stop");
    EXPECT_EQ(HookName(hooks.back()), "remove");
  }

  // kill-controller leaves no process and no socket behind.
  Ok({"kill-controller", "--no-prompt"});
  EXPECT_EQ(cluster_.ProcessesUsingDataDir(), std::vector<int>{});
  EXPECT_EQ(cluster_.SocketsUnderDataDir(), std::vector<std::string>{});
}

TEST_F(WalkingSkeletonTest, FailingHookCommitsNothing) {
  Ok({"bootstrap"});
  Ok({"add-model", "e2e"});
  Ok({"deploy", TestCharm("kv-provider")});
  // kv-relation-joined writes request=broken and then fails: the bag must keep what
  // relation-created committed (request=world) and the unit must show the failed hook.
  Ok({"deploy", TestCharm("kv-requirer"), "--config", "fail-on=kv-relation-joined"});
  Ok({"integrate", "kv-provider", "kv-requirer"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return AgentStatus(s, "kv-requirer/0") == "error";
  }));
  json s = cluster_.Status();
  EXPECT_EQ(WorkloadStatus(s, "kv-requirer/0"), "error");
  EXPECT_EQ(WorkloadMessage(s, "kv-requirer/0"), "hook failed: \"kv-relation-joined\"");
  EXPECT_EQ(s["applications"]["kv-requirer"]["application-status"]["current"], "error");

  CliResult r = cluster_.Skein({"show-unit", "kv-requirer/0", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json su = json::parse(r.out);
  const json* rel = RelationInfo(su, "kv-requirer/0", "kv");
  ASSERT_NE(rel, nullptr) << su.dump(2);
  EXPECT_EQ((*rel)["local-unit"]["data"]["request"], "world");
  // The provider never saw the uncommitted value.
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& st) { return UnitSettled(st, "kv-provider/0", "active"); }));
  json sp = json::parse(cluster_.Skein({"show-unit", "kv-provider/0", "--format", "json"}).out);
  const json* prel = RelationInfo(sp, "kv-provider/0", "kv");
  ASSERT_NE(prel, nullptr);
  EXPECT_EQ((*prel)["related-units"]["kv-requirer/0"]["data"]["request"], "world");

  Ok({"kill-controller", "--no-prompt"});
  EXPECT_EQ(cluster_.ProcessesUsingDataDir(), std::vector<int>{});
}

TEST_F(WalkingSkeletonTest, CommandsWithoutAControllerFailClearly) {
  CliResult r = cluster_.Skein({"status"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("ERROR No controllers registered.", 0), 0u) << r.err;
  r = cluster_.Skein({"deploy"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_EQ(r.err.rfind("ERROR ", 0), 0u) << r.err;
}

}  // namespace
}  // namespace skein::e2e
