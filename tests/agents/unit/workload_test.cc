// The workload supervisor (DESIGN §9) with real /bin/sh services in temporary directories, on a
// simulated clock: restart backoff and the kill grace pass when the test advances time.

#include "agents/unit/workload/supervisor.h"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent::workload {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFile;
using testing::TempDir;

// Polls `condition` until it holds or `timeout` passes; the services run on their own, so
// there is nothing to be notified by.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// The pid a service wrote with `echo $$ > file`, 0 until the line is complete.
pid_t PidIn(const std::string& file) {
  std::string text = ReadFile(file);
  int pid = 0;
  if (text.empty() || text.back() != '\n' || !absl::SimpleAtoi(text.substr(0, text.size() - 1), &pid)) return 0;
  return pid;
}

std::optional<ServiceInfo> Info(const Supervisor& s, const std::string& name) {
  for (const auto& info : s.Services()) {
    if (info.name == name) return info;
  }
  return std::nullopt;
}

// A service that records its pid in `<work>/<name>.pid` and then sleeps (exec keeps the pid).
ServiceSpec Sleeper(const std::string& name, const std::string& work, const std::string& prefix = "") {
  ServiceSpec spec;
  spec.name = name;
  spec.command = {"/bin/sh", "-c", prefix + "echo $$ > " + name + ".pid.tmp && mv " + name + ".pid.tmp " + name +
                                       ".pid; exec sleep 1000"};
  spec.working_dir = work;
  return spec;
}

// Waits until the service runs with a pid other than `old_pid` and has written that pid.
pid_t WaitRunning(const Supervisor& s, const std::string& name, const std::string& work, pid_t old_pid = 0) {
  pid_t pid = 0;
  WaitFor([&] {
    auto info = Info(s, name);
    if (!info || !info->running || info->pid == old_pid) return false;
    pid = info->pid;
    return PidIn(work + "/" + name + ".pid") == pid;
  });
  return pid;
}

bool Gone(pid_t pid) { return !process::IsAlive(pid); }

class WorkloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = tmp_.path() + "/workload";
    work_ = tmp_.path() + "/work";
    std::filesystem::create_directories(work_);
  }
  // Waits (in real time) until the supervisor waits on the clock `n` times: for a backoff to
  // pass or for the kill grace.
  void AwaitClockWaits(size_t n = 1) { ASSERT_TRUE(clock_.AwaitWaiters(n, std::chrono::seconds(15))); }

  TempDir tmp_;
  std::string state_;
  std::string work_;
  SimulatedClock clock_;
};

TEST_F(WorkloadTest, RestartsAServiceThatWasKilled) {
  Supervisor s(state_, clock_);
  ASSERT_TRUE(s.Replan({Sleeper("web", work_)}).ok());
  pid_t first = WaitRunning(s, "web", work_);
  ASSERT_GT(first, 0);
  EXPECT_EQ(Info(s, "web")->restarts, 0);
  EXPECT_FALSE(Info(s, "web")->last_exit_status.has_value());

  ASSERT_EQ(::kill(first, SIGKILL), 0);
  AwaitClockWaits();  // the first restart comes after the initial backoff, 0.5 s
  clock_.Advance(std::chrono::milliseconds(500));
  pid_t second = WaitRunning(s, "web", work_, first);
  ASSERT_GT(second, 0);
  EXPECT_NE(second, first);
  auto info = Info(s, "web");
  EXPECT_EQ(info->restarts, 1);
  EXPECT_EQ(info->last_exit_status, 128 + SIGKILL);
  EXPECT_TRUE(std::filesystem::exists(state_ + "/plan.json"));
}

