// bootstrap and kill-controller: the files they write, the daemon start/stop pieces, and the
// whole flow against fake daemons that keep the real daemons' process contract.

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/credential.h"
#include "lib/base/unit_uids.h"
#include "lib/process/subprocess.h"
#include "lib/process/tcp_listen.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/bootstrap/controller_port.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/local_files.h"
#include "tools/cli/client/client_store.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::bootstrap {
namespace {
namespace fs = std::filesystem;

using testing::CliRun;
using testing::TempDir;

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

TEST(LocalFilesTest, BootstrapYaml) {
  BootstrapConfig c{"local", "uuid-1", "hash-a", "hash-m", "host1", "127.0.0.1"};
  EXPECT_EQ(BootstrapYaml(c),
            "controller-name: local\n"
            "controller-uuid: uuid-1\n"
            "admin-credential-hash: hash-a\n"
            "machine-0-credential-hash: hash-m\n"
            "machine-0-hostname: host1\n"
            "machine-0-address: 127.0.0.1\n");
}

TEST(DaemonTest, WaitsForTheReadyLine) {
  TempDir dir;
  DaemonSpec spec;
  spec.binary = "/bin/sh";
  // The ready fd number arrives as $2 (after "--ready-fd").
  spec.args = {"-c", "echo 127.0.0.1:4242 >&$2; exec sleep 600", "sh"};
  spec.log_path = dir.path() + "/log";
  auto d = StartDaemon(spec, RealClock());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->ready_line, "127.0.0.1:4242");
  EXPECT_TRUE(process::IsAlive(d->pid));
  // The shell writes the line before it execs sleep: wait for the exec, with a deadline.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!ProcessIs(d->pid, "sleep") && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(ProcessIs(d->pid, "sleep"));
  EXPECT_FALSE(ProcessIs(d->pid, "skein-controller"));
  EXPECT_TRUE(StopProcess(d->pid, std::chrono::milliseconds(2000)));
  EXPECT_FALSE(process::IsAlive(d->pid));
  EXPECT_FALSE(ProcessIs(d->pid, "sleep"));
}

TEST(DaemonTest, ExitBeforeReadyQuotesTheLog) {
  TempDir dir;
  DaemonSpec spec;
  spec.binary = "/bin/sh";
  spec.args = {"-c", "echo cannot open database >&2; exit 3", "sh"};
  spec.log_path = dir.path() + "/log";
  auto d = StartDaemon(spec, RealClock());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(d.status().message(), "sh stopped before it was ready: cannot open database");
}

TEST(DaemonTest, NotReadyInTimeIsStopped) {
  TempDir dir;
  DaemonSpec spec;
  spec.binary = "/bin/sh";
  spec.args = {"-c", "echo $$ > " + dir.path() + "/pid; exec sleep 600", "sh"};
  spec.log_path = dir.path() + "/log";
  spec.ready_timeout = std::chrono::milliseconds(300);
  auto d = StartDaemon(spec, RealClock());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDeadlineExceeded);
  auto pid = process::ReadPidFile(dir.path() + "/pid");
  ASSERT_TRUE(pid.has_value());
  EXPECT_FALSE(process::IsAlive(*pid));
}

TEST(DaemonTest, MissingBinary) {
  TempDir dir;
  DaemonSpec spec;
  spec.binary = dir.path() + "/nope";
  spec.log_path = dir.path() + "/log";
  auto d = StartDaemon(spec, RealClock());
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("cannot run"), absl::string_view::npos) << d.status();
}

TEST(DaemonTest, FindsProcessesOfADataDirByArgvAndEnvironment) {
  TempDir dir;
  const std::string root = dir.path() + "/data";
  process::SpawnOptions by_argv;
  by_argv.argv = {"/bin/sh", "-c", "sleep 600; :", "sh", "--data-dir", root + "/controller"};
  auto a = process::Spawn(by_argv);
  ASSERT_TRUE(a.ok());
  process::SpawnOptions by_env;
  by_env.argv = {"/bin/sleep", "600"};
  by_env.env = std::map<std::string, std::string>{
      {"JUJU_CHARM_DIR", root + "/machine-0/agents/0b5c3c7e-6f1a-4c1e-9a43-2f7d2e8b9c10/unit-a-0/charm"}};
  auto b = process::Spawn(by_env);
  ASSERT_TRUE(b.ok());
  process::SpawnOptions unrelated;
  unrelated.argv = {"/bin/sh", "-c", "sleep 600; :", "sh", "--data-dir", root + "-other"};
  auto c = process::Spawn(unrelated);
  ASSERT_TRUE(c.ok());

  // The shell of `a` forks its `sleep`, and until that child execs it still shows the shell's
  // command line: finding it too is right (it runs for the data directory), so the test asks for
  // a and b and refuses only the unrelated c.
  std::vector<pid_t> found = FindProcessesUnder(root);
  EXPECT_THAT(found, ::testing::IsSupersetOf({*a, *b}));
  EXPECT_THAT(found, ::testing::Not(::testing::Contains(*c)));
  EXPECT_TRUE(ProcessIs(*b, "sleep"));
  for (pid_t pid : {*a, *b, *c}) EXPECT_TRUE(StopProcess(pid, std::chrono::milliseconds(2000)));
  EXPECT_TRUE(FindProcessesUnder(root).empty());
}

