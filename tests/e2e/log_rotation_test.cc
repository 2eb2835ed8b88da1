// Log rotation end to end (lib/base/logging.h): with SKEIN_LOG_MAX_SIZE and SKEIN_LOG_FILES set
// where `skein bootstrap` runs, a charm whose hooks print far more than the limit to stderr
// leaves its unit's agent.log, and every other log, within size × count.

#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"
#include "tests/scoped_env.h"

namespace skein::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uintmax_t kMaxBytes = 256 * 1024;
constexpr int kFiles = 3;

TEST(LogRotationE2eTest, AHookPrintingFarMoreThanTheLimitLeavesLogsBoundedBySizeTimesCount) {
  skein::testing::ScopedEnv size("SKEIN_LOG_MAX_SIZE", "256KiB");
  skein::testing::ScopedEnv files("SKEIN_LOG_FILES", std::to_string(kFiles));
  Cluster cluster;
  ASSERT_EQ(cluster.Skein({"bootstrap"}).code, 0);
  ASSERT_EQ(cluster.Skein({"add-model", "logs"}).code, 0);
  // Every hook prints 4 MiB: install, leader-elected, config-changed and start print 16 MiB,
  // twenty times what the unit's logs may keep.
  CliResult deploy = cluster.Skein({"deploy", TestCharm("chatty"), "--config", "stderr-kib=4096"});
  ASSERT_EQ(deploy.code, 0) << deploy.err;
  ASSERT_TRUE(cluster.WaitForStatus(
      [](const json& s) {
        return UnitSettled(s, "chatty/0", "active") && WorkloadMessage(s, "chatty/0") == "start wrote 4096 KiB";
      },
      std::chrono::seconds(120)));

  // Every *.log under SKEIN_DATA, grouped by the log it belongs to (x.log, x.1.log, x.2.log).
  std::map<std::string, std::vector<uintmax_t>> logs;
  uintmax_t agent_log_bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(cluster.data_dir())) {
    if (!entry.is_regular_file() || entry.path().extension() != ".log") continue;
    std::string stem = entry.path().stem().string();
    if (size_t dot = stem.find('.'); dot != std::string::npos) stem.resize(dot);
    std::string log = (entry.path().parent_path() / stem).string() + ".log";
    logs[log].push_back(entry.file_size());
    if (stem == "agent" && absl::StrContains(log, "unit-chatty-0")) agent_log_bytes += entry.file_size();
    EXPECT_LE(entry.file_size(), kMaxBytes) << entry.path();
  }
  for (const auto& [log, sizes] : logs) EXPECT_LE(sizes.size(), static_cast<size_t>(kFiles)) << log;
  // The unit's log did fill all its files: what was kept is close to size × count.
  EXPECT_GT(agent_log_bytes, (kFiles - 1) * kMaxBytes);
  EXPECT_LE(agent_log_bytes, kFiles * kMaxBytes);
  EXPECT_TRUE(logs.count(cluster.data_dir() + "/controller/controller.log")) << "no controller.log";
  ASSERT_EQ(cluster.Skein({"kill-controller", "--no-prompt"}).code, 0);
}

}  // namespace
}  // namespace skein::e2e