TEST_F(WorkloadTest, ChangedSpecRestartsUnchangedKeepsRemovedStops) {
  Supervisor s(state_, clock_);
  ASSERT_TRUE(s.Replan({Sleeper("a", work_), Sleeper("b", work_)}).ok());
  pid_t a1 = WaitRunning(s, "a", work_);
  pid_t b1 = WaitRunning(s, "b", work_);
  ASSERT_GT(a1, 0);
  ASSERT_GT(b1, 0);

  ServiceSpec a2_spec = Sleeper("a", work_);
  a2_spec.environment["MODE"] = "fast";
  ASSERT_TRUE(s.Replan({a2_spec, Sleeper("b", work_)}).ok());
  // Replan stops a changed service before it returns.
  EXPECT_TRUE(WaitFor([&] { return Gone(a1); }));
  pid_t a2 = WaitRunning(s, "a", work_, a1);
  ASSERT_GT(a2, 0);
  EXPECT_EQ(Info(s, "a")->restarts, 0);
  EXPECT_EQ(Info(s, "b")->pid, b1);

  ASSERT_TRUE(s.Replan({a2_spec}).ok());
  EXPECT_FALSE(Info(s, "b").has_value());
  EXPECT_TRUE(WaitFor([&] { return Gone(b1); }));
  EXPECT_EQ(Info(s, "a")->pid, a2);

  ASSERT_TRUE(s.Replan({}).ok());
  EXPECT_TRUE(s.Services().empty());
  EXPECT_TRUE(WaitFor([&] { return Gone(a2); }));
}

TEST_F(WorkloadTest, StopKillsEveryServiceEvenOneIgnoringSigterm) {
  Supervisor s(state_, clock_);  // kill_grace 3 s
  ASSERT_TRUE(s.Replan({Sleeper("polite", work_), Sleeper("stubborn", work_, "trap '' TERM; ")}).ok());
  pid_t polite = WaitRunning(s, "polite", work_);
  pid_t stubborn = WaitRunning(s, "stubborn", work_);
  ASSERT_GT(polite, 0);
  ASSERT_GT(stubborn, 0);

  std::thread stopping([&] { s.Stop(); });
  AwaitClockWaits();  // SIGTERM sent; Stop waits out the grace for the stubborn one
  EXPECT_TRUE(WaitFor([&] { return Gone(polite); })) << "SIGTERM did not stop the polite service";
  clock_.Advance(std::chrono::milliseconds(2999));
  AwaitClockWaits();
  EXPECT_FALSE(Gone(stubborn)) << "killed before the grace passed";
  clock_.Advance(std::chrono::milliseconds(1));
  stopping.join();
  EXPECT_TRUE(Gone(stubborn));
  EXPECT_TRUE(s.Services().empty());
  s.Stop();
  EXPECT_EQ(s.Replan({Sleeper("polite", work_)}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(WorkloadTest, StartBringsBackThePersistedPlan) {
  pid_t old_pid = 0;
  {
    Supervisor s(state_, clock_);
    ASSERT_TRUE(s.Start().ok());  // nothing saved yet
    EXPECT_TRUE(s.Services().empty());
    ServiceSpec spec = Sleeper("db", work_);
    spec.environment["X"] = "1";
    ASSERT_TRUE(s.Replan({spec}).ok());
    old_pid = WaitRunning(s, "db", work_);
    ASSERT_GT(old_pid, 0);
  }  // the destructor stops the service
  EXPECT_TRUE(Gone(old_pid));

  Supervisor again(state_, clock_);
  EXPECT_TRUE(again.Services().empty());
  ASSERT_TRUE(again.Start().ok());
  pid_t new_pid = WaitRunning(again, "db", work_, old_pid);
  EXPECT_GT(new_pid, 0);
  EXPECT_EQ(again.Services().size(), 1u);
}

TEST_F(WorkloadTest, CorruptPlanIsDataLoss) {
  testing::WriteFile(state_ + "/plan.json", "{not json");
  Supervisor s(state_, clock_);
  EXPECT_EQ(s.Start().code(), absl::StatusCode::kDataLoss);
}

TEST_F(WorkloadTest, ServiceGetsExactlyItsEnvironmentAndLogsToItsFile) {
  ::setenv("SKEIN_WORKLOAD_TEST_LEAK", "1", 1);
  ServiceSpec spec;
  spec.name = "env";
  // A bare `sh` is found through the default PATH; the working dir defaults to the state dir.
  spec.command = {"sh", "-c", "env > env.txt; echo to-stdout; echo to-stderr >&2; echo done > done; exec sleep 1000"};
  spec.environment = {{"GREETING", "hello world"}};
  Supervisor s(state_, clock_);
  ASSERT_TRUE(s.Replan({spec}).ok());
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(state_ + "/done"); }));
  std::string env = ReadFile(state_ + "/env.txt");
  EXPECT_THAT(env, HasSubstr("GREETING=hello world\n"));
  EXPECT_THAT(env, HasSubstr("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"));
  EXPECT_THAT(env, Not(HasSubstr("SKEIN_WORKLOAD_TEST_LEAK")));
  std::string log = ReadFile(state_ + "/env.log");
  EXPECT_THAT(log, HasSubstr("to-stdout\n"));
  EXPECT_THAT(log, HasSubstr("to-stderr\n"));
  ::unsetenv("SKEIN_WORKLOAD_TEST_LEAK");
}

