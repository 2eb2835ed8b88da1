// The unit agent's Pebble host (agents/unit/pebble/pebble_host.h) with the real Pebble the build
// places next to the test binaries: a container's Pebble comes up and reports pebble-ready, a
// `pebble notify` becomes a custom-notice event once, a restarted host (a restarted agent) reports
// pebble-ready for its new Pebble but no notice that already ran, and Stop() leaves no Pebble.

#include "agents/unit/pebble/pebble_host.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "agents/unit/pebble/pebble_client.h"
#include "agents/unit/resolver/resolver.h"
#include "gtest/gtest.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/base/paths.h"
#include "lib/process/subprocess.h"
#include "tests/agents/unit/test_util.h"

namespace skein::agent::pebble {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr auto kDeadline = std::chrono::seconds(20);

// Counts listener calls, so a test waits for the next event on a condition instead of a sleep.
struct Events {
  Mutex mu;
  CondVar cv;
  int count ABSL_GUARDED_BY(mu) = 0;

  void Arrived() {
    MutexLock lock(mu);
    ++count;
    cv.NotifyAll();
  }
};

// The host's oldest event once there is one (nullopt after kDeadline).
std::optional<HookInfo> NextEvent(PebbleHost& host, Events& events) {
  MutexLock lock(events.mu);
  std::optional<HookInfo> next;
  RealClock().WaitFor(events.mu, events.cv, kDeadline, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(events.mu) {
    next = host.Next();
    return next.has_value();
  });
  return next;
}

class PebbleHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = ExecutableDir() + "/pebble";
    ASSERT_TRUE(fs::exists(binary_)) << "no Pebble at " << binary_
                                     << ": run tools/k8s/build, then build skein-agent (it copies the binary there)";
    // A short runtime dir, as lib/base/runtime_dir.h makes for an agent (a socket path is short).
    std::string pattern = "/tmp/skein-pebble-XXXXXX";
    runtime_ = ::mkdtemp(pattern.data());
    options_.binary = binary_;
    options_.agent_dir = dir_.path() + "/unit-app-0";
    options_.runtime_dir = runtime_;
    options_.notice_wait = std::chrono::seconds(2);
  }
  void TearDown() override {
    std::error_code ec;
    if (!runtime_.empty()) fs::remove_all(runtime_, ec);
  }

  void Notify(const std::string& key) {
    process::SpawnOptions notify;
    notify.argv = {binary_, "notify", key};
    // Through the link the charm's /charm/containers/web/pebble.socket is.
    notify.env = std::map<std::string, std::string>{{"PEBBLE_SOCKET", options_.agent_dir + "/containers/web/pebble.socket"}};
    auto run = process::Run(notify, std::chrono::seconds(10));
    ASSERT_TRUE(run.ok()) << run.status();
    ASSERT_EQ(run->exit_code, 0) << run->stderr_text;
  }

  TempDir dir_;
  std::string binary_;
  std::string runtime_;
  PebbleHostOptions options_;
};

TEST_F(PebbleHostTest, ReadyThenANoticeOnceAndNeitherTwiceAfterARestart) {
  LocalState state;
  std::string first_boot;
  {
    Events events;
    PebbleHost host(options_, RealClock());
    host.SetListener([&] { events.Arrived(); });
    host.SetContainers({"web"}, state);
    std::optional<HookInfo> ready = NextEvent(host, events);
    ASSERT_TRUE(ready.has_value()) << "no pebble-ready within the deadline";
    EXPECT_EQ(ready->Name(), "web-pebble-ready");
    EXPECT_EQ(ready->workload_name, "web");
    ASSERT_FALSE(ready->pebble_instance.empty());
    first_boot = ready->pebble_instance;
    resolver::RecordHook(state, *ready);
    host.DropDone(state);
    EXPECT_FALSE(host.Next().has_value());

    ASSERT_NO_FATAL_FAILURE(Notify("example.com/one"));
    std::optional<HookInfo> notice = NextEvent(host, events);
    ASSERT_TRUE(notice.has_value()) << "no custom notice within the deadline";
    EXPECT_EQ(notice->Name(), "web-pebble-custom-notice");
    EXPECT_EQ(notice->notice_type, "custom");
    EXPECT_EQ(notice->notice_key, "example.com/one");
    EXPECT_FALSE(notice->notice_id.empty());
    EXPECT_FALSE(notice->notice_cursor.empty());
    resolver::RecordHook(state, *notice);
    host.DropDone(state);
    EXPECT_FALSE(host.Next().has_value());
    host.Stop();
    // Stopped: nothing answers on the socket any more.
    auto info = PebbleClient(PebbleSocketPath(runtime_, "web")).Get("/v1/system-info", std::chrono::seconds(2));
    EXPECT_EQ(info.status().code(), absl::StatusCode::kUnavailable) << info.status();
  }
  // The agent restarts with the state it saved: a new Pebble is ready again, the notice that ran
  // stays done (Pebble kept it in its state dir), and a new one comes next.
  Events events;
  PebbleHost host(options_, RealClock());
  host.SetListener([&] { events.Arrived(); });
  host.SetContainers({"web"}, state);
  std::optional<HookInfo> ready = NextEvent(host, events);
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(ready->kind, HookKind::kPebbleReady);
  EXPECT_NE(ready->pebble_instance, first_boot);  // a new Pebble
  resolver::RecordHook(state, *ready);
  host.DropDone(state);
  ASSERT_NO_FATAL_FAILURE(Notify("example.com/two"));
  std::optional<HookInfo> notice = NextEvent(host, events);
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->notice_key, "example.com/two");
}

TEST_F(PebbleHostTest, ACharmWithoutContainersOrRunInTheAgentRunsNoPebble) {
  PebbleHost host(options_, RealClock());
  host.SetContainers({}, LocalState{});
  EXPECT_FALSE(host.Next().has_value());
  EXPECT_FALSE(fs::exists(options_.agent_dir + "/pebble"));
  // A built-in charm has the agent's own workload supervisor, whatever its metadata declares.
  options_.in_process_charm = [] { return true; };
  PebbleHost builtin(options_, RealClock());
  builtin.SetContainers({"web"}, LocalState{});
  EXPECT_FALSE(fs::exists(options_.agent_dir + "/pebble"));
}

}  // namespace
}  // namespace skein::agent::pebble
