// The controller killed with SIGKILL at its named points (SKEIN_CONTROLLER_FAULT,
// controller/domain/fault/fault.h), end to end: partway through a bundle deploy, around a hook
// commit, between two changes of an upgrade plan. After the restart the model converges, the
// database is sound, no acknowledged hook commit is lost and none is applied twice, and the
// command the crash interrupted finishes when run again. Faults fire at named points, never at
// random times, so these tests are deterministic (tools/soak-controller picks them at random).
//
// The controller runs unsupervised (`bootstrap --service=none`), so that the test decides when it
// starts and with which fault armed: it is restarted armed just before the work that reaches the
// point, and restarted again, disarmed, after it died, as the README's restart command does.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/gate_charm.h"
#include "tests/e2e/harness.h"
#include "tests/e2e/packed_charms.h"
#include "tests/scoped_env.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Lines of a hook log equal to `line` or starting with `line` and a blank.
int CountLines(const std::string& log, const std::string& line) {
  const std::vector<std::string> lines = ReadLines(log);
  return static_cast<int>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l == line || l.rfind(line + " ", 0) == 0;
  }));
}

// What drives the controller to the point.
enum class Work { kDeployBundle, kHookCommit, kUpgradePlan };

struct FaultCase {
  const char* point;
  Work work;
};
// gtest and ctest name a case by its point.
void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.point; }

class ControllerFaultTest : public ::testing::TestWithParam<FaultCase> {
 protected:
  ~ControllerFaultTest() override {
    if (child_ > 0) {
      cluster_.Skein({"kill-controller", "--no-prompt"}, 30s);
      process::Terminate(child_, 5s, false);
      process::Reap(child_, true);
    }
  }