TEST_F(WorkloadTest, ExitingServiceIsRestartedWithDoublingBackoffUpToTheCap) {
  Supervisor s(state_, clock_);  // Pebble's backoff: 0.5 s, doubling up to 10 s
  ServiceSpec spec;
  spec.name = "flaky";
  spec.command = {"/bin/sh", "-c", "echo run >> runs; exit 3"};
  spec.working_dir = work_;
  ASSERT_TRUE(s.Replan({spec}).ok());
  auto runs = [&] {
    std::string text = ReadFile(work_ + "/runs");
    return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  };
  const std::vector<std::chrono::milliseconds> backoff = {
      std::chrono::milliseconds(500), std::chrono::seconds(1), std::chrono::seconds(2), std::chrono::seconds(4),
      std::chrono::seconds(8),        std::chrono::seconds(10), std::chrono::seconds(10)};
  for (size_t i = 0; i < backoff.size(); ++i) {
    AwaitClockWaits();  // run i+1 exited; the supervisor waits out the backoff
    ASSERT_EQ(runs(), static_cast<int>(i + 1));
    clock_.Advance(backoff[i] - std::chrono::milliseconds(1));
    AwaitClockWaits();
    EXPECT_EQ(Info(s, "flaky")->restarts, static_cast<int>(i)) << "restarted before " << backoff[i].count() << " ms";
    clock_.Advance(std::chrono::milliseconds(1));
    ASSERT_TRUE(WaitFor([&] { return Info(s, "flaky")->restarts == static_cast<int>(i + 1); }));
  }
  auto info = Info(s, "flaky");
  EXPECT_EQ(info->last_exit_status, 3);
  EXPECT_TRUE(info->last_error.empty());
}

TEST_F(WorkloadTest, BackoffStartsOverAfterALongRun) {
  Supervisor s(state_, clock_);
  ASSERT_TRUE(s.Replan({Sleeper("web", work_)}).ok());
  pid_t pid = WaitRunning(s, "web", work_);
  for (int i = 0; i < 3; ++i) {  // three quick crashes: the backoff grows to 2 s
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    AwaitClockWaits();
    clock_.Advance(std::chrono::milliseconds(500) * (1 << i));
    pid = WaitRunning(s, "web", work_, pid);
    ASSERT_GT(pid, 0);
  }
  clock_.Advance(std::chrono::seconds(31));  // a run longer than reset_after (30 s)
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  AwaitClockWaits();
  clock_.Advance(std::chrono::milliseconds(500));
  EXPECT_GT(WaitRunning(s, "web", work_, pid), 0) << "the backoff did not start over at 0.5 s";
  EXPECT_EQ(Info(s, "web")->restarts, 4);
}

TEST_F(WorkloadTest, CommandThatCannotStartIsRetriedAndReported) {
  Supervisor s(state_, clock_);
  ServiceSpec spec;
  spec.name = "missing";
  spec.command = {"/nonexistent/binary"};
  ASSERT_TRUE(s.Replan({spec}).ok());
  AwaitClockWaits();
  auto info = Info(s, "missing");
  EXPECT_FALSE(info->running);
  EXPECT_THAT(info->last_error, HasSubstr("No such file"));
  EXPECT_EQ(info->restarts, 0);
  clock_.Advance(std::chrono::milliseconds(500));
  ASSERT_TRUE(WaitFor([&] { return Info(s, "missing")->restarts >= 1; }));
}

TEST_F(WorkloadTest, InvalidPlansChangeNothing) {
  Supervisor s(state_, clock_);
  ServiceSpec spec = Sleeper("ok", work_);
  ServiceSpec bad_name = spec;
  bad_name.name = "../x";
  ServiceSpec no_command = spec;
  no_command.name = "empty";
  no_command.command.clear();
  EXPECT_EQ(s.Replan({bad_name}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Replan({spec, spec}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.Replan({no_command}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(s.Services().empty());
  EXPECT_FALSE(std::filesystem::exists(state_ + "/plan.json"));
}

}  // namespace
}  // namespace skein::agent::workload
