// Log rotation (lib/base/logging.h): the figures an operator sets through the environment, and
// files that stay within max_bytes × files however much is logged.

#include "lib/base/logging.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "spdlog/spdlog.h"
#include "tests/scoped_env.h"

namespace skein {
namespace {

namespace fs = std::filesystem;

class LogRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "skein-logging-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    spdlog::shutdown();
    fs::remove_all(dir_);
  }
  // Every file in the test's directory with its size.
  std::map<std::string, uintmax_t> Files() const {
    std::map<std::string, uintmax_t> files;
    for (const auto& entry : fs::directory_iterator(dir_)) files[entry.path().filename()] = entry.file_size();
    return files;
  }

  std::string dir_;
};

TEST(LogSizeTest, AcceptsBytesAndBinarySuffixes) {
  EXPECT_EQ(*ParseLogSize("10MiB"), size_t{10} << 20);
  EXPECT_EQ(*ParseLogSize("512KiB"), size_t{512} << 10);
  EXPECT_EQ(*ParseLogSize("1GiB"), size_t{1} << 30);
  EXPECT_EQ(*ParseLogSize("300000"), size_t{300000});
}

TEST(LogSizeTest, RefusesWhatIsNotASizeOrTooSmall) {
  for (const char* bad : {"", "ten", "10MB", "-5MiB", "0", "1.5MiB", "MiB"}) {
    EXPECT_EQ(ParseLogSize(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  auto small = ParseLogSize("4KiB");
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.status().message(), "\"4KiB\" is under the smallest log file size, 256 KiB");
}

TEST(LogSizeTest, TheEnvironmentSetsSizeAndCountAndDefaultsAreTenMiBTimesFive) {
  {
    testing::ScopedEnv size(kLogMaxSizeEnv, "");
    testing::ScopedEnv files(kLogFilesEnv, "");
    auto rotation = LogRotationFromEnv();
    ASSERT_TRUE(rotation.ok());
    EXPECT_EQ(rotation->max_bytes, size_t{10} << 20);
    EXPECT_EQ(rotation->files, 5);
  }
  {
    testing::ScopedEnv size(kLogMaxSizeEnv, "1MiB");
    testing::ScopedEnv files(kLogFilesEnv, "3");
    auto rotation = LogRotationFromEnv();
    ASSERT_TRUE(rotation.ok());
    EXPECT_EQ(rotation->max_bytes, size_t{1} << 20);
    EXPECT_EQ(rotation->files, 3);
  }
  {
    testing::ScopedEnv files(kLogFilesEnv, "0");
    EXPECT_EQ(LogRotationFromEnv().status().message(), "SKEIN_LOG_FILES: \"0\" is not a number of files from 1 to 1000");
  }
  {
    testing::ScopedEnv size(kLogMaxSizeEnv, "big");
    EXPECT_EQ(LogRotationFromEnv().status().message(),
              "SKEIN_LOG_MAX_SIZE: \"big\" is not a size (a number of bytes, or one with KiB, MiB or GiB after it)");
  }
}

TEST_F(LogRotationTest, ADaemonLoggingFarMoreThanTheLimitKeepsSizeTimesCount) {
  testing::ScopedEnv size(kLogMaxSizeEnv, "256KiB");
  testing::ScopedEnv files(kLogFilesEnv, "3");
  const std::string log = dir_ + "/agent.log";
  ASSERT_TRUE(InitLogging("juju.worker.uniter", log, "debug", false).ok());
  const std::string line(1000, 'x');
  for (int i = 0; i < 5000; ++i) spdlog::warn("{} {}", i, line);  // ~5 MB, twenty times the limit
  spdlog::default_logger()->flush();

  auto found = Files();
  EXPECT_EQ(found.size(), 3u);
  for (const char* name : {"agent.log", "agent.1.log", "agent.2.log"}) {
    ASSERT_EQ(found.count(name), 1u) << name;
    EXPECT_LE(found[name], 256u * 1024) << name;
  }
  // The rotated files were filled to within a line of the limit before they moved.
  EXPECT_GT(found["agent.1.log"], 250u * 1024);
  EXPECT_GT(found["agent.2.log"], 250u * 1024);
  // The newest lines are kept: the last one logged ends the current file.
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("4999 xxx"), std::string::npos);
}

TEST_F(LogRotationTest, InitLoggingRefusesAMalformedSettingAndStillLogsToStderr) {
  testing::ScopedEnv size(kLogMaxSizeEnv, "lots");
  absl::Status s = InitLogging("controller", dir_ + "/controller.log", "info", false);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(spdlog::default_logger(), nullptr);
  EXPECT_FALSE(fs::exists(dir_ + "/controller.log"));
}

TEST_F(LogRotationTest, AFullFileAppendedByAChildIsRotatedBeforeTheNextStart) {
  const std::string log = dir_ + "/controller.log";
  LogRotation rotation{256 * 1024, 2};
  std::ofstream(log) << std::string(100 * 1024, 'a');
  ASSERT_TRUE(RotateLogIfFull(log, rotation).ok());
  EXPECT_EQ(Files(), (std::map<std::string, uintmax_t>{{"controller.log", 100 * 1024}}));  // not full: kept

  std::ofstream(log, std::ios::app) << std::string(200 * 1024, 'b');
  std::ofstream(RotatedLogPath(log, 1)) << "the oldest";
  ASSERT_TRUE(RotateLogIfFull(log, rotation).ok());
  // Two files in all: the full one moved to .1 (the older .1 is gone) and an empty current one.
  EXPECT_EQ(Files(), (std::map<std::string, uintmax_t>{{"controller.log", 0}, {"controller.1.log", 300 * 1024}}));
  EXPECT_EQ(RotatedLogPath(log, 1), dir_ + "/controller.1.log");
}

}  // namespace
}  // namespace skein
