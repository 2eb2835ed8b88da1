// lib/base/limits.h and file_read.h: the one error text for a value over its cap, and reading a
// file from outside the process never past a cap (regular files only where asked).

#include "lib/base/limits.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/base/file_read.h"

namespace skein {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/skein-limits-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(LimitsTest, HumanBytesNamesWholeUnits) {
  EXPECT_EQ(limits::HumanBytes(16 * limits::kMiB), "16 MiB");
  EXPECT_EQ(limits::HumanBytes(64 * limits::kKiB), "64 KiB");
  EXPECT_EQ(limits::HumanBytes(256), "256 bytes");
  EXPECT_EQ(limits::HumanBytes(limits::kMiB + 1), "1048577 bytes");
}

TEST(LimitsTest, CheckSizeAcceptsTheCapAndRefusesOneByteMore) {
  EXPECT_TRUE(limits::CheckSize(limits::kConfigValue, "config option \"blob\"", 4 * limits::kMiB).ok());
  absl::Status s = limits::CheckSize(limits::kConfigValue, "config option \"blob\"", 4 * limits::kMiB + 1);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "config option \"blob\" (4194305 bytes) exceeds the 4 MiB limit of a config value");
  EXPECT_EQ(limits::OverCapError(limits::kYamlInput, "stdin").message(),
            "stdin exceeds the 24 MiB limit of a YAML document");
}

TEST(LimitsTest, SettingsBytesCountsKeysAndValues) {
  std::map<std::string, std::string> bag = {{"ab", "cde"}, {"f", ""}};
  EXPECT_EQ(limits::SettingsBytes(bag), 6u);
}

TEST(FileReadTest, ReadsARegularFileUpToTheCap) {
  TempDir dir;
  limits::Cap cap{10, "a test file"};
  auto ok = ReadFileCapped(dir.File("ten", std::string(10, 'x')), cap);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, std::string(10, 'x'));
  std::string eleven = dir.File("eleven", std::string(11, 'x'));
  auto over = ReadFileCapped(eleven, cap);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(over.status().message(), eleven + " (11 bytes) exceeds the 10 bytes limit of a test file");
}

TEST(FileReadTest, MissingFileReadsLikeGo) {
  auto missing = ReadFileCapped("/nonexistent/skein-file", limits::kIncludedFile);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "open /nonexistent/skein-file: no such file or directory");
}

TEST(FileReadTest, RegularOnlyRefusesDevicesFifosAndDirectoriesWithoutReading) {
  TempDir dir;
  auto zero = ReadFileCapped("/dev/zero", limits::kIncludedFile, FileKinds::kRegularOnly);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.status().message(), "/dev/zero is not a regular file (a character device)");
  // Nobody writes to this FIFO: a blocking open would hang the test.
  std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = ReadFileCapped(fifo, limits::kIncludedFile, FileKinds::kRegularOnly);
  EXPECT_EQ(f.status().message(), fifo + " is not a regular file (a FIFO)");
  auto d = ReadFileCapped(dir.path(), limits::kIncludedFile, FileKinds::kAnyReadable);
  EXPECT_EQ(d.status().message(), "read " + dir.path() + ": is a directory");
}

TEST(FileReadTest, AStreamIsReadOnlyUpToTheCap) {
  limits::Cap cap{1000, "a test stream"};
  auto zero = ReadFileCapped("/dev/zero", cap, FileKinds::kAnyReadable);
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(zero.status().message(), "/dev/zero exceeds the 1000 bytes limit of a test stream");
  auto null = ReadFileCapped("/dev/null", cap, FileKinds::kAnyReadable);
  ASSERT_TRUE(null.ok()) << null.status();
  EXPECT_EQ(*null, "");
}

}  // namespace
}  // namespace skein
