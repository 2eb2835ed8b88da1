// Privilege separation end to end (issue 14): bootstrapped as root, every unit agent and its
// hooks run under a uid of their own. The probe charm's install hook is the security reviewer's
// "evil" charm: it tries to read the admin credential (client.yaml), the machine agent's
// credential, the controller's database, bootstrap file and CA key, another unit's agent.conf,
// and to list the data directory, and writes what it could read into its own dir. Each unit
// finds nothing but its own credential. A charm that declares `charm-user: root` runs as root;
// `--unit-uids none` runs every unit as root, and bootstrap and `status` say so.

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// What the probe tries, relative to its charm dir
// (<data>/machine-0/agents/<model-uuid>/unit-<app>-<n>/charm), and what that is.
struct Target {
  const char* relative;
  const char* what;
};
const std::vector<Target> kTargets = {
    {"../../../../../client.yaml", "the admin credential"},
    {"../../../../agent.conf", "the machine agent's credential"},
    {"../../../../../controller/controller.db", "the controller's database"},
    {"../../../../../controller/bootstrap.yaml", "the bootstrap file"},
    {"../../../../../controller/ca.key", "the CA's key"},
    {"../../unit-probe-0/agent.conf", "probe/0's credential"},
    {"../../unit-probe-1/agent.conf", "probe/1's credential"},
};

class PrivilegeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: only a root bootstrap runs units under uids of their own";
  }

  void Ok(const std::vector<std::string>& args) {
    CliResult r = cluster_.Skein(args);
    ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
  }

  // The probe charm, named `name`; `root` adds `charm-user: root` to its metadata.
  std::string WriteProbeCharm(const std::string& name, bool root) {
    const fs::path dir = fs::path(cluster_.scratch_dir()) / name;
    fs::create_directories(dir / "hooks");
    std::ofstream(dir / "metadata.yaml") << "name: " << name << "\nsummary: reads what is not its own\n"
                                         << "description: test charm\n" << (root ? "charm-user: root\n" : "");
    std::string script = "#!/bin/sh\ncd \"$JUJU_CHARM_DIR\"\nout=../probe.txt\n: > $out\necho \"UID $(id -u)\" >> $out\n";
    for (const Target& t : kTargets) {
      absl::StrAppend(&script, "if cat ", t.relative, " > /dev/null 2>&1; then echo \"READ ", t.relative,
                      "\" >> $out; else echo \"DENIED ", t.relative, "\" >> $out; fi\n");
    }
    absl::StrAppend(&script,
                    "if ls ../../../../.. > /dev/null 2>&1; then echo \"READ data dir listing\" >> $out; "
                    "else echo \"DENIED data dir listing\" >> $out; fi\n",
                    "status-set active probed\n");
    std::ofstream(dir / "hooks" / "install") << script;
    fs::permissions(dir / "hooks" / "install", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                                   fs::perms::others_read | fs::perms::others_exec);
    return dir.string();
  }

  // The probe's findings for `unit`: `UID n`, then `READ x` / `DENIED x` per target.
  std::vector<std::string> Findings(const std::string& unit) {
    const std::string file = cluster_.AgentDir(unit) + "/probe.txt";
    EXPECT_TRUE(WaitFor([&] { return ReadLines(file).size() == kTargets.size() + 2; }, 60s))
        << unit << " never finished its probe";
    return ReadLines(file);
  }
  static bool Has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
  std::string MachineMessage() {
    json s = cluster_.Status();
    return s["machines"]["0"]["machine-status"].value("message", "");
  }
  std::string ProbeUnitDir(int n) { return cluster_.AgentDir("probe/" + std::to_string(n)); }

  Cluster cluster_;
};

