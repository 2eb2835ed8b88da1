// Issue 16: an ops sidecar charm (tests/testdata/charms/sidecar-ops, metadata `containers:`) runs
// unmodified on a local model. Each unit gets a real Pebble for its container, seen by ops at
// /charm/containers/web/pebble.socket in the unit's own mount namespace; web-pebble-ready fires
// (JUJU_WORKLOAD_NAME=web) and the charm's layer runs its service; `pebble notify` fires
// web-pebble-custom-notice on that unit only; a restarted agent fires pebble-ready for its new
// Pebble but no notice twice; a removed unit's Pebble is gone.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/process/subprocess.h"
#include "tests/conformance/conformance_fixture.h"

namespace skein::conformance {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The pid of the Pebble running with state dir `<agent dir>/pebble/<container>`, 0 when none.
pid_t PebbleOf(const std::string& agent_dir, const std::string& container) {
  const std::string want = "PEBBLE=" + agent_dir + "/pebble/" + container;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string cmdline = ReadAll(entry.path().string() + "/cmdline");
    if (cmdline.find("pebble") == std::string::npos || cmdline.find("run") == std::string::npos) continue;
    for (absl::string_view var : absl::StrSplit(ReadAll(entry.path().string() + "/environ"), '\0')) {
      if (var == want && process::IsAlive(std::stoi(name))) return std::stoi(name);
    }
  }
  return 0;
}

bool Active(const json& s, const std::string& unit, const std::string& ready) {
  const std::string m = e2e::WorkloadMessage(s, unit);
  return e2e::UnitSettled(s, unit, "active") && StatusField(m, "ready") == ready && StatusField(m, "service") == "active" &&
         StatusField(m, "connect") == "True";
}

TEST(OpsSidecarTest, EachUnitGetsItsOwnPebbleWithReadyAndNoticeHooksOnALocalModel) {
  Cluster cluster;
  const std::string ops_dir = OpsDir("ops3", cluster.BinDir());
  if (!fs::exists(ops_dir + "/ops/__init__.py")) {
    GTEST_SKIP() << "ops 3.x is not installed in " << ops_dir
                 << " (tools/test installs it: pip install --target build/ops3 'ops==3.*')";
  }
  const std::string pebble = cluster.BinDir() + "/pebble";
  ASSERT_TRUE(fs::exists(pebble)) << "no Pebble next to skein-agent (" << pebble
                                  << "): run tools/k8s/build, then build skein-agent (it copies the binary)";
  if (::geteuid() != 0) {
    GTEST_SKIP() << "sidecar units see their Pebble at /charm/containers only in a mount namespace of their own, "
                    "which the machine agent makes as root; run this test as root";
  }
  auto ok = [&](const std::vector<std::string>& args) {
    CliResult r = cluster.Skein(args);
    EXPECT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
    return r.code == 0;
  };
  ASSERT_TRUE(ok({"bootstrap"}));
  ASSERT_TRUE(ok({"add-model", "side"}));
  ASSERT_TRUE(ok({"deploy", e2e::TestCharm("sidecar-ops"), "sidecar", "-n", "2", "--config", "python-path=" + ops_dir}));

  // pebble-ready ran on each unit, the layer's service runs, and ops could connect.
  json status;
  ASSERT_TRUE(cluster.WaitForStatus(
      [&](const json& s) {
        status = s;
        return Active(s, "sidecar/0", "1") && Active(s, "sidecar/1", "1");
      },
      kSettleDeadline))
      << status.dump(2);
  const std::string dir0 = cluster.AgentDir("sidecar/0");
  const std::string dir1 = cluster.AgentDir("sidecar/1");
  const pid_t pebble0 = PebbleOf(dir0, "web");
  const pid_t pebble1 = PebbleOf(dir1, "web");
  ASSERT_NE(pebble0, 0);
  ASSERT_NE(pebble1, 0);
  EXPECT_NE(pebble0, pebble1);
  EXPECT_NE(ReadAll(dir0 + "/agent.log").find("pebble-ready for web (JUJU_WORKLOAD_NAME=web)"), std::string::npos);

  // A custom notice in unit 0's container fires its custom-notice hook, and only there.
  process::SpawnOptions notify;
  notify.argv = {pebble, "notify", "example.com/hello"};
  // The link's target: the temporary SKEIN_DATA makes the link's own path too long for a socket.
  const std::string socket0 = fs::read_symlink(dir0 + "/containers/web/pebble.socket").string();
  notify.env = std::map<std::string, std::string>{{"PEBBLE_SOCKET", socket0}};
  auto notified = process::Run(notify, std::chrono::seconds(10));
  ASSERT_TRUE(notified.ok()) << notified.status();
  ASSERT_EQ(notified->exit_code, 0) << notified->stderr_text;
  ASSERT_TRUE(cluster.WaitForStatus(
      [&](const json& s) {
        status = s;
        return StatusField(e2e::WorkloadMessage(s, "sidecar/0"), "notices") == "example.com/hello" &&
               e2e::AgentStatus(s, "sidecar/0") == "idle";
      },
      kSettleDeadline))
      << status.dump(2);
  EXPECT_EQ(StatusField(e2e::WorkloadMessage(status, "sidecar/1"), "notices"), "-");

  // A killed agent takes its Pebble with it; the restarted one runs a new Pebble, whose
  // pebble-ready fires, and the notice that already ran does not fire again.
  const pid_t agent0 = std::stoi(ReadAll(dir0 + "/agent.pid"));
  ASSERT_EQ(::kill(agent0, SIGKILL), 0);
  ASSERT_TRUE(e2e::WaitFor([&] { return !process::IsAlive(pebble0); })) << "Pebble outlived its agent";
  ASSERT_TRUE(cluster.WaitForStatus([&](const json& s) {
    status = s;
    return Active(s, "sidecar/0", "2");
  }, kSettleDeadline)) << status.dump(2);
  EXPECT_EQ(StatusField(e2e::WorkloadMessage(status, "sidecar/0"), "notices"), "example.com/hello");

  // A removed unit's Pebble is stopped.
  ASSERT_TRUE(ok({"remove-unit", "--no-prompt", "sidecar/1"}));
  ASSERT_TRUE(e2e::WaitFor([&] { return PebbleOf(dir1, "web") == 0; })) << "Pebble of a removed unit still runs";
  ASSERT_TRUE(cluster.WaitForStatus([&](const json& s) { return !e2e::HasUnit(s, "sidecar/1"); }, kSettleDeadline));
  EXPECT_TRUE(Active(cluster.Status(), "sidecar/0", "2"));
}

}  // namespace
}  // namespace skein::conformance
