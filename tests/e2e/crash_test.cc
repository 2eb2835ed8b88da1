// Crash recovery and leadership leases, end to end (issue 4): unit agents killed with SIGKILL at
// named points (SKEIN_AGENT_FAULT, agents/unit/fault/fault.h) finish their work exactly once; a
// frozen leader loses leadership within the stated bound; a controller restart loses nothing.
// Faults fire at named points, never at random times, so these tests are deterministic.

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"
#include "tests/scoped_env.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Lines of a hook log for `unit` that start with `hook` (after the unit prefix).
int CountHooks(const std::string& log, const std::string& unit, const std::string& hook) {
  int n = 0;
  for (const auto& l : ReadLines(log)) {
    if (l.rfind(unit + " " + hook, 0) == 0) ++n;
  }
  return n;
}

const json* RelationInfo(const json& show_unit, const std::string& unit, const std::string& endpoint) {
  if (!show_unit.contains(unit) || !show_unit[unit].contains("relation-info")) return nullptr;
  for (const auto& r : show_unit[unit]["relation-info"]) {
    if (r.value("endpoint", "") == endpoint) return &r;
  }
  return nullptr;
}

bool IsLeader(const json& s, const std::string& unit) {
  const std::string app = unit.substr(0, unit.find('/'));
  if (!s.contains("applications") || !s["applications"].contains(app)) return false;
  const json& units = s["applications"][app]["units"];
  return units.contains(unit) && units[unit].value("leader", false);
}

pid_t AgentPid(const Cluster& c, const std::string& unit) {
  std::string text = ReadFile(c.AgentDir(unit) + "/agent.pid");
  return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
}

class CrashTest : public ::testing::Test {
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

  // Deploys kv-provider and kv-requirer, integrates them and waits until the provider's answer
  // reached the requirer (request `request`).
  void DeployAndIntegrate(const std::string& request = "world") {
    Ok({"bootstrap"});
    Ok({"add-model", "crash"});
    Ok({"deploy", TestCharm("kv-provider"), "--config", "log-path=" + Log("provider")});
    Ok({"deploy", TestCharm("kv-requirer"), "--config", "log-path=" + Log("requirer")});
    Ok({"integrate", "kv-provider", "kv-requirer"});
    WaitAnswered(request);
  }
  void WaitAnswered(const std::string& request) {
    ASSERT_TRUE(cluster_.WaitForStatus(
        [&](const json& s) {
          return UnitSettled(s, "kv-requirer/0", "active") &&
                 WorkloadMessage(s, "kv-requirer/0") == "answer: hello " + request &&
                 UnitSettled(s, "kv-provider/0", "active") &&
                 WorkloadMessage(s, "kv-provider/0") == "serving 1 requests";
        },
        90s))
        << "the relation never settled";
  }
  // The relation data is there exactly once: one request, one answer to it.
  void ExpectRelationData(const std::string& request) {
    json su = ShowUnit("kv-requirer/0");
    const json* rel = RelationInfo(su, "kv-requirer/0", "kv");
    ASSERT_NE(rel, nullptr) << su.dump(2);
    EXPECT_EQ((*rel)["application-data"]["answer"], "hello " + request);
    EXPECT_EQ((*rel)["local-unit"]["data"]["request"], request);
    json sp = ShowUnit("kv-provider/0");
    const json* prel = RelationInfo(sp, "kv-provider/0", "kv");
    ASSERT_NE(prel, nullptr) << sp.dump(2);
    EXPECT_EQ((*prel)["related-units"]["kv-requirer/0"]["data"]["request"], request);
  }

  Cluster cluster_;
};

struct FaultCase {
  const char* point;
  int joined_runs;  // how often kv-relation-joined appears in each unit's hook log
};

class FaultPointTest : public CrashTest, public ::testing::WithParamInterface<FaultCase> {};

