// Opened ports, charm state and leader settings end to end (juju-semantics §1.5, §3.3) with the
// `stateful` test charm: ports and state leave only with a successful hook's commit; leader-set
// takes effect at once, even in a hook that then fails, and the other units run
// leader-settings-changed.

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

json OpenPorts(const json& status, const std::string& unit) {
  const std::string app = unit.substr(0, unit.find('/'));
  const json& u = status["applications"][app]["units"][unit];
  return u.contains("open-ports") ? u["open-ports"] : json::array();
}

bool Leader(const json& status, const std::string& unit) {
  const std::string app = unit.substr(0, unit.find('/'));
  return status["applications"][app]["units"][unit].value("leader", false);
}

class HookStateTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  // Log lines of `unit` for `hook`, in order.
  std::vector<std::string> Lines(const std::string& unit, const std::string& hook) {
    std::vector<std::string> out;
    for (const auto& l : ReadLines(log_)) {
      if (l.rfind(unit + " " + hook + " ", 0) == 0) out.push_back(l.substr(unit.size() + hook.size() + 2));
    }
    return out;
  }

  Cluster cluster_;
  std::string log_ = cluster_.scratch_dir() + "/stateful.log";
};

TEST_F(HookStateTest, PortsAndStateCommitWithTheHookLeaderSettingsAtOnce) {
  Ok({"bootstrap"});
  Ok({"add-model", "state"});
  Ok({"deploy", TestCharm("stateful"), "-n", "2", "--config", "port=8080", "--config", "log-path=" + log_});
  const std::vector<std::string> units = {"stateful/0", "stateful/1"};
  auto settled = [&](const json& s) {
    return std::all_of(units.begin(), units.end(), [&](const std::string& u) { return UnitSettled(s, u, "active"); });
  };
  ASSERT_TRUE(cluster_.WaitForStatus(settled)) << "units never settled";
  json s = cluster_.Status();
  for (const auto& u : units) EXPECT_EQ(OpenPorts(s, u), json::array({"8080/tcp"})) << u;
  const std::string leader = Leader(s, units[0]) ? units[0] : units[1];
  const std::string minion = leader == units[0] ? units[1] : units[0];
  CliResult shown = cluster_.Skein({"show-unit", leader, "--format", "json"});
  ASSERT_EQ(shown.code, 0) << shown.err;
  EXPECT_EQ(json::parse(shown.out)[leader]["opened-ports"], json::array({"8080/tcp"}));

  // The leader's leader-set reached the other unit, which ran leader-settings-changed.
  ASSERT_TRUE(WaitFor([&] {
    auto seen = Lines(minion, "leader-settings-changed");
    return std::any_of(seen.begin(), seen.end(), [](const std::string& l) { return l.find("shared=8080 ") != std::string::npos; });
  })) << "the non-leader never saw the leader settings";
  EXPECT_TRUE(Lines(leader, "leader-settings-changed").empty()) << "the leader ran leader-settings-changed";

  // The next config-changed sees the committed state and ports, and moves the port.
  Ok({"config", "stateful", "port=9090"});
  ASSERT_TRUE(cluster_.WaitForStatus([&](const json& st) {
    return settled(st) && OpenPorts(st, units[0]) == json::array({"9090/tcp"}) &&
           OpenPorts(st, units[1]) == json::array({"9090/tcp"});
  })) << cluster_.Status().dump(2);
  for (const auto& u : units) {
    auto runs = Lines(u, "config-changed");
    ASSERT_EQ(runs.size(), 2u) << u;
    EXPECT_EQ(runs[1].substr(0, runs[1].find(" shared=")), "runs=1") << runs[1];
    EXPECT_NE(runs[1].find("ports=8080/tcp "), std::string::npos) << runs[1];
    // Within the hook, opened-ports already showed its own close-port 8080 and open-port 9090.
    EXPECT_EQ(Lines(u, "ports-after-config-changed"), (std::vector<std::string>{"8080/tcp (*) ", "9090/tcp (*) "}))
        << u;
  }

  // A failing hook commits neither its ports nor its state; its leader-set already happened.
  Ok({"config", "stateful", "port=7070", "fail-on=config-changed"});
  ASSERT_TRUE(cluster_.WaitForStatus([&](const json& st) {
    return AgentStatus(st, units[0]) == "error" && AgentStatus(st, units[1]) == "error";
  }));
  s = cluster_.Status();
  for (const auto& u : units) EXPECT_EQ(OpenPorts(s, u), json::array({"9090/tcp"})) << u;
  Ok({"resolved", "--no-retry", units[0], units[1]});
  Ok({"config", "stateful", "fail-on="});
  ASSERT_TRUE(cluster_.WaitForStatus([&](const json& st) {
    return settled(st) && Lines(units[0], "config-changed").size() == 4 && Lines(units[1], "config-changed").size() == 4;
  })) << cluster_.Status().dump(2);
  for (const auto& u : units) {
    std::string last = Lines(u, "config-changed").back();
    // runs=2: the failed run's state-set was dropped; 9090 still open; leader-set of 7070 stuck.
    EXPECT_EQ(last, "runs=2 shared=7070 ports=9090/tcp ") << u;
  }
  s = cluster_.Status();
  for (const auto& u : units) EXPECT_EQ(OpenPorts(s, u), json::array({"7070/tcp"})) << u;
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e