  CliResult Run(const std::vector<std::string>& args) { return cluster_.Skein(args, std::chrono::minutes(5)); }
  void Ok(const std::vector<std::string>& args) {
    CliResult r = Run(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string ControllerDir() const { return cluster_.data_dir() + "/controller"; }
  std::string Scratch(const std::string& name) const { return cluster_.scratch_dir() + "/" + name; }
  std::string Marker(const std::string& point) const { return ControllerDir() + "/fault-fired-" + point; }

  // Stops the running controller with SIGTERM (whoever started it) and waits until it is gone.
  void StopController() {
    auto pid = process::ReadPidFile(ControllerDir() + "/controller.pid");
    ASSERT_TRUE(pid.has_value()) << "no controller.pid";
    ASSERT_EQ(::kill(*pid, SIGTERM), 0);
    if (*pid == child_) {
      process::Reap(child_, true);
      child_ = -1;
    }
    ASSERT_TRUE(WaitFor([&] { return !process::IsAlive(*pid); }, 30s)) << "the controller did not stop";
  }

  // `skein-controller --data-dir DIR`, the README's restart command, with `fault` in
  // SKEIN_CONTROLLER_FAULT (none when empty); returns once it answers `skein status`.
  void StartController(const std::string& fault) {
    // An empty value arms nothing; the controller reads the variable once, at start.
    skein::testing::ScopedEnv armed("SKEIN_CONTROLLER_FAULT", fault);
    process::SpawnOptions o;
    o.argv = {cluster_.BinDir() + "/skein-controller", "--data-dir", ControllerDir()};
    o.stdout_path = Scratch("controller.out");
    o.stderr_path = Scratch("controller.out");
    auto pid = process::Spawn(o);
    ASSERT_TRUE(pid.ok()) << pid.status();
    child_ = *pid;
    ASSERT_TRUE(WaitFor([&] { return cluster_.Skein({"status"}).code == 0; }, 30s)) << ReadFile(Scratch("controller.out"));
  }

  // Stops the controller and starts it again with `fault` armed.
  void RestartArmed(const std::string& fault) {
    StopController();
    if (!HasFatalFailure()) StartController(fault);
  }

  // The gate charm at `version` and the bundle of gate and server (related or not) in the
  // scratch dir, each application logging its hooks to <name>.log there.
  std::string WriteGate(const std::string& version, bool related) {
    WriteGateCharm(Scratch("gate"), version);
    WriteTestFile(Scratch("bundle.yaml"), GateBundle(related, Scratch("gate.log"), Scratch("server.log")));
    return Scratch("bundle.yaml");
  }

  // Runs `command`, which the armed controller dies in, and returns the name it died for; `out`
  // (if given) receives the command's output.
  std::string RunKilledAt(const std::vector<std::string>& command, const std::string& point, std::string* out = nullptr) {
    CliResult killed = Run(command);
    EXPECT_NE(killed.code, 0) << "skein " << command[0] << " succeeded although the controller died: " << killed.out;
    if (out != nullptr) *out = killed.out;
    return AwaitKilledAt(point);
  }

  // Waits until the armed controller killed itself at `point`; returns the name the marker
  // recorded (the deployment, unit or change it fired for).
  std::string AwaitKilledAt(const std::string& point) {
    std::optional<process::RunResult> ended = process::Reap(child_, true);
    child_ = -1;
    EXPECT_TRUE(ended.has_value());
    EXPECT_EQ(ended ? ended->exit_code : 0, 128 + SIGKILL) << "the controller did not die by SIGKILL";
    EXPECT_TRUE(fs::exists(Marker(point))) << "the fault " << point << " never fired";
    std::string name = ReadFile(Marker(point));
    if (!name.empty() && name.back() == '\n') name.pop_back();
    return name;
  }

  // The database as the crash left it (or as a stopped controller left it): SQLite's integrity
  // check passes, and no unit's hook commit was applied twice (each applied commit writes one
  // `commit N` change-log row in its transaction).
  void ExpectDatabaseSound() {
    SQLite::Database db(ControllerDir() + "/controller.db", SQLite::OPEN_READWRITE);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    SQLite::Statement twice(db,
                            "SELECT entity, op, COUNT(*) FROM change_log WHERE kind = 'unit' AND op LIKE 'commit %' "
                            "GROUP BY entity, op HAVING COUNT(*) > 1");
    while (twice.executeStep()) {
      ADD_FAILURE() << twice.getColumn(0).getString() << " " << twice.getColumn(1).getString() << " applied "
                    << twice.getColumn(2).getInt() << " times";
    }
  }

  // The deployment's revisions from `skein history <deployment> --format json`.
  json History(const std::string& deployment) {
    CliResult r = Run({"history", deployment, "--format", "json"});
    EXPECT_EQ(r.code, 0) << r.err;
    json revisions = json::parse(r.out, nullptr, false);
    return revisions.is_array() ? revisions : json::array();
  }
  // The last revision is deployed and every change of it done.
  void ExpectLastRevisionDeployed(const json& revisions) {
    ASSERT_FALSE(revisions.empty());
    const json& last = revisions.back();
    EXPECT_EQ(last.value("status", ""), "deployed") << last.dump(2);
    for (const auto& c : last["changes"]) EXPECT_EQ(c.value("status", ""), "done") << c.dump();
  }

  // The same command again: it continues the interrupted revision (when the restarted
  // controller had not finished it yet) or finds nothing left to do.
  void RerunFinishes(const std::vector<std::string>& command) {
    CliResult again = Run(command);
    ASSERT_EQ(again.code, 0) << again.err << again.out;
    const bool continued = again.err.find("continuing from its first change not done") != std::string::npos;
    const bool nothing = again.err.find("Nothing to do.") != std::string::npos;
    EXPECT_TRUE(continued || nothing) << again.err;
    std::cout << "re-run: " << (continued ? "continued the interrupted revision" : "nothing left to do") << "\n";
  }

  void DeployBundleKilledPartway();
  void HookCommitKilled(const std::string& point);
  void UpgradePlanKilledBetweenChanges();

  Cluster cluster_;
  pid_t child_ = -1;  // the controller this test started, while it may run
};

// A fresh bundle deploy is one transaction: killed after its first change, nothing of it is
// committed; the restarted controller runs the stored job again, and the same command finishes.
void ControllerFaultTest::DeployBundleKilledPartway() {
  Ok({"bootstrap", "--service=none"});
  Ok({"add-model", "faults"});
  const std::vector<std::string> deploy = {"deploy", WriteGate("1", true), "--wait=5m"};
  RestartArmed("during-bundle-deploy");
  EXPECT_EQ(RunKilledAt(deploy, "during-bundle-deploy"), "bundle.yaml");
  ExpectDatabaseSound();
  {
    // As the crash left it: the job stored and running, nothing of the bundle in the model.
    SQLite::Database db(ControllerDir() + "/controller.db", SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM applications").getInt(), 0);
    EXPECT_EQ(db.execAndGet("SELECT group_concat(state) FROM plan_jobs WHERE deployment = 'bundle.yaml'").getString(),
              "running");
  }
  StartController("");
  RerunFinishes(deploy);

  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) {
    return UnitSettled(s, "gate/0", "active") && UnitSettled(s, "server/0", "active");
  })) << "the bundle never settled";
  const json status = cluster_.Status();
  EXPECT_EQ(status["applications"]["gate"]["units"].size(), 1u) << status.dump(2);
  EXPECT_EQ(status["applications"]["server"]["units"].size(), 1u) << status.dump(2);
  EXPECT_EQ(status["applications"]["gate"]["relations"]["kv"][0]["related-application"], "server")
      << status["applications"]["gate"].dump();
  // Each unit was installed once: the killed transaction deployed nothing that ran.
  EXPECT_EQ(CountLines(Scratch("gate.log"), "install"), 1) << ReadFile(Scratch("gate.log"));
  EXPECT_EQ(CountLines(Scratch("server.log"), "server/0 install"), 1) << ReadFile(Scratch("server.log"));
  const json revisions = History("bundle.yaml");
  EXPECT_EQ(revisions.size(), 1u) << revisions.dump(2);
  ExpectLastRevisionDeployed(revisions);
}