TEST_F(PrivilegeTest, AnEvilCharmFindsNothingThatIsNotItsOwn) {
  CliResult boot = cluster_.Skein({"bootstrap"});
  ASSERT_EQ(boot.code, 0) << boot.err;
  EXPECT_NE(boot.err.find(" - unit agents run under their own uids "), std::string::npos) << boot.err;
  Ok({"add-model", "trust"});
  Ok({"deploy", WriteProbeCharm("probe", /*root=*/false), "-n", "2"});
  ASSERT_TRUE(cluster_.WaitForStatus(
      [](const json& s) { return UnitSettled(s, "probe/0", "active") && UnitSettled(s, "probe/1", "active"); }, 120s));

  std::vector<std::string> uids;
  for (int n : {0, 1}) {
    const std::vector<std::string> found = Findings("probe/" + std::to_string(n));
    ASSERT_FALSE(found.empty());
    uids.push_back(found[0]);
    EXPECT_NE(found[0], "UID 0");
    for (const Target& t : kTargets) {
      // The targets are there (root sees them): a denial is the uid's, not a missing file.
      const fs::path path = fs::path(ProbeUnitDir(n)) / "charm" / t.relative;
      EXPECT_TRUE(fs::exists(path)) << path;
      const bool own = std::string(t.relative) == "../../unit-probe-" + std::to_string(n) + "/agent.conf";
      EXPECT_TRUE(Has(found, std::string(own ? "READ " : "DENIED ") + t.relative))
          << "probe/" << n << (own ? " cannot read its own credential " : " could read ") << t.what;
    }
    EXPECT_TRUE(Has(found, "DENIED data dir listing")) << "probe/" << n << " could list the data dir";
    struct stat st {};
    ASSERT_EQ(::stat(ProbeUnitDir(n).c_str(), &st), 0);
    EXPECT_EQ(found[0], "UID " + std::to_string(st.st_uid)) << "its dir belongs to its uid";
    EXPECT_EQ(st.st_mode & 07777, 0700u);
  }
  EXPECT_NE(uids[0], uids[1]) << "two units share a uid";
  EXPECT_EQ(MachineMessage(), "");

  // A charm that asks for root gets it, and with it everything.
  Ok({"deploy", WriteProbeCharm("rooted", /*root=*/true)});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return UnitSettled(s, "rooted/0", "active"); }, 120s));
  const std::string rooted = cluster_.AgentDir("rooted/0") + "/probe.txt";
  ASSERT_TRUE(WaitFor([&] { return ReadLines(rooted).size() == kTargets.size() + 2; }, 60s));
  EXPECT_EQ(ReadLines(rooted)[0], "UID 0");
  EXPECT_TRUE(Has(ReadLines(rooted), "READ ../../../../../client.yaml"));

  // Removing a unit frees its uid: nothing runs as it any more.
  const std::string freed = uids[1].substr(4);
  Ok({"remove-unit", "probe/1"});
  ASSERT_TRUE(cluster_.WaitForStatus([](const json& s) { return !HasUnit(s, "probe/1"); }, 60s));
  EXPECT_TRUE(WaitFor([&] { return !fs::exists("/tmp/skein-" + freed); }, 30s)) << "its runtime dir is left";
}

TEST_F(PrivilegeTest, WithoutSeparationBootstrapAndStatusSaySo) {
  CliResult boot = cluster_.Skein({"bootstrap", "--unit-uids", "none"});
  ASSERT_EQ(boot.code, 0) << boot.err;
  EXPECT_NE(boot.err.find("unit agents run as the controller's user, without privilege separation: --unit-uids none"),
            std::string::npos)
      << boot.err;
  EXPECT_NE(MachineMessage().find("no privilege separation"), std::string::npos) << MachineMessage();
  Ok({"add-model", "open"});
  Ok({"deploy", WriteProbeCharm("probe", /*root=*/false)});
  const std::vector<std::string> found = Findings("probe/0");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0], "UID 0");
  EXPECT_TRUE(Has(found, "READ ../../../../../client.yaml"));
}

TEST_F(PrivilegeTest, ABadRangeIsAUsageErrorAndWritesNothing) {
  CliResult r = cluster_.Skein({"bootstrap", "--unit-uids", "1000"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("ERROR invalid --unit-uids \"1000\""), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(cluster_.data_dir() + "/controller"));
}

}  // namespace
}  // namespace skein::e2e
