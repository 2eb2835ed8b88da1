// Channel upgrades end to end (issue 13), against the real binaries and the embedded store:
// Kubeflow 1.7 → 1.8 → 1.9 → 1.10 → 1.11 in one model with options set by hand, each release
// applied as a plan and awaited with `--wait`, then `history` and a rollback; MLflow with the
// resource dispatcher across the release that turned their relations round, with the refusals
// `refresh` gives on the way; and a bundle upgrade whose charm fails `upgrade-charm`, which stops
// at that step and is finished by re-running the same command.

#include <algorithm>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/gate_charm.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/packed_charms.h"

namespace skein::e2e {
namespace {

using nlohmann::json;

constexpr auto kDeploy = std::chrono::minutes(10);

class UpgradeTest : public ::testing::Test {
 protected:
  CliResult Run(const std::vector<std::string>& args) { return cluster_.Skein(args, kDeploy); }
  void Ok(const std::vector<std::string>& args) {
    CliResult r = Run(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }

  // Every application's (charm, channel, revision) as status shows them.
  std::map<std::string, std::tuple<std::string, std::string, int64_t>> Charms() {
    std::map<std::string, std::tuple<std::string, std::string, int64_t>> out;
    const json status = cluster_.Status();
    for (const auto& [name, app] : status["applications"].items()) {
      out[name] = {app.value("charm-name", ""), app.value("charm-channel", ""), app.value("charm-rev", int64_t{0})};
    }
    return out;
  }

  // The application bags of every non-peer relation, as each application's first unit sees them.
  std::map<std::string, json> RelationData() {
    std::map<std::string, json> out;
    const json status = cluster_.Status();
    for (const auto& [name, app] : status["applications"].items()) {
      if (!app.contains("units") || app["units"].empty()) continue;
      const std::string unit = app["units"].begin().key();
      CliResult r = cluster_.Skein({"show-unit", unit, "--format", "json"});
      if (r.code != 0) continue;
      json info = json::parse(r.out, nullptr, false);
      if (info.is_discarded() || !info.contains(unit)) continue;
      for (const auto& rel : info[unit].value("relation-info", json::array())) {
        if (!rel.contains("related-units") && !rel.contains("application-data")) continue;
        // A relation that survives keeps its id; one removed and added again gets a new one.
        out[unit + " " + rel.value("endpoint", "") + " #" + std::to_string(rel.value("relation-id", -1))] =
            rel.value("application-data", json::object());
      }
    }
    return out;
  }

  // The applications whose units ran `remove` (debug-log lines `unit-<app>-<n>: ... ran "remove" hook`).
  std::set<std::string> ApplicationsThatRanRemove() {
    CliResult log = cluster_.Skein({"debug-log", "--replay", "--no-tail"});
    std::set<std::string> apps;
    static const std::regex kLine("^unit-(.+)-[0-9]+: .*ran \"remove\" hook");
    std::istringstream lines(log.out);
    for (std::string line; std::getline(lines, line);) {
      std::smatch m;
      if (std::regex_search(line, m, kLine)) apps.insert(m[1].str());
    }
    return apps;
  }

  std::string Config(const std::string& app, const std::string& key) {
    CliResult r = cluster_.Skein({"config", app, key});
    return r.code == 0 ? r.out : "ERROR " + r.err;
  }

  // Every unit idle with its workload active or blocked (what `--wait` settles on).
  static bool Settled(const json& status, std::string* why) {
    for (const auto& [name, app] : status["applications"].items()) {
      if (!app.contains("units")) continue;
      for (const auto& [unit, u] : app["units"].items()) {
        const std::string agent = AgentStatus(status, unit);
        const std::string workload = WorkloadStatus(status, unit);
        if (agent != "idle" || (workload != "active" && workload != "blocked")) {
          *why = unit + " " + agent + "/" + workload;
          return false;
        }
      }
    }
    return true;
  }

  Cluster cluster_;
};

TEST_F(UpgradeTest, KubeflowFrom17To111KeepsWhatTheUserSetThenRollsBack) {
  Ok({"bootstrap"});
  Ok({"add-model", "kubeflow"});
  Ok({"deploy", "kubeflow", "--channel", "1.7/stable", "--wait=10m"});
  // The getting-started guide's first step, and one option every Kubeflow bundle sets.
  Ok({"config", "dex-auth", "static-username=admin", "static-password=admin"});
  Ok({"config", "istio-pilot", "default-gateway=my-gateway"});

  const std::vector<std::string> releases = {"1.8/stable", "1.9/stable", "1.10/stable", "1.11/stable"};
  for (const std::string& channel : releases) {
    SCOPED_TRACE(channel);
    const auto before_charms = Charms();
    const auto before_data = RelationData();
    std::vector<std::string> args = {"deploy", "kubeflow", "--channel", channel, "--wait=10m"};
    if (channel == releases.back()) args.push_back("--prune");
    CliResult r = Run(args);
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("- upgrade "), std::string::npos) << r.out;

    // Every unit settled, and each application runs the target bundle's charm, channel and
    // revision: planning the same release again finds nothing to do.
    std::string why;
    EXPECT_TRUE(Settled(cluster_.Status(), &why)) << why;
    CliResult again = Run({"deploy", "kubeflow", "--channel", channel, "--dry-run"});
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_NE(again.err.find("Nothing to do."), std::string::npos) << again.out;
    // The option set by hand was kept and is listed as kept; the bundle's value did not win.
    EXPECT_NE(again.out.find("default-gateway"), std::string::npos) << again.out;
    EXPECT_EQ(Config("istio-pilot", "default-gateway"), "my-gateway\n");
    EXPECT_EQ(Config("dex-auth", "static-username"), "admin\n");
    EXPECT_EQ(Config("dex-auth", "static-password"), "admin\n");
    // No application that stayed ran `remove`; the relation data of relations that stayed is the
    // same as before (a charm of the new release may add keys, never drop or change them).
    const auto after_charms = Charms();
    for (const std::string& app : ApplicationsThatRanRemove()) {
      EXPECT_EQ(after_charms.count(app), 0u) << app << " ran remove but is still there";
    }
    const auto after_data = RelationData();
    for (const auto& [key, bag] : before_data) {
      auto it = after_data.find(key);
      if (it == after_data.end()) continue;  // a relation the release removed and re-added differently
      for (const auto& [k, v] : bag.items()) {
        EXPECT_EQ(it->second.value(k, json()), v) << key << " " << k;
      }
    }
    size_t moved = 0;
    for (const auto& [app, charm] : before_charms) {
      auto it = after_charms.find(app);
      if (it != after_charms.end() && it->second != charm) ++moved;
    }
    EXPECT_GT(moved, 10u);
    // --prune removed what this deployment created and the release no longer has (argo-server,
    // dropped in 1.9, and seldon-controller-manager, dropped in 1.11's bundle or earlier); before,
    // such applications were left in place.
    if (channel == releases.back()) {
      EXPECT_EQ(ApplicationsThatRanRemove(), (std::set<std::string>{"argo-server", "seldon-controller-manager"}));
    } else {
      EXPECT_TRUE(ApplicationsThatRanRemove().empty());
    }
  }