// kv-requirer/0's config-changed commit (its new request in the relation) is killed before or
// after it is committed. The agent retries the commit against the restarted controller: it is
// applied then, or acknowledged as already applied; the hook does not run again either way.
void ControllerFaultTest::HookCommitKilled(const std::string& point) {
  Ok({"bootstrap", "--service=none"});
  Ok({"add-model", "faults"});
  Ok({"deploy", TestCharm("kv-provider"), "--config", "log-path=" + Scratch("provider.log")});
  Ok({"deploy", TestCharm("kv-requirer"), "--config", "log-path=" + Scratch("requirer.log")});
  Ok({"integrate", "kv-provider", "kv-requirer"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return KvAnswered(s, "world"); }, 90s));
  RestartArmed(point + ":kv-requirer/0");

  Ok({"config", "kv-requirer", "request=again"});
  EXPECT_EQ(AwaitKilledAt(point), "kv-requirer/0");
  ExpectDatabaseSound();
  StartController("");
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return KvAnswered(s, "again"); }, 90s))
      << "the committed request never reached the provider";
  // The request is in the relation once and the provider counts one requester.
  EXPECT_EQ(WorkloadMessage(cluster_.Status(), "kv-provider/0"), "serving 1 requests");
  // config-changed ran once at deploy and once for the change: not again after the crash.
  EXPECT_EQ(CountLines(Scratch("requirer.log"), "kv-requirer/0 config-changed"), 2) << ReadFile(Scratch("requirer.log"));
  EXPECT_EQ(CountLines(Scratch("requirer.log"), "kv-requirer/0 install"), 1);
  // The units go on: the next change runs hooks on both sides.
  Ok({"config", "kv-requirer", "request=after"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return KvAnswered(s, "after"); }, 90s));
}

// The second revision of a bundle refreshes `gate` and relates it, change by change: killed once
// the refresh is committed, the restarted controller continues the job from its next change, and
// the same command follows it to the end; the refresh is not done twice.
void ControllerFaultTest::UpgradePlanKilledBetweenChanges() {
  Ok({"bootstrap", "--service=none"});
  Ok({"add-model", "faults"});
  Ok({"deploy", WriteGate("1", false), "--wait=5m"});
  const std::vector<std::string> deploy = {"deploy", WriteGate("2", true), "--wait=5m"};
  RestartArmed("between-plan-changes");
  std::string plan;
  const std::string after_change = RunKilledAt(deploy, "between-plan-changes", &plan);
  EXPECT_NE(plan.find("upgrade gate from local using charm gate"), std::string::npos) << plan;
  EXPECT_EQ(after_change.rfind("upgradeCharm-", 0), 0u) << "killed after " << after_change;
  ExpectDatabaseSound();
  StartController("");
  RerunFinishes(deploy);

  const json status = cluster_.Status();
  // One upload and one refresh (a second would make it local:gate-2), one upgrade-charm.
  EXPECT_EQ(status["applications"]["gate"]["charm"], "local:gate-1");
  EXPECT_EQ(WorkloadMessage(status, "gate/0"), "version 2");
  EXPECT_EQ(CountLines(Scratch("gate.log"), "upgrade-charm"), 1) << ReadFile(Scratch("gate.log"));
  EXPECT_EQ(status["applications"]["gate"]["relations"]["kv"][0]["related-application"], "server")
      << status["applications"]["gate"].dump();
  const json revisions = History("bundle.yaml");
  EXPECT_EQ(revisions.size(), 2u) << revisions.dump(2);
  ExpectLastRevisionDeployed(revisions);
}

TEST_P(ControllerFaultTest, TheModelConvergesAndNothingIsLostOrDoneTwice) {
  const FaultCase& fault = GetParam();
  switch (fault.work) {
    case Work::kDeployBundle:
      DeployBundleKilledPartway();
      break;
    case Work::kHookCommit:
      HookCommitKilled(fault.point);
      break;
    case Work::kUpgradePlan:
      UpgradePlanKilledBetweenChanges();
      break;
  }
  if (HasFatalFailure()) return;
  // The fault fired once: the restarted controller, still reading the same directory, went on.
  EXPECT_TRUE(fs::exists(Marker(fault.point)));
  StopController();
  ExpectDatabaseSound();
}

INSTANTIATE_TEST_SUITE_P(Points, ControllerFaultTest,
                         ::testing::Values(FaultCase{"during-bundle-deploy", Work::kDeployBundle},
                                           FaultCase{"before-hook-commit", Work::kHookCommit},
                                           FaultCase{"after-hook-commit", Work::kHookCommit},
                                           FaultCase{"between-plan-changes", Work::kUpgradePlan}),
                         [](const auto& info) {
                           std::string name = info.param.point;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

// An unknown point is a usage error, before anything is created.
TEST(ControllerFaultSpecTest, AnUnknownPointIsAUsageError) {
  Cluster cluster;
  const std::string dir = cluster.scratch_dir() + "/never-created";
  process::SpawnOptions o;
  o.argv = {cluster.BinDir() + "/skein-controller", "--data-dir", dir};
  std::map<std::string, std::string> env = {{"SKEIN_CONTROLLER_FAULT", "during-lunch:x"}};
  o.env = env;
  auto r = process::Run(o, 30s);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_EQ(r->stderr_text, "ERROR SKEIN_CONTROLLER_FAULT: unknown fault point \"during-lunch\"\n");
  EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace skein::e2e
