// Several models on one machine with the same application names (issue 11, defect 1; acceptance
// 1): test suites create a model per test module and deploy the same charms under the same
// names. Each model's units must get their own agent, credential, local state and socket; removing
// one model's applications must leave the others' agents running untouched; a model that reuses
// the names later starts from scratch. And a long SKEIN_DATA with long application names must
// still give every unit agent a working hook-tool socket.

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/base/runtime_dir.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Hook names a unit ran, in order, from the test charms' hook log.
std::vector<std::string> HooksOf(const std::string& log, const std::string& unit) {
  std::vector<std::string> hooks;
  for (const std::string& line : ReadLines(log)) {
    if (line.rfind(unit + " ", 0) != 0) continue;
    std::string rest = line.substr(unit.size() + 1);
    hooks.push_back(rest.substr(0, rest.find(' ')));
  }
  return hooks;
}

bool Contains(const std::vector<std::string>& hooks, const std::string& hook) {
  return std::find(hooks.begin(), hooks.end(), hook) != hooks.end();
}

class ModelsTest : public ::testing::Test {
 protected:
  ModelsTest() = default;
  explicit ModelsTest(const ClusterOptions& options) : cluster_(options) {}

  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }

  json StatusOf(const std::string& model) const {
    CliResult r = cluster_.Skein({"status", "-m", model, "--format", "json"});
    json parsed = json::parse(r.out, nullptr, false);
    return r.code == 0 && !parsed.is_discarded() ? parsed : json::object();
  }

  // Waits until `ready` holds for `model`'s status; prints the last status when it never does.
  bool WaitForModel(const std::string& model, const std::function<bool(const json&)>& ready) const {
    json last;
    bool ok = WaitFor([&] { return ready(last = StatusOf(model)); }, std::chrono::seconds(90));
    if (!ok) std::cerr << "model " << model << " never got there; last status:\n" << last.dump(2) << "\n";
    return ok;
  }

  std::string Log(const std::string& model) const { return cluster_.scratch_dir() + "/" + model + ".log"; }

  // Deploys kv-provider and kv-requirer into `model` under the given names and relates them.
  void DeployPair(const std::string& model, const std::string& provider, const std::string& requirer,
                  const std::string& greeting) {
    Ok({"deploy", "-m", model, TestCharm("kv-provider"), provider, "--config", "log-path=" + Log(model), "--config",
        "greeting=" + greeting});
    Ok({"deploy", "-m", model, TestCharm("kv-requirer"), requirer, "--config", "log-path=" + Log(model)});
    Ok({"integrate", "-m", model, provider, requirer});
  }

  // The pair of `model` answers "<greeting> world" and both units are idle.
  bool PairSettled(const std::string& model, const std::string& provider, const std::string& requirer,
                   const std::string& greeting) const {
    return WaitForModel(model, [&](const json& s) {
      return UnitSettled(s, provider + "/0", "active") && WorkloadMessage(s, provider + "/0") == "serving 1 requests" &&
             UnitSettled(s, requirer + "/0", "active") &&
             WorkloadMessage(s, requirer + "/0") == "answer: " + greeting + " world";
    });
  }

  pid_t AgentPid(const std::string& unit, const std::string& model) const {
    std::string text = ReadFile(cluster_.AgentDir(unit, model) + "/agent.pid");
    return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
  }

  static bool Alive(pid_t pid) { return pid > 0 && process::IsAlive(pid); }

  // Models a and b, each with a kv-provider related to a kv-requirer, settled (greetings hello, hi).
  void TwoSettledModels() {
  Ok({"bootstrap"});
  Ok({"add-model", "a"});
  DeployPair("a", "kv-provider", "kv-requirer", "hello");
  Ok({"add-model", "b"});
  DeployPair("b", "kv-provider", "kv-requirer", "hi");
  ASSERT_TRUE(PairSettled("a", "kv-provider", "kv-requirer", "hello"));
  ASSERT_TRUE(PairSettled("b", "kv-provider", "kv-requirer", "hi"));
  }

  // `model`'s agents are the same processes as before and ran no stop or remove hook since its
  // hook log had `hooks_before` lines.
  void ExpectUntouched(const std::string& model, const std::map<std::string, pid_t>& pids, size_t hooks_before) const {
    for (const auto& [unit, pid] : pids) {
      EXPECT_TRUE(Alive(pid)) << unit << " of " << model << " lost its agent";
      EXPECT_EQ(AgentPid(unit, model), pid) << unit << " of " << model << " got a new agent";
    }
    std::vector<std::string> lines = ReadLines(Log(model));
    for (size_t i = hooks_before; i < lines.size(); ++i) {
      EXPECT_EQ(lines[i].find(" stop "), std::string::npos) << lines[i];
      EXPECT_EQ(lines[i].find(" remove "), std::string::npos) << lines[i];
    }
  }

  Cluster cluster_;
};

