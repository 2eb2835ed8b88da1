// `skein create-backup` and `skein restore-backup` end to end (tools/cli/bootstrap/backup.h): a
// backup taken while the controller runs, restored into a fresh SKEIN_DATA, gives the same
// status and the same export-bundle; restore refuses a data directory that is not empty.

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace skein::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

void Ok(const Cluster& cluster, const std::vector<std::string>& args) {
  CliResult r = cluster.Skein(args);
  ASSERT_EQ(r.code, 0) << "skein " << args[0] << " failed:\n" << r.err << r.out;
}

bool Answered(const json& s) {
  return UnitSettled(s, "kv-requirer/0", "active") && WorkloadMessage(s, "kv-requirer/0") == "answer: hello backup" &&
         UnitSettled(s, "kv-provider/0", "active");
}

// What a user compares in two status outputs: everything but the times and the controller's
// address, which a restore changes.
json Comparable(json status) {
  std::function<void(json&)> strip = [&](json& value) {
    if (value.is_object()) {
      for (const char* key : {"since", "timestamp", "controller-timestamp", "address", "public-address"}) {
        value.erase(key);
      }
      for (auto& [key, item] : value.items()) strip(item);
    } else if (value.is_array()) {
      for (auto& item : value) strip(item);
    }
  };
  strip(status);
  return status;
}

TEST(BackupE2eTest, ARestoredBackupShowsTheSameStatusAndBundle) {
  Cluster original;
  Ok(original, {"bootstrap"});
  Ok(original, {"add-model", "saved"});
  Ok(original, {"deploy", TestCharm("kv-provider")});
  Ok(original, {"deploy", TestCharm("kv-requirer"), "--config", "request=backup"});
  Ok(original, {"integrate", "kv-provider", "kv-requirer"});
  ASSERT_TRUE(original.WaitForStatus(Answered, 90s));
  const json status_before = original.Status();
  CliResult bundle_before = original.Skein({"export-bundle"});
  ASSERT_EQ(bundle_before.code, 0) << bundle_before.err;

  // Taken while the controller and every agent run.
  const std::string backup = original.scratch_dir() + "/saved.zip";
  CliResult created = original.Skein({"create-backup", "--file", backup});
  ASSERT_EQ(created.code, 0) << created.err;
  EXPECT_EQ(created.out, "Backup written to " + backup + "\n");
  struct stat st {};
  ASSERT_EQ(::stat(backup.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the backup holds the admin credential";

  // A data directory that is not empty is refused, and left as it was.
  Cluster busy;
  std::ofstream(busy.data_dir() + "/keep.txt") << "mine\n";
  CliResult refused = busy.Skein({"restore-backup", backup});
  EXPECT_EQ(refused.code, 1);
  EXPECT_EQ(refused.err, "ERROR cannot restore into " + busy.data_dir() +
                             ": it is not empty; restore-backup needs a fresh data directory (set SKEIN_DATA to a "
                             "new one)\n");
  EXPECT_EQ(ReadFile(busy.data_dir() + "/keep.txt"), "mine\n");

  // The original is gone, as when its machine is lost; the backup is all that is left.
  Ok(original, {"kill-controller", "--no-prompt"});

  Cluster restored;
  std::filesystem::remove_all(restored.data_dir());
  CliResult restore = restored.Skein({"restore-backup", backup}, 90s);
  ASSERT_EQ(restore.code, 0) << restore.err;
  // The restored database says what the units last reported; their agents start afresh and
  // install again. Once both have reported (their agent status changed since), wait-for follows
  // them until they have caught up.
  auto since = [](const json& s, const std::string& app) {
    return s["applications"][app]["units"][app + "/0"]["juju-status"].value("since", "");
  };
  ASSERT_TRUE(restored.WaitForStatus(
      [&](const json& s) {
        return since(s, "kv-provider") != since(status_before, "kv-provider") &&
               since(s, "kv-requirer") != since(status_before, "kv-requirer");
      },
      120s));
  CliResult caught_up = restored.Skein({"wait-for", "--timeout", "120s"}, 150s);
  ASSERT_EQ(caught_up.code, 0) << caught_up.err;
  ASSERT_TRUE(restored.WaitForStatus(Answered, 120s));
  EXPECT_EQ(Comparable(restored.Status()), Comparable(status_before));
  CliResult bundle_after = restored.Skein({"export-bundle"});
  ASSERT_EQ(bundle_after.code, 0) << bundle_after.err;
  EXPECT_EQ(bundle_after.out, bundle_before.out);
  Ok(restored, {"kill-controller", "--no-prompt"});
}

TEST(BackupE2eTest, UsageAndMissingInputsAreClearErrors) {
  Cluster cluster;
  CliResult none = cluster.Skein({"create-backup", "--file", cluster.scratch_dir() + "/x.zip"});
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.err, "ERROR there is no controller in " + cluster.data_dir() + " to back up (run skein bootstrap first)\n");

  CliResult no_file = cluster.Skein({"restore-backup"});
  EXPECT_EQ(no_file.code, 2);
  EXPECT_EQ(no_file.err.rfind("ERROR restore-backup needs the backup file", 0), 0u) << no_file.err;

  const std::string not_backup = cluster.scratch_dir() + "/notes.txt";
  std::ofstream(not_backup) << "not a zip\n";
  std::filesystem::remove_all(cluster.data_dir());
  CliResult bad = cluster.Skein({"restore-backup", not_backup});
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.err.rfind("ERROR " + not_backup + " is not a skein backup (made by skein create-backup)", 0), 0u)
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(cluster.data_dir())) << "a refused restore created the data directory";
}

}  // namespace
}  // namespace skein::e2e