TEST(ControllerPortTest, RangeLiesBelowTheEphemeralPorts) {
  EXPECT_EQ(EphemeralPortStart("32768\t60999\n"), 32768);
  EXPECT_EQ(EphemeralPortStart("20000 30000"), 20000);
  EXPECT_EQ(EphemeralPortStart(""), 32768);
  EXPECT_EQ(EphemeralPortStart("junk"), 32768);
  PortRange usual = ControllerPortRange(32768);
  EXPECT_EQ(usual.first, 10000);
  EXPECT_EQ(usual.last, 32767);
  // Never above 32767, even when the ephemeral range starts higher.
  EXPECT_EQ(ControllerPortRange(49152).last, 32767);
  EXPECT_EQ(ControllerPortRange(20000).last, 19999);
  // Nothing sensible below a very low ephemeral start: the ports under 32768 then.
  EXPECT_EQ(ControllerPortRange(10500).last, 32767);
}

TEST(ControllerPortTest, PicksAPortThatCanBeListenedOn) {
  std::mt19937 rng(7);
  PortRange range = HostControllerPortRange();
  auto port = PickControllerPort(range, rng);
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_GE(*port, range.first);
  EXPECT_LE(*port, range.last);
  EXPECT_LT(*port, 32768);
  EXPECT_TRUE(process::CheckCanListen("127.0.0.1:" + std::to_string(*port)).ok());
}

// bootstrap + kill-controller against the fake daemons.
class LocalControllerTest : public ::testing::Test {
 protected:
  // As root, bootstrap runs units under uids of their own, which must reach the data dir.
  LocalControllerTest() { ::chmod(dir_.path().c_str(), 0711); }
  ~LocalControllerTest() override {
    for (const char* v : {"SKEIN_FAKE_CONTROLLER_FAIL", "SKEIN_FAKE_MACHINE_AGENT_FAIL", "SKEIN_FAKE_CONTROLLER_HANG",
                          "SKEIN_FAKE_CONTROLLER_PORT_TAKEN"}) {
      ::unsetenv(v);
    }
    for (pid_t pid : FindProcessesUnder(data())) ::kill(pid, SIGKILL);
  }
  std::string data() const { return dir_.path() + "/data"; }
  CliRun Skein(const std::vector<std::string>& args, std::chrono::milliseconds ready = std::chrono::seconds(10)) {
    testing::RunOptions o;
    o.bin_dir = SKEIN_CLI_FAKE_BIN;
    o.ready_timeout = ready;
    return testing::RunSkein(data(), args, o);
  }
  void ExpectNothingLeft() {
    EXPECT_EQ(FindProcessesUnder(data()), std::vector<pid_t>{});
    EXPECT_FALSE(fs::exists(data() + "/controller"));
    EXPECT_FALSE(fs::exists(data() + "/machine-0"));
  }

  TempDir dir_;
};

