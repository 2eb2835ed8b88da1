// Conformance (issue 15, acceptance 2): an unmodified-style ops 3.x charm (tests/testdata/charms/
// vault-ops) that uses secrets and storage as charms in the field do settles on skein. The owner's
// leader adds an application secret, grants it over the relation and changes it on a config
// change; the reader reads it by id with a label of its own and refreshes on secret-changed; the
// owner removes the revision nobody reads any more on secret-remove; every unit keeps a file in
// its `data` storage, found through model.storages.

#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "tests/conformance/conformance_fixture.h"

namespace skein::conformance {
namespace {

TEST(OpsSecretsStorageTest, AnOps3CharmSharesASecretOverARelationAndKeepsItsDataInStorage) {
  Cluster cluster;
  const std::string ops_dir = OpsDir("ops3", cluster.BinDir());
  if (!fs::exists(ops_dir + "/ops/__init__.py")) {
    GTEST_SKIP() << "ops 3.x is not installed in " << ops_dir
                 << " (tools/test installs it: pip install --target build/ops3 'ops==3.*')";
  }
  auto ok = [&](const std::vector<std::string>& args) {
    CliResult r = cluster.Skein(args);
    EXPECT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
    return r.code == 0;
  };
  ASSERT_TRUE(ok({"bootstrap"}));
  ASSERT_TRUE(ok({"add-model", "vault"}));
  for (const char* app : {"owner", "reader"}) {
    ASSERT_TRUE(ok({"deploy", e2e::TestCharm("vault-ops"), app, "--config", "python-path=" + ops_dir}));
  }
  ASSERT_TRUE(ok({"integrate", "owner:share", "reader:fetch"}));

  // Both settle: the reader read the shared secret, and each unit's storage holds its file.
  json status;
  bool read = cluster.WaitForStatus(
      [&](const json& s) {
        status = s;
        return e2e::UnitSettled(s, "owner/0", "active") && e2e::UnitSettled(s, "reader/0", "active") &&
               StatusField(e2e::WorkloadMessage(s, "reader/0"), "read") == "one" &&
               !StatusField(e2e::WorkloadMessage(s, "owner/0"), "shared").empty();
      },
      kSettleDeadline);
  ASSERT_TRUE(read) << status.dump(2);
  const json storage = cluster.Status()["storage"]["storage"];  // `status --format json`'s section
  for (const char* unit : {"owner/0", "reader/0"}) {
    const std::string data = StatusField(e2e::WorkloadMessage(status, unit), "data");
    ASSERT_FALSE(data.empty() || data == "None") << unit << ": " << e2e::WorkloadMessage(status, unit);
    EXPECT_EQ(e2e::ReadFile(data + "/owner"), std::string(unit) + "\n");
    const std::string id = std::string("data/") + (unit[0] == 'o' ? "0" : "1");  // deployed in this order
    EXPECT_EQ(storage[id]["status"]["current"], "attached") << storage.dump(2);
    EXPECT_EQ(storage[id]["attachments"]["units"][unit]["location"], data) << storage.dump(2);
  }

  // A new revision: the reader's secret-changed refreshes it; nobody reads revision 1 any more,
  // and the owner's secret-remove removes it.
  ASSERT_TRUE(ok({"config", "owner", "content=two"}));
  bool changed = cluster.WaitForStatus(
      [&](const json& s) {
        status = s;
        return StatusField(e2e::WorkloadMessage(s, "reader/0"), "read") == "two" &&
               StatusField(e2e::WorkloadMessage(s, "owner/0"), "removed") == "1" &&
               e2e::AgentStatus(s, "owner/0") == "idle" && e2e::AgentStatus(s, "reader/0") == "idle";
      },
      kSettleDeadline);
  ASSERT_TRUE(changed) << status.dump(2);
  EXPECT_EQ(e2e::WorkloadStatus(status, "owner/0"), "active");
  EXPECT_EQ(e2e::WorkloadStatus(status, "reader/0"), "active");
  CliResult secrets = cluster.Skein({"secrets", "--format", "json", "--revisions"});
  ASSERT_EQ(secrets.code, 0) << secrets.err;
  EXPECT_EQ(secrets.out.find("\"two\""), std::string::npos) << "secret content in `secrets`";
  ok({"kill-controller", "--no-prompt"});
}

}  // namespace
}  // namespace skein::conformance
