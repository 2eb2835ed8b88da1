// `skein wait-for` end to end: it follows the model's status stream from the first unsettled
// picture to settled (a progress line per change), exits 1 at once when a hook fails, and exits
// 1 with the last picture when --timeout passes.

#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

class WaitForTest : public ::testing::Test {
 protected:
  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }
  std::string Path(const std::string& name) { return cluster_.scratch_dir() + "/" + name; }

  Cluster cluster_;
};

TEST_F(WaitForTest, FollowsTheModelUntilSettledFailsOnAHookErrorAndTimesOut) {
  Ok({"bootstrap"});
  Ok({"add-model", "waiting"});
  Ok({"deploy", TestCharm("kv-provider")});
  Ok({"deploy", TestCharm("kv-requirer")});

  // The unit agents are only being started when it begins (they end blocked, waiting for the
  // relation): it sees the units change through the stream until both are settled.
  CliResult settled = cluster_.Skein({"wait-for", "--timeout", "120s", "--workload", "blocked"},
                                     std::chrono::seconds(150));
  ASSERT_EQ(settled.code, 0) << settled.err;
  EXPECT_EQ(settled.out, "");
  std::vector<std::string> lines = absl::StrSplit(settled.err, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 3u) << settled.err;
  EXPECT_TRUE(absl::StartsWith(lines.front(), "0/2 units settled; waiting for ")) << settled.err;
  EXPECT_EQ(lines[lines.size() - 2], "2/2 units settled");
  EXPECT_TRUE(absl::StartsWith(lines.back(), "Model \"waiting\" settled: 2 units in ")) << settled.err;

  Ok({"integrate", "kv-provider", "kv-requirer"});
  CliResult active = cluster_.Skein({"wait-for", "--timeout", "120s"}, std::chrono::seconds(150));
  ASSERT_EQ(active.code, 0) << active.err;
  EXPECT_TRUE(absl::StrContains(active.err, "Model \"waiting\" settled: 2 units in ")) << active.err;

  // No unit will be blocked: the wait runs out and says what it saw last.
  CliResult timed_out = cluster_.Skein({"wait-for", "--timeout", "1s", "--workload", "blocked"});
  EXPECT_EQ(timed_out.code, 1);
  EXPECT_TRUE(absl::StrContains(timed_out.err,
                                "ERROR timed out after 1s waiting for model \"waiting\" to settle: 0/2 units settled"))
      << timed_out.err;

  Ok({"add-model", "failing"});
  Ok({"deploy", TestCharm("flaky"), "--config", "fail-on=config-changed", "--config",
      "marker=" + Path("never-there")});
  CliResult failed = cluster_.Skein({"wait-for", "--timeout", "120s"}, std::chrono::seconds(150));
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(absl::StrContains(
      failed.err, "ERROR model \"failing\" cannot settle: flaky/0: hook failed: \"config-changed\"\n"))
      << failed.err;
}

// A change the unit has not seen yet (issue 14): a frozen unit agent keeps its stream open and
// still shows idle, yet it has not acted on the config change made meanwhile. wait-for waits for
// it instead of calling the model settled, and settles once the agent has handled the change.
TEST_F(WaitForTest, AChangeTheUnitHasNotSeenYetKeepsTheModelUnsettled) {
  Ok({"bootstrap"});
  Ok({"add-model", "unseen"});
  Ok({"deploy", TestCharm("kv-provider")});
  Ok({"deploy", TestCharm("kv-requirer")});
  Ok({"integrate", "kv-provider", "kv-requirer"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const nlohmann::json& s) { return KvAnswered(s, "world"); },
                                     std::chrono::seconds(120)));
  Ok({"wait-for", "--timeout", "60s"});

  auto pid = process::ReadPidFile(cluster_.AgentDir("kv-requirer/0") + "/agent.pid");
  ASSERT_TRUE(pid.has_value());
  ASSERT_EQ(::kill(*pid, SIGSTOP), 0);
  Ok({"config", "kv-requirer", "request=moon"});
  // Its status still says idle and active, as it did before the change.
  nlohmann::json s = cluster_.Status();
  EXPECT_EQ(AgentStatus(s, "kv-requirer/0"), "idle");
  CliResult unseen = cluster_.Skein({"wait-for", "--timeout", "2s"});
  ::kill(*pid, SIGCONT);
  EXPECT_EQ(unseen.code, 1) << unseen.err;
  EXPECT_TRUE(absl::StrContains(unseen.err, "kv-requirer/0 active (a change not seen yet)")) << unseen.err;

  CliResult seen = cluster_.Skein({"wait-for", "--timeout", "60s"}, std::chrono::seconds(90));
  EXPECT_EQ(seen.code, 0) << seen.err;
  EXPECT_TRUE(KvAnswered(cluster_.Status(), "moon")) << "settled before the change was applied";
}

}  // namespace
}  // namespace skein::e2e