TEST_F(ModelsTest, SameNamesInThreeModelsEachSettleAndRemovingOneLeavesTheOthersAlone) {
  ASSERT_NO_FATAL_FAILURE(TwoSettledModels());

  // Every unit ran its own setup hooks, in its own model.
  for (const std::string model : {"a", "b"}) {
    for (const std::string unit : {"kv-provider/0", "kv-requirer/0"}) {
      std::vector<std::string> hooks = HooksOf(Log(model), unit);
      ASSERT_FALSE(hooks.empty()) << unit << " of " << model << " ran no hook";
      EXPECT_EQ(hooks.front(), "install") << unit << " of " << model;
      EXPECT_TRUE(Contains(hooks, "start")) << unit << " of " << model;
    }
  }
  // Two agents per unit name, each with its own dir and process.
  std::map<std::string, pid_t> b_pids;
  for (const std::string unit : {"kv-provider/0", "kv-requirer/0"}) {
    ASSERT_NE(cluster_.AgentDir(unit, "a"), cluster_.AgentDir(unit, "b"));
    pid_t a = AgentPid(unit, "a");
    pid_t b = AgentPid(unit, "b");
    EXPECT_TRUE(Alive(a)) << unit << " of a";
    EXPECT_TRUE(Alive(b)) << unit << " of b";
    EXPECT_NE(a, b);
    b_pids[unit] = b;
  }
  const std::string a_agents = fs::path(cluster_.AgentDir("kv-provider/0", "a")).parent_path().string();
  const size_t b_hooks_before = ReadLines(Log("b")).size();

  // Removing a's applications stops a's agents and removes a's files, nothing of b's.
  Ok({"remove-application", "-m", "a", "kv-provider", "kv-requirer", "--no-prompt"});
  ASSERT_TRUE(WaitForModel("a", [](const json& s) {
    return s.contains("model") && (!s.contains("applications") || s["applications"].empty());
  }));
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(a_agents); })) << a_agents << " is still there";
  ExpectUntouched("b", b_pids, b_hooks_before);
  ASSERT_TRUE(PairSettled("b", "kv-provider", "kv-requirer", "hi"));
  // b's units still act on changes: the new greeting reaches the requirer through the relation.
  Ok({"config", "-m", "b", "kv-provider", "greeting=hey"});
  ASSERT_TRUE(PairSettled("b", "kv-provider", "kv-requirer", "hey"));

  // A third model reuses the names: fresh units that install and start.
  Ok({"add-model", "c"});
  DeployPair("c", "kv-provider", "kv-requirer", "hello");
  ASSERT_TRUE(PairSettled("c", "kv-provider", "kv-requirer", "hello"));
  for (const std::string unit : {"kv-provider/0", "kv-requirer/0"}) {
    std::vector<std::string> hooks = HooksOf(Log("c"), unit);
    ASSERT_FALSE(hooks.empty()) << unit << " of c ran no hook";
    EXPECT_EQ(hooks.front(), "install") << unit << " of c";
    EXPECT_TRUE(Contains(hooks, "config-changed")) << unit << " of c";
    EXPECT_TRUE(Contains(hooks, "start")) << unit << " of c";
    EXPECT_EQ(AgentPid(unit, "b"), b_pids[unit]) << unit << " of b got a new agent";
  }

  Ok({"kill-controller", "--no-prompt"});
  EXPECT_EQ(cluster_.ProcessesUsingDataDir(), std::vector<int>{});
  EXPECT_EQ(cluster_.SocketsUnderDataDir(), std::vector<std::string>{});
}

