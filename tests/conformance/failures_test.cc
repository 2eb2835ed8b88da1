// Error, action and leadership scenarios of the conformance suite: hook retries, resolved,
// actions and leadership leases.

#include <stdlib.h>

#include <fstream>

#include "tests/conformance/conformance_fixture.h"

namespace skein::conformance {
namespace {

// A failing hook stays failing while `flag` exists (the recorder's fail-on/fail-flag options),
// so a test ends the failure without a config change (which would itself queue config-changed).
std::string MakeFlag(const Cluster& c, const std::string& name) {
  std::string path = c.scratch_dir() + "/" + name + ".fail";
  std::ofstream(path) << "fail\n";
  return path;
}

bool InError(const json& s, const std::string& unit, const std::string& hook) {
  return e2e::AgentStatus(s, unit) == "error" && e2e::WorkloadMessage(s, unit) == "hook failed: \"" + hook + "\"";
}

// §1.7: a failed hook puts the unit in error (`hook failed: "config-changed"`), nothing else runs,
// and the automatic retry (model config automatically-retry-hooks, first retry after 5 s) re-runs
// the same hook; once it succeeds the chained start follows (§1.2).
TEST_P(ConformanceTest, FailingHookRetriedAutomatically) {
  CliResult probe = cluster_->Skein({"model-config", "automatically-retry-hooks"});
  ASSERT_EQ(probe.code, 0) << probe.err;
  ASSERT_EQ(probe.out, "true\n") << "automatic retries are Juju's default";
  std::string flag = MakeFlag(*cluster_, "retry");
  Deploy("retry", 1, {"fail-on=config-changed", "fail-flag=" + flag});
  ASSERT_TRUE(WaitFor([](const json& s) { return InError(s, "retry/0", "config-changed"); }));
  fs::remove(flag);
  ExpectSequences({{"retry/0", {"install", "peers-relation-created", "leader-elected", "config-changed",
                                "config-changed", "start"}}});
  EXPECT_NE(e2e::WorkloadStatus(cluster_->Status(), "retry/0"), "error");
}

// §1.7: `juju resolved <unit>` re-runs the failed hook; the unit then carries on.
TEST_P(ConformanceTest, FailingHookResolvedWithRetry) {
  std::string flag = MakeFlag(*cluster_, "fix");
  Deploy("fix", 1, {"fail-on=start", "fail-flag=" + flag});
  ASSERT_TRUE(WaitFor([](const json& s) { return InError(s, "fix/0", "start"); }));
  fs::remove(flag);
  Ok({"resolved", "fix/0"});
  ExpectSequences({{"fix/0", Concat(Setup(true), {"start"})}});
  EXPECT_NE(e2e::WorkloadStatus(cluster_->Status(), "fix/0"), "error");
}

// §1.7: `juju resolved --no-retry` marks the failed hook done without re-running it; the unit
// then runs later hooks normally (here config-changed from `juju config`).
TEST_P(ConformanceTest, FailingHookResolvedWithoutRetry) {
  Deploy("skip", 1, {"fail-on=start"});
  ASSERT_TRUE(WaitFor([](const json& s) { return InError(s, "skip/0", "start"); }));
  Ok({"resolved", "--no-retry", "skip/0"});
  ExpectSequences({{"skip/0", Setup(true)}});
  Mark({"skip/0"});
  Ok({"config", "skip", "greeting=again"});
  ExpectSequences({{"skip/0", {"config-changed"}}});
  EXPECT_NE(e2e::WorkloadStatus(cluster_->Status(), "skip/0"), "error");
}

// Actions (juju-semantics §1.7 last point; client contract §3.9): success returns the charm's
// results, action-fail gives status failed with its message, an action the charm does not handle
// completes with nothing run, an undeclared action is refused; none puts the unit in error.
TEST_P(ConformanceTest, Actions) {
  DeployAndSettle("act", 1);
  auto run = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"run", "--format", "json", "act/0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return cluster_->Skein(args);
  };
  auto task = [](const CliResult& r) {
    json j = json::parse(r.out, nullptr, false);
    return j.is_object() && j.contains("act/0") ? j["act/0"] : json::object();
  };

  CliResult ok = run({"echo", "message=hi"});
  EXPECT_EQ(ok.code, 0) << ok.err;
  json t = task(ok);
  EXPECT_EQ(t.value("status", ""), "completed") << ok.out;
  EXPECT_EQ(t.contains("results") ? t["results"].value("echoed", "") : "", "hi") << ok.out;

  CliResult failed = run({"explode"});
  t = task(failed);
  EXPECT_EQ(t.value("status", ""), "failed") << failed.out << failed.err;
  EXPECT_EQ(t.value("message", ""), "exploded on purpose") << failed.out;

  CliResult nothing = run({"nothing"});
  EXPECT_EQ(nothing.code, 0) << nothing.err;
  EXPECT_EQ(task(nothing).value("status", ""), "completed") << nothing.out;

  CliResult bogus = run({"no-such-action"});
  EXPECT_TRUE(bogus.code != 0 || task(bogus).empty()) << "an undeclared action ran: " << bogus.out;

  // The recorder saw exactly the two handled actions, with no relation variables (§2.4).
  ExpectSequences({{"act/0", {"action:echo", "action:explode"}}});
  EXPECT_EQ(e2e::AgentStatus(cluster_->Status(), "act/0"), "idle");
}

// §5: when the leader's agent stops renewing its lease, another unit becomes leader within the
// lease and runs leader-elected; the old leader runs no hook for losing it, and once back it sees
// itself as a non-leader (is-leader false in its next hook). Runs on its own controller with a
// 3 s lease (SKEIN_LEASE_DURATION, read by `skein bootstrap`), so other scenarios keep the
// default lease.
TEST_P(ConformanceTest, LeaderLoss) {
  Cluster own;
  setenv("SKEIN_LEASE_DURATION", "3s", 1);
  CliResult r = own.Skein({"bootstrap"});
  unsetenv("SKEIN_LEASE_DURATION");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  r = own.Skein({"add-model", "leases"});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  cluster_ = &own;
  log_ = own.scratch_dir() + "/leader-loss.log";

  auto chief = DeployAndSettle("chief", 2);
  const std::string leader = LeaderOf(chief);
  const std::string other = leader == chief[0] ? chief[1] : chief[0];
  const std::string pid_file = own.AgentDir(leader) + "/agent.pid";
  int pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0) << "no agent pid in " << pid_file;
  // Freeze (not kill) the leader's agent: it stops renewing without the machine agent restarting it.
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  bool moved = WaitFor([&](const json& s) { return Leader(s, other); });
  ::kill(pid, SIGCONT);
  ASSERT_TRUE(moved) << "leadership never moved to " << other;
  // juju-semantics §1.3/§5: the survivor runs leader-elected; the deposed leader, once it runs
  // again, gets leader-settings-changed and nothing else.
  ExpectSequences({{other, {"leader-elected"}}, {leader, {"leader-settings-changed"}}});
  Mark(chief);
  Ok({"config", "chief", "greeting=new-leader"});
  ExpectSequences({{leader, {"config-changed"}}, {other, {"config-changed"}}});
  std::vector<Record> old_leader = Since(leader), new_leader = Since(other);
  ASSERT_FALSE(old_leader.empty());
  ASSERT_FALSE(new_leader.empty());
  EXPECT_EQ(old_leader[0].Get("leader"), "false");
  EXPECT_EQ(new_leader[0].Get("leader"), "true");
}

}  // namespace
}  // namespace skein::conformance