TEST_F(LocalControllerTest, AsRootBootstrapRefusesADataDirTheUnitsCannotReach) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: only then do units run under uids of their own";
  ::chmod(dir_.path().c_str(), 0700);
  CliRun r = Skein({"bootstrap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("ERROR unit agents run under their own uids and could not reach " + data() + ": " +
                            dir_.path() + " is closed to other users; ",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("--unit-uids none"), std::string::npos) << r.err;
  ExpectNothingLeft();
  EXPECT_FALSE(fs::exists(data() + "/client.yaml"));

  // Said plainly, the same data dir is fine without separation.
  r = Skein({"bootstrap", "--unit-uids", "none"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("without privilege separation: --unit-uids none"), std::string::npos) << r.err;
  YAML::Node conf = YAML::LoadFile(data() + "/machine-0/agent.conf");
  EXPECT_FALSE(conf["unit-uids"]);
}

TEST_F(LocalControllerTest, BootstrapThenKillLeavesNothingBehind) {
  CliRun r = Skein({"bootstrap", "--no-switch"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("Creating Juju controller \"local\" on local/localhost\n", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("\nBootstrap complete, controller \"local\" is now available\n"), std::string::npos) << r.err;

  // client.yaml: private, with the controller's address and the current model.
  EXPECT_EQ(ModeOf(data() + "/client.yaml"), 0600u);
  auto config = client::LoadClientConfig(data());
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(config->controllers.count("local"), 1u);
  const client::ControllerEntry& e = config->controllers["local"];
  EXPECT_EQ(config->current_controller, "local");
  EXPECT_EQ(e.current_model, "controller");
  EXPECT_EQ(e.address + "\n", ReadAll(data() + "/controller/address"));

  // bootstrap.yaml holds hashes of the credentials handed out, never the secrets.
  EXPECT_EQ(ModeOf(data() + "/controller"), 0700u);
  YAML::Node b = YAML::LoadFile(data() + "/controller/bootstrap.yaml");
  EXPECT_EQ(b["controller-name"].as<std::string>(), "local");
  EXPECT_EQ(b["controller-uuid"].as<std::string>(), e.uuid);
  EXPECT_TRUE(CredentialMatches(e.admin_credential, b["admin-credential-hash"].as<std::string>()));
  EXPECT_EQ(b["machine-0-address"].as<std::string>(), "127.0.0.1");
  EXPECT_FALSE(b["machine-0-hostname"].as<std::string>().empty());
  EXPECT_EQ(ModeOf(data() + "/machine-0/agent.conf"), 0600u);
  YAML::Node conf = YAML::LoadFile(data() + "/machine-0/agent.conf");
  // As root, machine 0's units get uids of their own, recorded for the machine agent and status.
  if (::geteuid() == 0) {
    auto range = ParseUidRangeFirst(conf["unit-uids"].as<std::string>(""));
    ASSERT_TRUE(range.ok()) << range.status();
    EXPECT_EQ(b["machine-0-unit-uids"].as<std::string>(""), range->ToString());
    EXPECT_EQ(ModeOf(data()), 0711u);
  }
  EXPECT_EQ(conf["controller"].as<std::string>(), e.address);
  EXPECT_TRUE(CredentialMatches(conf["credential"].as<std::string>(), b["machine-0-credential-hash"].as<std::string>()));
  EXPECT_EQ(ReadAll(data() + "/controller/bootstrap.yaml").find(e.admin_credential), std::string::npos);

  // TLS: the CA and the controller's certificate and keys, private, in the controller's dir; the
  // CA certificate (never its key) in client.yaml and the machine agent's agent.conf.
  for (const char* file : {"ca.crt", "ca.key", "controller.crt", "controller.key"}) {
    EXPECT_EQ(ModeOf(data() + "/controller/" + file), 0600u) << file;
  }
  const std::string ca = ReadAll(data() + "/controller/ca.crt");
  EXPECT_EQ(ca.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(e.ca_cert, ca);
  EXPECT_EQ(conf["ca-cert"].as<std::string>(), ca);
  EXPECT_EQ(ReadAll(data() + "/client.yaml").find("PRIVATE KEY"), std::string::npos);

  auto controller_pid = process::ReadPidFile(data() + "/controller/controller.pid");
  auto machine_pid = process::ReadPidFile(data() + "/machine-0/machine-agent.pid");
  ASSERT_TRUE(controller_pid && machine_pid);
  EXPECT_TRUE(ProcessIs(*controller_pid, "skein-controller"));
  EXPECT_TRUE(ProcessIs(*machine_pid, "skein-machine-agent"));

  // The CLI talks to it with the admin credential.
  r = Skein({"models"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("controller*"), std::string::npos) << r.out;

  r = Skein({"bootstrap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR controller \"local\" already exists\n");

  r = Skein({"kill-controller", "local", "--no-prompt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.rfind("Destroying controller \"local\"\n", 0), 0u) << r.err;
  EXPECT_FALSE(process::IsAlive(*controller_pid));
  EXPECT_FALSE(process::IsAlive(*machine_pid));
  ExpectNothingLeft();  // including the orphaned "hook" and the unit socket
  config = client::LoadClientConfig(data());
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->controllers.empty());
  r = Skein({"status"});
  EXPECT_EQ(r.err.rfind("ERROR No controllers registered.", 0), 0u) << r.err;

  // And it can be bootstrapped again.
  r = Skein({"bootstrap"});
  ASSERT_EQ(r.code, 0) << r.err;
  r = Skein({"kill-controller", "-y"});
  ASSERT_EQ(r.code, 0) << r.err;
  ExpectNothingLeft();
}

TEST_F(LocalControllerTest, TheControllerGetsAStoredPortBelowTheEphemeralRange) {
  CliRun r = Skein({"bootstrap"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::string address = ReadAll(data() + "/controller/address");
  ASSERT_EQ(address.rfind("127.0.0.1:", 0), 0u) << address;
  const int port = std::stoi(address.substr(10));
  PortRange range = HostControllerPortRange();
  EXPECT_GE(port, range.first);
  EXPECT_LE(port, range.last);
  EXPECT_LT(port, 32768);
  // The CLI and the machine agent dial that address.
  auto config = client::LoadClientConfig(data());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->controllers["local"].address + "\n", address);
  EXPECT_EQ(YAML::LoadFile(data() + "/machine-0/agent.conf")["controller"].as<std::string>() + "\n", address);
  ASSERT_EQ(Skein({"kill-controller", "-y"}).code, 0);
}

TEST_F(LocalControllerTest, BootstrapPicksAgainWhenItsPortWasTakenBeforeTheControllerBoundIt) {
  ::setenv("SKEIN_FAKE_CONTROLLER_PORT_TAKEN", "1", 1);
  CliRun r = Skein({"bootstrap"});
  ASSERT_EQ(r.code, 0) << r.err;
  // The fake controller's first start found "its" port taken and said so, as the real one does.
  std::string taken = ReadAll(data() + "/controller/fake-port-taken");
  ASSERT_EQ(taken.rfind("127.0.0.1:", 0), 0u) << taken;
  EXPECT_NE(r.err.find(" - port " + taken.substr(10, taken.size() - 11) + " was taken meanwhile, trying another\n"),
            std::string::npos)
      << r.err;
  std::string address = ReadAll(data() + "/controller/address");
  EXPECT_NE(address, taken);
  auto config = client::LoadClientConfig(data());
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->controllers["local"].address + "\n", address);
  r = Skein({"models"});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(Skein({"kill-controller", "-y"}).code, 0);
}

TEST_F(LocalControllerTest, FailedMachineAgentRollsEverythingBack) {
  ::setenv("SKEIN_FAKE_MACHINE_AGENT_FAIL", "1", 1);
  CliRun r = Skein({"bootstrap"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("ERROR skein-machine-agent stopped before it was ready: fake daemon: failing as asked\n"),
            std::string::npos)
      << r.err;
  ExpectNothingLeft();
  EXPECT_FALSE(fs::exists(data() + "/client.yaml"));
}

TEST_F(LocalControllerTest, ControllerNotReadyInTime) {
  ::setenv("SKEIN_FAKE_CONTROLLER_HANG", "1", 1);
  CliRun r = Skein({"bootstrap"}, std::chrono::milliseconds(500));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("ERROR skein-controller was not ready after 500ms\n"), std::string::npos) << r.err;
  ExpectNothingLeft();
}

TEST_F(LocalControllerTest, MissingDaemonBinary) {
  testing::RunOptions o;
  o.bin_dir = dir_.path();
  CliRun r = testing::RunSkein(data(), {"bootstrap"}, o);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "ERROR cannot find skein-controller in " + dir_.path() + "\n");
  ExpectNothingLeft();
}

TEST_F(LocalControllerTest, KillControllerCleansUpUnregisteredLeftovers) {
  // A crash left the dirs and a process but no client.yaml entry.
  process::SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "sleep 600; :", "sh", "--data-dir", data() + "/controller"};
  fs::create_directories(data() + "/controller");
  auto pid = process::Spawn(o);
  ASSERT_TRUE(pid.ok());
  CliRun r = Skein({"bootstrap"});
  EXPECT_EQ(r.code, 1);
  r = Skein({"kill-controller", "--no-prompt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(process::IsAlive(*pid));
  ExpectNothingLeft();
}

}  // namespace
}  // namespace skein::cli::bootstrap