// Both charms have a `kv` endpoint, so the fault fires once on each side's kv-relation-joined.
TEST_P(FaultPointTest, RelationHookWorkIsDoneExactlyOnce) {
  const FaultCase& fault = GetParam();
  skein::testing::ScopedEnv env("SKEIN_AGENT_FAULT", std::string(fault.point) + ":kv-relation-joined");
  DeployAndIntegrate();
  ExpectRelationData("world");
  for (const std::string unit : {"kv-requirer/0", "kv-provider/0"}) {
    EXPECT_TRUE(std::filesystem::exists(cluster_.AgentDir(unit) + "/fault-fired-" + fault.point))
        << "the fault never fired for " << unit;
  }
  EXPECT_EQ(CountHooks(Log("requirer"), "kv-requirer/0", "kv-relation-joined remote=kv-provider/0"),
            fault.joined_runs);
  EXPECT_EQ(CountHooks(Log("provider"), "kv-provider/0", "kv-relation-joined remote=kv-requirer/0"),
            fault.joined_runs);
  // Hooks committed before the crash never run again.
  EXPECT_EQ(CountHooks(Log("requirer"), "kv-requirer/0", "install"), 1);
  EXPECT_EQ(CountHooks(Log("requirer"), "kv-requirer/0", "kv-relation-created"), 1);
  EXPECT_EQ(CountHooks(Log("provider"), "kv-provider/0", "kv-relation-created"), 1);
  // The work after the crash is done too: the joined hook is followed by changed.
  EXPECT_GE(CountHooks(Log("requirer"), "kv-requirer/0", "kv-relation-changed remote=kv-provider/0"), 1);
  // The units go on: a config change still runs hooks and updates the relation data once.
  Ok({"config", "kv-requirer", "request=again"});
  WaitAnswered("again");
  ExpectRelationData("again");
}

