#include "lib/process/subprocess.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/base/clock.h"

namespace skein::process {
namespace {

// What a streaming Run handed over, per stream, in arrival order.
struct Lines {
  std::vector<std::string> out;
  std::vector<std::string> err;
  std::function<void(OutputStream, std::string_view)> Fn() {
    return [this](OutputStream s, std::string_view line) {
      (s == OutputStream::kStderr ? err : out).emplace_back(line);
    };
  }
  // Options that stream into these lines.
  RunOptions Options() {
    RunOptions run;
    run.on_line = Fn();
    return run;
  }
};

SpawnOptions Shell(const std::string& script) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", script};
  return o;
}

// Runs `o` and measures how long Run took (on the real clock: children run in real time).
struct TimedRun {
  TimedRun(const SpawnOptions& o, const RunOptions& run) {
    const Clock::TimePoint begin = RealClock().Now();
    result = process::Run(o, run);
    took = RealClock().Now() - begin;
  }
  absl::StatusOr<RunResult> result;
  Clock::Duration took{};
};

TEST(ProcessTest, RunCapturesOutputAndExitCode) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
  auto r = process::Run(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stdout_text, "out\n");
  EXPECT_EQ(r->stderr_text, "err\n");
}

TEST(ProcessTest, RunGivesExactlyTheEnvironmentAsked) {
  SpawnOptions o;
  o.argv = {"/usr/bin/env"};
  o.env = std::map<std::string, std::string>{{"ONLY", "this"}};
  auto r = process::Run(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_text, "ONLY=this\n");
}

TEST(ProcessTest, MissingExecutableIsReported) {
  SpawnOptions o;
  o.argv = {"/nonexistent/tool"};
  auto r = process::Run(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("No such file"), std::string::npos);
}

TEST(ProcessTest, TimeoutKillsTheWholeGroup) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30"};
  auto r = process::Run(o, std::chrono::milliseconds(200));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->signaled);
}

TEST(ProcessTest, TerminateStopsASpawnedDaemon) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  auto pid = Spawn(o);
  ASSERT_TRUE(pid.ok());
  EXPECT_TRUE(IsAlive(*pid));
  EXPECT_TRUE(Terminate(*pid, std::chrono::milliseconds(2000)));
  EXPECT_FALSE(IsAlive(*pid));
}

TEST(ProcessStreamTest, LinesArriveInOrderPerStreamAndALastLineWithoutNewlineIsKept) {
  SpawnOptions o = Shell("i=0; while [ $i -lt 3000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done; printf tail");
  Lines lines;
  RunOptions run = lines.Options();
  auto r = process::Run(o, run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  ASSERT_EQ(lines.out.size(), 3001u);
  ASSERT_EQ(lines.err.size(), 3000u);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(lines.out[i], absl::StrCat("out", i));
    ASSERT_EQ(lines.err[i], absl::StrCat("err", i));
  }
  EXPECT_EQ(lines.out.back(), "tail");
  // Streamed output is not kept twice.
  EXPECT_EQ(r->stdout_text, "");
  EXPECT_EQ(r->stderr_text, "");
}