// destroy-model (issue 15): every unit of the model runs its dying hooks, in Juju's order, then the
// model, its agents and their files are gone; another model's agents are untouched; the name can
// be added again at once; and jubilant's closing `destroy-model --no-prompt --destroy-storage
// --force` returns once the model is gone.
TEST_F(ModelsTest, DestroyModelRunsTheDyingHooksThenTheModelIsGoneAndItsNameFree) {
  ASSERT_NO_FATAL_FAILURE(TwoSettledModels());
  const std::string a_agents = fs::path(cluster_.AgentDir("kv-provider/0", "a")).parent_path().string();
  ASSERT_TRUE(fs::exists(a_agents));
  std::map<std::string, pid_t> b_pids;
  for (const std::string unit : {"kv-provider/0", "kv-requirer/0"}) b_pids[unit] = AgentPid(unit, "b");
  const size_t b_hooks_before = ReadLines(Log("b")).size();

  Ok({"switch", "a"});
  CliResult destroyed = cluster_.Skein({"destroy-model", "a", "--no-prompt", "--timeout", "120s"});
  ASSERT_EQ(destroyed.code, 0) << destroyed.err;
  EXPECT_EQ(destroyed.out, "");
  EXPECT_NE(destroyed.err.find("Model destroyed."), std::string::npos) << destroyed.err;
  EXPECT_NE(destroyed.err.find("was the current model"), std::string::npos) << destroyed.err;

  // Every unit ran relation-departed, relation-broken, stop and remove, in that order.
  for (const std::string unit : {"kv-provider/0", "kv-requirer/0"}) {
    std::vector<std::string> hooks = HooksOf(Log("a"), unit);
    auto at = [&](const std::string& hook) {
      return std::find(hooks.begin(), hooks.end(), hook) - hooks.begin();
    };
    const auto departed = at("kv-relation-departed");
    const auto broken = at("kv-relation-broken");
    const auto stop = at("stop");
    const auto remove = at("remove");
    ASSERT_LT(remove, static_cast<long>(hooks.size())) << unit << " never ran remove";
    EXPECT_LT(departed, broken) << unit;
    EXPECT_LT(broken, stop) << unit;
    EXPECT_LT(stop, remove) << unit;
    EXPECT_EQ(hooks.back(), "remove") << unit;
  }
  // The model and its agents' files are gone.
  CliResult models = cluster_.Skein({"models", "--format", "json"});
  ASSERT_EQ(models.code, 0) << models.err;
  const json listed = json::parse(models.out);
  ASSERT_FALSE(listed["models"].empty());
  for (const json& m : listed["models"]) EXPECT_NE(m["short-name"], "a");
  EXPECT_NE(cluster_.Skein({"show-model", "a"}).code, 0);
  EXPECT_TRUE(WaitFor([&] { return !fs::exists(a_agents); })) << a_agents << " is still there";

  ExpectUntouched("b", b_pids, b_hooks_before);

  // The name is free at once, and the new model starts empty.
  Ok({"add-model", "--no-switch", "a"});
  json fresh = StatusOf("a");
  EXPECT_TRUE(fresh.contains("model")) << fresh.dump();
  EXPECT_TRUE(!fresh.contains("applications") || fresh["applications"].empty()) << fresh.dump();

  // jubilant's temp_model closes with this; the agents answer, so their hooks run.
  CliResult forced = cluster_.Skein({"destroy-model", "b", "--no-prompt", "--destroy-storage", "--force"});
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_EQ(HooksOf(Log("b"), "kv-provider/0").back(), "remove");
  EXPECT_NE(cluster_.Skein({"show-model", "b"}).code, 0);
}

class LongPathsTest : public ModelsTest {
 protected:
  LongPathsTest() : ModelsTest(ClusterOptions{.data_dir_length = 60}) {}
};

TEST_F(LongPathsTest, FortyCharacterNamesUnderASixtyCharacterDataDirSettleInTwoModels) {
  const std::string provider = "provider-with-a-name-of-forty-characters";
  const std::string requirer = "requirer-with-a-name-of-forty-characters";
  ASSERT_EQ(cluster_.data_dir().size(), 60u);
  ASSERT_EQ(provider.size(), 40u);
  ASSERT_EQ(requirer.size(), 40u);
  // Unsupervised: the agents killed below must stay dead.
  Ok({"bootstrap", "--service=none"});
  for (const std::string model : {"first", "second"}) {
    Ok({"add-model", model});
    DeployPair(model, provider, requirer, model == "first" ? "hello" : "hi");
  }
  ASSERT_TRUE(PairSettled("first", provider, requirer, "hello"));
  ASSERT_TRUE(PairSettled("second", provider, requirer, "hi"));

  // A socket in the agent dir could not even be bound; the runtime dir keeps it short.
  const std::string agent_dir = cluster_.AgentDir(requirer + "/0", "second");
  EXPECT_GT(agent_dir.size() + std::string("/agent.socket").size(), kMaxSocketPathLength) << agent_dir;
  const std::string socket = cluster_.AgentSocket(requirer + "/0", "second");
  EXPECT_LE(socket.size(), kMaxSocketPathLength);
  EXPECT_TRUE(fs::is_socket(socket)) << socket;

  // An agent killed with SIGKILL (its machine agent first, so nothing restarts or cleans it) leaves
  // its socket behind: kill-controller removes it with the agent's runtime dir.
  const std::string machine_pid = ReadFile(cluster_.data_dir() + "/machine-0/machine-agent.pid");
  ASSERT_FALSE(machine_pid.empty());
  const pid_t machine_agent = static_cast<pid_t>(std::stol(machine_pid));
  ASSERT_EQ(::kill(machine_agent, SIGKILL), 0);
  const pid_t unit_agent = AgentPid(requirer + "/0", "second");
  ASSERT_EQ(::kill(unit_agent, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return !Alive(unit_agent); }));
  EXPECT_TRUE(fs::is_socket(socket)) << "a killed agent cannot remove its socket";
  Ok({"kill-controller", "--no-prompt"});
  EXPECT_FALSE(fs::exists(fs::path(socket).parent_path()));
  EXPECT_EQ(cluster_.ProcessesUsingDataDir(), std::vector<int>{});
  EXPECT_EQ(cluster_.SocketsUnderDataDir(), std::vector<std::string>{});
}

}  // namespace
}  // namespace skein::e2e