INSTANTIATE_TEST_SUITE_P(Points, FaultPointTest,
                         ::testing::Values(FaultCase{"during-hook", 2}, FaultCase{"after-hook-before-commit", 2},
                                           FaultCase{"after-commit-before-persist", 1}),
                         [](const auto& info) {
                           std::string name = info.param.point;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

// The agent is killed while an action runs (its second hook-tool call). As in Juju, the
// restarted agent does not run the action again, since it may already have had effects: the
// task ends `failed` with "action terminated", and the unit goes on (the next action runs).
TEST_F(CrashTest, ActionInterruptedByACrashEndsTerminatedAndIsNotRunAgain) {
  skein::testing::ScopedEnv env("SKEIN_AGENT_FAULT", "during-action:echo");
  Ok({"bootstrap"});
  Ok({"add-model", "crash-action"});
  Ok({"deploy", TestCharm("actioner")});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "actioner/0", "active"); }))
      << "unit never settled";

  CliResult r = cluster_.Skein({"run", "actioner/0", "echo", "message=first", "--format", "json"});
  EXPECT_EQ(r.code, 1) << r.err << r.out;
  json doc = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(doc.is_object() && doc.contains("actioner/0")) << r.out << r.err;
  const json& task = doc["actioner/0"];
  EXPECT_EQ(task.value("status", ""), "failed") << task.dump();
  EXPECT_EQ(task.value("message", ""), "action terminated") << task.dump();
  EXPECT_NE(r.err.find("with message \"action terminated\""), std::string::npos) << r.err;
  // What the action did before the crash is kept, once: its first log line.
  ASSERT_TRUE(task.contains("log")) << task.dump();
  EXPECT_EQ(task["log"].size(), 1u) << task.dump();
  EXPECT_TRUE(std::filesystem::exists(cluster_.AgentDir("actioner/0") + "/fault-fired-during-action"));

  // The restarted agent runs the next action normally, and the unit never went into error.
  r = cluster_.Skein({"run", "actioner/0", "echo", "message=second", "--format", "json"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  doc = json::parse(r.out, nullptr, false);
  EXPECT_EQ(doc["actioner/0"].value("status", ""), "completed") << r.out;
  EXPECT_EQ(doc["actioner/0"]["results"].value("message", ""), "second") << r.out;
  EXPECT_TRUE(UnitSettled(cluster_.Status(), "actioner/0", "active"));
  Ok({"kill-controller", "--no-prompt"});
}

// Lease 2 s, renewed every 1 s: a leader that stops renewing is replaced within lease + renew
// interval = 3 s (domain/lease/lease_manager.h).
TEST_F(CrashTest, FrozenLeaderIsReplacedWithinTheLeaseBound) {
  skein::testing::ScopedEnv env("SKEIN_LEASE_DURATION", "2s");
  const auto kBound = 3s;
  const std::string log = Log("provider");
  Ok({"bootstrap"});
  Ok({"add-model", "leases"});
  Ok({"deploy", TestCharm("kv-provider"), "-n", "3", "--config", "log-path=" + log});
  const std::vector<std::string> units = {"kv-provider/0", "kv-provider/1", "kv-provider/2"};
  ASSERT_TRUE(cluster_.WaitForStatus([&](const json& s) {
    return std::all_of(units.begin(), units.end(), [&](const std::string& u) { return UnitSettled(s, u, "blocked"); });
  }, 90s));
  json s = cluster_.Status();
  std::string old_leader;
  for (const auto& u : units) {
    if (IsLeader(s, u)) old_leader = u;
  }
  ASSERT_FALSE(old_leader.empty()) << s.dump(2);
  // That a renewing leader keeps its lease for many leases, and that a thawed old leader does
  // not get leadership back, is shown on a simulated clock (tests/inprocess/leadership_test.cc);
  // here the real processes show that a frozen one is replaced within the bound.
  std::map<std::string, int> elected_before, changed_before;
  for (const auto& u : units) {
    elected_before[u] = CountHooks(log, u, "leader-elected");
    changed_before[u] = CountHooks(log, u, "leader-settings-changed");
  }

  const pid_t frozen = AgentPid(cluster_, old_leader);
  ASSERT_GT(frozen, 0);
  ASSERT_EQ(::kill(frozen, SIGSTOP), 0);
  const auto stopped_at = std::chrono::steady_clock::now();
  std::string new_leader;
  bool elected = cluster_.WaitForStatus([&](const json& st) {
    for (const auto& u : units) {
      if (u != old_leader && IsLeader(st, u)) new_leader = u;
    }
    return !new_leader.empty();
  }, 20s);
  const auto took = std::chrono::steady_clock::now() - stopped_at;
  ::kill(frozen, SIGCONT);
  ASSERT_TRUE(elected) << "no new leader";
  // The bound plus what observing it through `skein status` costs (one status call).
  EXPECT_LE(took, kBound + 1s) << "new leader after "
                               << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";

  EXPECT_TRUE(WaitFor([&] { return CountHooks(log, new_leader, "leader-elected") > elected_before[new_leader]; }, 30s))
      << new_leader << " never ran leader-elected";
  for (const auto& u : units) {
    if (u == new_leader) continue;
    // The third unit and, once thawed, the old leader learn about the new leader.
    EXPECT_TRUE(WaitFor([&] { return CountHooks(log, u, "leader-settings-changed") > changed_before[u]; }, 30s))
        << u << " never ran leader-settings-changed";
    EXPECT_EQ(CountHooks(log, u, "leader-elected"), elected_before[u]) << u << " ran leader-elected";
  }
  // The thawed old leader runs again (it ran leader-settings-changed above) and is not leader.
  json after = cluster_.Status();
  EXPECT_FALSE(IsLeader(after, old_leader));
  EXPECT_TRUE(IsLeader(after, new_leader));
}

std::vector<std::string> ProcCmdline(pid_t pid) {
  std::string raw = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> out;
  std::string cur;
  for (char c : raw) {
    if (c == '\0') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

TEST_F(CrashTest, ControllerRestartLosesNothingAndAgentsGoOn) {
  DeployAndIntegrate();
  const std::string controller_dir = cluster_.data_dir() + "/controller";
  std::string address = ReadFile(controller_dir + "/address");
  address.erase(address.find_last_not_of("\n") + 1);
  const pid_t old_pid = static_cast<pid_t>(std::stol(ReadFile(controller_dir + "/controller.pid")));
  std::vector<std::string> argv = ProcCmdline(old_pid);
  ASSERT_FALSE(argv.empty());
  // Same flags, same port; the one-shot --ready-fd of bootstrap is not passed again.
  std::vector<std::string> restart;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--ready-fd" || argv[i] == "--listen") {
      ++i;
      continue;
    }
    if (argv[i].rfind("--ready-fd=", 0) == 0 || argv[i].rfind("--listen=", 0) == 0) continue;
    restart.push_back(argv[i]);
  }
  restart.push_back("--listen");
  restart.push_back(address);

  ASSERT_EQ(::kill(old_pid, SIGTERM), 0);
  ASSERT_TRUE(WaitFor([&] { return !process::IsAlive(old_pid); }, 30s)) << "controller did not stop";
  process::SpawnOptions o;
  o.argv = restart;
  o.stdout_path = controller_dir + "/restart.out";
  o.stderr_path = controller_dir + "/restart.out";
  auto pid = process::Spawn(o);
  ASSERT_TRUE(pid.ok()) << pid.status();
  // The address file outlives the controller (a restart binds it again): wait until it serves.
  ASSERT_TRUE(WaitFor([&] { return cluster_.Skein({"status"}).code == 0; }, 30s))
      << ReadFile(controller_dir + "/restart.out");
  EXPECT_EQ(ReadFile(controller_dir + "/address").find(address), 0u);

  // Nothing acknowledged was lost, and the agents reconnected: a config change runs hooks on
  // both sides and updates the relation data.
  ExpectRelationData("world");
  Ok({"config", "kv-requirer", "request=after-restart"});
  WaitAnswered("after-restart");
  ExpectRelationData("after-restart");

  Ok({"kill-controller", "--no-prompt"});
  process::Reap(*pid, true);
}

}  // namespace
}  // namespace skein::e2e