TEST(ProcessStreamTest, ALineIsHandedOverWhileTheChildStillRuns) {
  // The child prints its pid and waits for SIGUSR1, which the callback sends when that line
  // arrives. Had Run held the line back until the child ended, the timeout would have ended it.
  SpawnOptions o = Shell("trap 'echo second; exit 0' USR1; echo $$; while :; do /bin/sleep 0.05; done");
  Lines lines;
  RunOptions run;
  run.timeout = std::chrono::seconds(20);
  run.on_line = [&](OutputStream s, std::string_view line) {
    lines.Fn()(s, line);
    int64_t pid = 0;
    if (lines.out.size() == 1 && absl::SimpleAtoi(std::string(line), &pid)) ::kill(static_cast<pid_t>(pid), SIGUSR1);
  };
  auto r = process::Run(o, run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  ASSERT_EQ(lines.out.size(), 2u);
  EXPECT_EQ(lines.out[1], "second");
}

TEST(ProcessStreamTest, LargeOutputIsStreamedAndCapturedWhole) {
  SpawnOptions o = Shell("yes 0123456789abcdef | head -n 400000");
  size_t count = 0;
  bool all_same = true;
  RunOptions run;
  run.on_line = [&](OutputStream, std::string_view line) {
    ++count;
    all_same = all_same && line == "0123456789abcdef";
  };
  auto streamed = process::Run(o, run);
  ASSERT_TRUE(streamed.ok()) << streamed.status();
  EXPECT_EQ(count, 400000u);
  EXPECT_TRUE(all_same);
  auto captured = process::Run(o, RunOptions{});
  ASSERT_TRUE(captured.ok()) << captured.status();
  EXPECT_EQ(captured->stdout_text.size(), 400000u * 17);
}

TEST(ProcessStreamTest, AGrandchildHoldingThePipesDoesNotKeepRunWaiting) {
  SpawnOptions o = Shell("/bin/sleep 30 & echo $! >&2; echo done");
  Lines lines;
  RunOptions run = lines.Options();
  run.drain_after_exit = std::chrono::milliseconds(200);
  // No timeout: the sleeper's 30 s bound a Run that waited for it, and `took` shows it.
  TimedRun timed(o, run);
  const absl::StatusOr<RunResult>& r = timed.result;
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(lines.err.size(), 1u);
  int64_t sleeper = 0;
  ASSERT_TRUE(absl::SimpleAtoi(lines.err[0], &sleeper));
  EXPECT_TRUE(IsAlive(static_cast<pid_t>(sleeper)));
  ::kill(static_cast<pid_t>(sleeper), SIGKILL);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(lines.out, std::vector<std::string>{"done"});
  EXPECT_LT(timed.took, std::chrono::seconds(10));
}

TEST(ProcessStreamTest, TimeoutSendsTermThenKillAfterTheGrace) {
  // The whole group ignores SIGTERM (an ignored signal stays ignored across exec), so only the
  // SIGKILL after the grace ends it.
  SpawnOptions o = Shell("trap '' TERM; /bin/sleep 30");
  RunOptions run;
  run.timeout = std::chrono::milliseconds(100);
  run.kill_grace = std::chrono::milliseconds(300);
  TimedRun timed(o, run);
  ASSERT_TRUE(timed.result.ok()) << timed.result.status();
  EXPECT_TRUE(timed.result->timed_out);
  EXPECT_EQ(timed.result->signal, SIGKILL);
  EXPECT_GE(timed.took, std::chrono::milliseconds(400));
  EXPECT_LT(timed.took, std::chrono::seconds(10));
}

TEST(ProcessStreamTest, TimeoutLetsAChildThatHonoursTermFinishItsWay) {
  SpawnOptions o = Shell("trap 'echo cleaning up; exit 7' TERM; echo started; /bin/sleep 30 & wait");
  Lines lines;
  RunOptions run = lines.Options();
  run.timeout = std::chrono::milliseconds(200);
  run.kill_grace = std::chrono::seconds(20);
  auto r = process::Run(o, run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->signaled);
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_EQ(lines.out, (std::vector<std::string>{"started", "cleaning up"}));
}

TEST(ProcessStreamTest, CancelStopsTheChildAndEveryLaterRun) {
  SpawnOptions o = Shell("echo started; /bin/sleep 30");
  RunCanceller canceller;
  Lines lines;
  RunOptions run;
  run.canceller = &canceller;
  run.kill_grace = std::chrono::seconds(20);
  // Cancelled from the output callback once the child is surely running (any thread may call it).
  run.on_line = [&](OutputStream s, std::string_view line) {
    lines.Fn()(s, line);
    canceller.Cancel();
  };
  auto r = process::Run(o, run);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(r->timed_out);
  EXPECT_TRUE(r->signaled);
  EXPECT_EQ(r->signal, SIGTERM);
  EXPECT_EQ(lines.out, std::vector<std::string>{"started"});
  auto again = process::Run(o, run);
  EXPECT_TRUE(absl::IsCancelled(again.status())) << again.status();
  EXPECT_EQ(lines.out, std::vector<std::string>{"started"});
}

}  // namespace
}  // namespace skein::process

namespace skein::process {
namespace {

// A directory under /tmp, removed at the end of the test.
struct ScratchDir {
  ScratchDir() {
    std::string pattern = "/tmp/skein-process-test-XXXXXX";
    path = ::mkdtemp(pattern.data());
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

TEST(ProcessTest, PrivateBindsAreTheChildsAloneAndReachWhatItStarts) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a mount namespace (CLONE_NEWNS)";
  ScratchDir dir;
  std::filesystem::create_directories(dir.path + "/source");
  std::filesystem::create_directories(dir.path + "/target");
  { std::ofstream(dir.path + "/source/marker") << "seen\n"; }
  SpawnOptions o;
  // The grandchild (cat, started by sh) reads the marker through the bind.
  o.argv = {"/bin/sh", "-c", "cat " + dir.path + "/target/marker"};
  o.private_binds = {{dir.path + "/source", dir.path + "/target"}};
  auto r = process::Run(o, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_text;
  EXPECT_EQ(r->stdout_text, "seen\n");
  // Outside the child's namespace the target stays empty.
  EXPECT_FALSE(std::filesystem::exists(dir.path + "/target/marker"));
  // A bind that cannot be made fails the start, naming why.
  o.private_binds = {{dir.path + "/missing", dir.path + "/target"}};
  EXPECT_FALSE(process::Run(o, std::chrono::seconds(10)).ok());
}

TEST(ProcessTest, AChildThatDiesWithItsParentGetsTermWhenTheSpawningThreadEnds) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "60"};
  o.die_with_parent = true;
  pid_t pid = 0;
  std::thread spawner([&] {
    auto spawned = Spawn(o);
    ASSERT_TRUE(spawned.ok()) << spawned.status();
    pid = *spawned;
  });
  spawner.join();
  ASSERT_NE(pid, 0);
  std::optional<RunResult> result = Reap(pid, /*block=*/true);
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->signaled);
  EXPECT_EQ(result->signal, SIGTERM);
}

}  // namespace
}  // namespace skein::process
