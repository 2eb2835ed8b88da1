#pragma once

// Fixture of the conformance suite: one controller per charm flavour, the recorder charm deployed
// per scenario, and waiting for / comparing recorded hook sequences (see conformance_test.cc).

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/conformance/recording.h"
#include "tests/e2e/harness.h"

namespace skein::conformance {

namespace fs = std::filesystem;
using e2e::CliResult;
using e2e::Cluster;
using nlohmann::json;

inline constexpr auto kSettleDeadline = std::chrono::seconds(60);

struct Flavour {
  std::string name;      // shell, ops2, ops3
  std::string charm;     // test charm directory name
  std::string ops_dir;   // where ops is installed ("" for shell)
};

// The ops installs tools/test makes: <build>/ops2 and <build>/ops3 (SKEIN_OPS_ROOT is set by
// ctest to the build dir); SKEIN_OPS2_DIR / SKEIN_OPS3_DIR override each.
inline std::string OpsDir(const std::string& flavour, const std::string& bin_dir) {
  std::string override_var = flavour == "ops2" ? "SKEIN_OPS2_DIR" : "SKEIN_OPS3_DIR";
  if (const char* v = getenv(override_var.c_str()); v != nullptr && *v != '\0') return v;
  if (const char* root = getenv("SKEIN_OPS_ROOT"); root != nullptr && *root != '\0') {
    return std::string(root) + "/" + flavour;
  }
  return fs::path(bin_dir).parent_path().string() + "/" + flavour;
}

// The value of the word `key=value` of a status message ("" when absent): the ops test charms
// show what they did that way.
inline std::string StatusField(const std::string& message, const std::string& key) {
  const std::string prefix = key + "=";
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find(' ', start);
    if (end == std::string::npos) end = message.size();
    const std::string word = message.substr(start, end - start);
    if (word.rfind(prefix, 0) == 0) return word.substr(prefix.size());
    start = end + 1;
  }
  return "";
}

// One controller (with model `conformance`) per flavour, shared by that flavour's scenarios.
inline std::map<std::string, std::unique_ptr<Cluster>>& Clusters() {
  static auto* clusters = new std::map<std::string, std::unique_ptr<Cluster>>();
  return *clusters;
}

class ConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() { Clusters().clear(); }

  void SetUp() override {
    flavour_.name = GetParam();
    // `builtin` runs the recorder's C++ twin in process (agents/charms/recorder.cc).
    flavour_.charm = flavour_.name == "shell" ? "recorder" : (flavour_.name == "builtin" ? "recorder-builtin" : "recorder-ops");
    auto& slot = Clusters()[flavour_.name];
    if (flavour_.name == "ops2" || flavour_.name == "ops3") {
      Cluster probe_dirs;  // only for BinDir(); cheap (a temp dir)
      flavour_.ops_dir = OpsDir(flavour_.name, probe_dirs.BinDir());
      if (!fs::exists(flavour_.ops_dir + "/ops/__init__.py")) {
        GTEST_SKIP() << "ops " << flavour_.name.substr(3) << ".x is not installed in " << flavour_.ops_dir
                     << " (tools/test installs it: pip install --target build/" << flavour_.name << " 'ops=="
                     << flavour_.name.substr(3) << ".*')";
      }
    }
    if (!slot) {
      slot = std::make_unique<Cluster>();
      CliResult r = slot->Skein({"bootstrap"});
      ASSERT_EQ(r.code, 0) << "bootstrap failed:\n" << r.err << r.out;
      r = slot->Skein({"add-model", "conformance"});
      ASSERT_EQ(r.code, 0) << "add-model failed:\n" << r.err << r.out;
    }
    cluster_ = slot.get();
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();  // DeployOne/shell
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    log_ = cluster_->scratch_dir() + "/" + name + ".log";
  }

  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_->Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }

  // Deploys the flavour's recorder as `app` with `n` units logging to this scenario's log.
  void Deploy(const std::string& app, int n, const std::vector<std::string>& config = {}) {
    std::vector<std::string> args = {"deploy", e2e::TestCharm(flavour_.charm), app, "-n", std::to_string(n),
                                     "--config", "log-path=" + log_};
    if (!flavour_.ops_dir.empty()) args.insert(args.end(), {"--config", "python-path=" + flavour_.ops_dir});
    for (const auto& kv : config) args.insert(args.end(), {"--config", kv});
    Ok(args);
  }

  std::vector<Record> Records(const std::string& unit) const { return RecordsOf(log_, unit); }

  // Remembers how many lines each unit has logged; Since() returns what came after.
  void Mark(const std::vector<std::string>& units) {
    for (const auto& u : units) mark_[u] = Records(u).size();
  }
  std::vector<Record> Since(const std::string& unit) const {
    std::vector<Record> all = Records(unit);
    auto it = mark_.find(unit);
    size_t from = it == mark_.end() ? 0 : std::min(it->second, all.size());
    return std::vector<Record>(all.begin() + from, all.end());
  }

  // Waits until every unit in `expected` has logged at least as many lines as expected (since the
  // mark) and every such unit that still exists is idle; then compares each unit's sequence and
  // checks every line's environment (juju-semantics §2.4).
  void ExpectSequences(const std::map<std::string, std::vector<std::string>>& expected) {
    if (HasFatalFailure()) return;  // an earlier step failed: do not wait out another deadline
    bool settled = cluster_->WaitForStatus(
        [&](const json& s) {
          for (const auto& [unit, seq] : expected) {
            if (Since(unit).size() < seq.size()) return false;
            if (e2e::HasUnit(s, unit) && e2e::AgentStatus(s, unit) != "idle") return false;
          }
          return true;
        },
        kSettleDeadline);
    for (const auto& [unit, seq] : expected) {
      std::vector<Record> got = Since(unit);
      EXPECT_EQ(CompareSequence(got, seq), "") << unit << " (flavour " << flavour_.name << ")";
      for (const Record& r : got) {
        for (const std::string& p : EnvironmentProblems(r)) ADD_FAILURE() << p;
      }
    }
    ASSERT_TRUE(settled) << "units never logged the expected hooks and went idle";
  }

  bool WaitFor(const std::function<bool(const json&)>& ready) {
    return !HasFatalFailure() && cluster_->WaitForStatus(ready, kSettleDeadline);
  }
  static bool Leader(const json& s, const std::string& unit) {
    std::string app = unit.substr(0, unit.find('/'));
    return e2e::HasUnit(s, unit) && s["applications"][app]["units"][unit].value("leader", false);
  }

  // The setup sequence of a new unit, juju-semantics §1.3 "New unit" steps 2-6 (no storage):
  // install, relation-created for the peer relation, leader-elected or leader-settings-changed,
  // config-changed, start.
  static std::vector<std::string> Setup(bool leader) {
    return {"install", "peers-relation-created", leader ? "leader-elected" : "leader-settings-changed",
            "config-changed", "start"};
  }
  static std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  // §1.3 step 7 / §1.4: -joined for a remote unit is immediately followed by -changed for it.
  static std::vector<std::string> Joins(const std::string& endpoint, const std::vector<std::string>& remotes) {
    std::vector<std::string> out;
    for (const auto& r : remotes) {
      out.push_back(endpoint + "-relation-joined remote=" + r);
      out.push_back(endpoint + "-relation-changed remote=" + r);
    }
    return out;
  }

  // Deploys `n` units of `app` and waits for each to finish its setup sequence (§1.3 "New unit"),
  // peers joined in name order; then marks them, so later checks see only what follows.
  std::vector<std::string> DeployAndSettle(const std::string& app, int n, const std::vector<std::string>& config = {}) {
    Deploy(app, n, config);
    std::vector<std::string> units;
    for (int i = 0; i < n; ++i) units.push_back(app + "/" + std::to_string(i));
    ExpectSequences(SetupSequences(units));
    Mark(units);
    return units;
  }

  // The unit of `units` that status shows as leader, waiting for one to be chosen ("" if none).
  std::string LeaderOf(const std::vector<std::string>& units) {
    std::string leader;
    WaitFor([&](const json& s) {
      for (const auto& u : units) {
        if (Leader(s, u)) leader = u;
      }
      return !leader.empty();
    });
    return leader;
  }

  // §1.3 "New unit" for units deployed together: the setup sequence (leader-elected on whichever
  // unit leads) followed by -joined/-changed for every other unit in name order.
  std::map<std::string, std::vector<std::string>> SetupSequences(const std::vector<std::string>& units) {
    const std::string leader = LeaderOf(units);
    std::map<std::string, std::vector<std::string>> expected;
    for (const auto& u : units) {
      std::vector<std::string> others;
      for (const auto& o : units) {
        if (o != u) others.push_back(o);
      }
      expected[u] = Concat(Setup(u == leader), Joins("peers", others));
    }
    return expected;
  }

  // Integrates `a`:source with `b`:sink and waits for §1.3 "juju integrate" on every unit of both.
  void IntegrateAndSettle(const std::vector<std::string>& a_units, const std::vector<std::string>& b_units) {
    const std::string a = a_units[0].substr(0, a_units[0].find('/'));
    const std::string b = b_units[0].substr(0, b_units[0].find('/'));
    Ok({"integrate", a + ":source", b + ":sink"});
    std::map<std::string, std::vector<std::string>> expected;
    for (const auto& u : a_units) expected[u] = Concat({"source-relation-created"}, Joins("source", b_units));
    for (const auto& u : b_units) expected[u] = Concat({"sink-relation-created"}, Joins("sink", a_units));
    ExpectSequences(expected);
    std::vector<std::string> all = a_units;
    all.insert(all.end(), b_units.begin(), b_units.end());
    Mark(all);
  }

  Flavour flavour_;
  Cluster* cluster_ = nullptr;
  std::string log_;
  std::map<std::string, size_t> mark_;
};

}  // namespace skein::conformance