  // Five revisions: the install and four upgrades.
  CliResult history = Run({"history", "kubeflow", "--format", "json"});
  ASSERT_EQ(history.code, 0) << history.err;
  json revisions = json::parse(history.out);
  ASSERT_EQ(revisions.size(), 5u) << history.out;
  EXPECT_EQ(revisions[0]["description"], "Install complete");
  EXPECT_EQ(revisions[4]["status"], "deployed");
  EXPECT_EQ(revisions[3]["status"], "superseded");
  EXPECT_EQ(revisions[4]["channel"], "1.11/stable");
  CliResult table = Run({"history", "kubeflow"});
  EXPECT_EQ(table.out.rfind("REVISION", 0), 0u) << table.out;

  // Back to revision 3 (1.9): the plan first, with a warning per charm that goes back, then
  // applied and settled.
  CliResult dry = Run({"rollback", "kubeflow", "3", "--dry-run"});
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_NE((dry.out + dry.err).find("warning: downgrade "), std::string::npos) << dry.out << dry.err;
  CliResult back = Run({"rollback", "kubeflow", "3", "--wait=10m"});
  ASSERT_EQ(back.code, 0) << back.err << back.out;
  std::string why;
  EXPECT_TRUE(Settled(cluster_.Status(), &why)) << why;
  CliResult at19 = Run({"deploy", "kubeflow", "--channel", "1.9/stable", "--dry-run"});
  EXPECT_NE(at19.err.find("Nothing to do."), std::string::npos) << at19.out;
  history = Run({"history", "kubeflow", "--format", "json"});
  revisions = json::parse(history.out);
  ASSERT_EQ(revisions.size(), 6u);
  EXPECT_EQ(revisions[5]["description"], "Rollback to 3");
  EXPECT_EQ(revisions[5]["status"], "deployed");
  EXPECT_EQ(Config("istio-pilot", "default-gateway"), "my-gateway\n");
  Ok({"kill-controller", "--no-prompt"});
}

TEST_F(UpgradeTest, MlflowAndTheResourceDispatcherAcrossTheirDirectionChange) {
  const std::string overlays = std::string(SKEIN_PLAN_TESTDATA_DIR);
  Ok({"bootstrap"});
  Ok({"add-model", "kubeflow"});
  Ok({"deploy", "mlflow", "--channel", "2.1/stable", "--overlay", overlays + "/rd-1.0.yaml", "--wait=10m"});
  Ok({"deploy", "kubeflow-profiles", "--channel", "1.9/stable", "--wait=10m"});
  Ok({"run", "kubeflow-profiles/0", "create-profile", "username=alice", "profilename=alice"});

  // Refreshing mlflow-server alone would break both relations: refused, naming each and the
  // command that removes it; nothing changes.
  const auto before = Charms();
  CliResult r = Run({"refresh", "mlflow-server", "--channel", "2.15/stable"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.err.find("skein remove-relation mlflow-server:secrets resource-dispatcher:secrets"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("skein remove-relation mlflow-server:pod-defaults resource-dispatcher:pod-defaults"),
            std::string::npos)
      << r.err;
  // A refresh to the revision it runs is refused as Juju refuses it.
  r = Run({"refresh", "mlflow-server"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("charm \"mlflow-server\": already up-to-date"), std::string::npos) << r.err;
  EXPECT_EQ(Charms(), before);

  // One plan: remove the two relations, refresh both applications, integrate again.
  CliResult plan = Run({"deploy", "mlflow", "--channel", "2.15/stable", "--overlay", overlays + "/rd-2.0.yaml",
                        "--dry-run"});
  ASSERT_EQ(plan.code, 0) << plan.err;
  const size_t removed = plan.out.find("- remove relation mlflow-server:secrets - resource-dispatcher:secrets");
  const size_t refreshed = plan.out.find("- upgrade mlflow-server ");
  const size_t added = plan.out.find("- add relation mlflow-server:secrets - resource-dispatcher:secrets");
  ASSERT_NE(removed, std::string::npos) << plan.out;
  ASSERT_NE(refreshed, std::string::npos) << plan.out;
  ASSERT_NE(added, std::string::npos) << plan.out;
  EXPECT_LT(removed, refreshed);
  EXPECT_LT(refreshed, added);
  Ok({"deploy", "mlflow", "--channel", "2.15/stable", "--overlay", overlays + "/rd-2.0.yaml", "--wait=10m"});
  json status = cluster_.Status();
  EXPECT_EQ(status["applications"]["mlflow-server"].value("charm-channel", ""), "2.15/stable");
  EXPECT_EQ(status["applications"]["resource-dispatcher"].value("charm-channel", ""), "2.0/stable");

  // The manifests reach the profile namespace again, the other way round.
  auto dispatched = [&] {
    CliResult m = cluster_.Skein({"manifests", "--namespace", "alice", "--format", "json"});
    return m.code == 0 && m.out.find("mlflow-server-minio-artifact") != std::string::npos &&
           m.out.find("\"PodDefault\"") != std::string::npos;
  };
  EXPECT_TRUE(WaitFor(dispatched, std::chrono::minutes(2)));
  Ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::e2e

namespace skein::e2e {
namespace {

// Acceptance 4: the second revision of a bundle refreshes a local charm whose upgrade-charm
// fails, then relates it. The job stops at the wait after the refresh, history says so, and the
// same command, re-run after the cause is fixed, finishes the job without redoing its refresh.
TEST_F(UpgradeTest, AFailedUpgradeStepStopsTheJobAndTheSameCommandFinishesIt) {
  Ok({"bootstrap"});
  Ok({"add-model", "gated"});
  const std::string bundle = cluster_.scratch_dir() + "/bundle.yaml";
  const std::string hooks = cluster_.scratch_dir() + "/hooks.log";
  WriteGateCharm(cluster_.scratch_dir() + "/gate", "1");
  WriteTestFile(bundle, GateBundle(false));
  Ok({"deploy", bundle, "--wait=5m"});
  Ok({"config", "gate", "upgrade-gate=closed", "log-path=" + hooks});

  // Re-deploying the same bundle with the same charm has nothing to do.
  CliResult same = Run({"deploy", bundle, "--dry-run"});
  ASSERT_EQ(same.code, 0) << same.err;
  EXPECT_EQ(same.out.find("upgrade gate"), std::string::npos) << same.out;

  WriteGateCharm(cluster_.scratch_dir() + "/gate", "2");
  WriteTestFile(bundle, GateBundle(true));
  CliResult failed = Run({"deploy", bundle, "--wait=5m"});
  ASSERT_EQ(failed.code, 1) << failed.err << failed.out;
  EXPECT_NE(failed.out.find("upgrade gate from local using charm gate"), std::string::npos) << failed.out;
  const std::regex kFailedWait("ERROR change (wait-[0-9]+) \\(wait for gate to settle\\) failed: [^\\n]*gate/0");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(failed.err, m, kFailedWait)) << failed.err;
  const std::string failed_change = m[1].str();
  EXPECT_NE(failed.err.find("re-run the same command"), std::string::npos) << failed.err;

  // History: the second revision failed at the wait; the refresh before it is done, the
  // relation after it is not.
  CliResult history = Run({"history", "bundle.yaml", "--format", "json"});
  ASSERT_EQ(history.code, 0) << history.err;
  json revisions = json::parse(history.out);
  ASSERT_EQ(revisions.size(), 2u) << history.out;
  EXPECT_EQ(revisions[1]["status"], "failed");
  std::map<std::string, std::string> state;
  for (const auto& c : revisions[1]["changes"]) state[c["description"].get<std::string>()] = c["status"];
  for (const auto& c : revisions[1]["changes"]) {
    if (c["id"] == failed_change) EXPECT_EQ(c["status"], "failed") << c.dump();
  }
  EXPECT_EQ(state["upgrade gate from local using charm gate"], "done") << history.out;
  EXPECT_EQ(state["add relation gate:kv - server:kv"], "pending") << history.out;
  json status = cluster_.Status();
  EXPECT_EQ(WorkloadStatus(status, "gate/0"), "error");
  EXPECT_EQ(status["applications"]["gate"]["charm"], "local:gate-1");
  EXPECT_FALSE(status["applications"]["gate"].contains("relations") &&
               status["applications"]["gate"]["relations"].contains("kv"))
      << status["applications"]["gate"].dump();

  // The fix: open the gate and retry the hook. Then the same command continues from the wait.
  Ok({"config", "gate", "upgrade-gate=open"});
  Ok({"resolved", "gate/0"});
  CliResult resumed = Run({"deploy", bundle, "--wait=5m"});
  ASSERT_EQ(resumed.code, 0) << resumed.err << resumed.out;
  EXPECT_NE(resumed.err.find("continuing from its first change not done"), std::string::npos) << resumed.err;

  status = cluster_.Status();
  // Nothing done was done again: no second upload and refresh (it would be local:gate-2), and
  // upgrade-charm ran twice, the failure and its retry.
  EXPECT_EQ(status["applications"]["gate"]["charm"], "local:gate-1");
  EXPECT_EQ(WorkloadMessage(status, "gate/0"), "version 2");
  std::vector<std::string> ran = ReadLines(hooks);
  EXPECT_EQ(std::count(ran.begin(), ran.end(), "upgrade-charm"), 2) << ReadFile(hooks);
  EXPECT_EQ(status["applications"]["gate"]["relations"]["kv"][0]["related-application"], "server") << status["applications"]["gate"].dump();
  history = Run({"history", "bundle.yaml", "--format", "json"});
  revisions = json::parse(history.out);
  ASSERT_EQ(revisions.size(), 2u) << history.out;
  EXPECT_EQ(revisions[1]["status"], "deployed");
  for (const auto& c : revisions[1]["changes"]) EXPECT_EQ(c["status"], "done") << c.dump();
}


// `refresh --force-units` reaches a unit in error: it takes the new charm without running
// upgrade-charm, stays in error, and once its failed hook passes status flags the skipped
// upgrade-charm, until a later refresh upgrades it properly.
TEST_F(UpgradeTest, ForceUnitsUpgradesAUnitInErrorAndStatusFlagsTheSkippedUpgrade) {
  Ok({"bootstrap"});
  Ok({"add-model", "forced"});
  const std::string charm = cluster_.scratch_dir() + "/gate";
  const std::string hooks = cluster_.scratch_dir() + "/hooks.log";
  WriteGateCharm(charm, "1");
  Ok({"deploy", charm, "--config", "log-path=" + hooks});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "gate/0", "active"); }));
  Ok({"config", "gate", "config-gate=closed"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return WorkloadStatus(s, "gate/0") == "error"; }));

  // The fixed charm goes to the unit in error at once; the config fix and `resolved` then retry
  // config-changed on it.
  WriteGateCharm(charm, "2");
  Ok({"refresh", "gate", "--path", charm, "--force-units"});
  Ok({"config", "gate", "config-gate=open"});
  Ok({"resolved", "gate/0"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "gate/0", "active") && WorkloadMessage(s, "gate/0") == "version 2";
  }));
  std::vector<std::string> ran = ReadLines(hooks);
  EXPECT_EQ(std::count(ran.begin(), ran.end(), "upgrade-charm"), 0) << ReadFile(hooks);
  json unit = cluster_.Status()["applications"]["gate"]["units"]["gate/0"];
  EXPECT_EQ(unit.value("upgrade-charm-skipped", false), true) << unit.dump();

  // A plain refresh later runs upgrade-charm, and the flag goes.
  WriteGateCharm(charm, "3");
  Ok({"refresh", "gate", "--path", charm});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "gate/0", "active") && WorkloadMessage(s, "gate/0") == "version 3";
  }));
  ran = ReadLines(hooks);
  EXPECT_EQ(std::count(ran.begin(), ran.end(), "upgrade-charm"), 1) << ReadFile(hooks);
  unit = cluster_.Status()["applications"]["gate"]["units"]["gate/0"];
  EXPECT_FALSE(unit.value("upgrade-charm-skipped", false)) << unit.dump();
}

}  // namespace
}  // namespace skein::e2e
