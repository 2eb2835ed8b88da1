#include "lib/base/logging.h"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/base/limits.h"
#include "spdlog/sinks/rotating_file_sink.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace skein {
namespace {

// Twice the longest line skein logs (limits::kLogLine), so that a rotated file always holds
// whole lines and never just one.
constexpr size_t kMinLogBytes = 2 * limits::kLogLine.bytes;
// spdlog's own ceiling on rotated files.
constexpr int kMaxLogFiles = 1000;

}  // namespace

absl::StatusOr<size_t> ParseLogSize(absl::string_view text) {
  absl::string_view number = absl::StripAsciiWhitespace(text);
  size_t unit = 1;
  struct Suffix {
    const char* text;
    size_t bytes;
  };
  for (const Suffix& s : {Suffix{"GiB", size_t{1} << 30}, Suffix{"MiB", limits::kMiB}, Suffix{"KiB", limits::kKiB}}) {
    if (absl::ConsumeSuffix(&number, s.text)) {
      unit = s.bytes;
      break;
    }
  }
  uint64_t count = 0;
  if (!absl::SimpleAtoi(number, &count) || count == 0 || count > (uint64_t{1} << 40) / unit) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is not a size (a number of bytes, or one with KiB, MiB or GiB after it)"));
  }
  size_t bytes = count * unit;
  if (bytes < kMinLogBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" is under the smallest log file size, ", limits::HumanBytes(kMinLogBytes)));
  }
  return bytes;
}

absl::StatusOr<LogRotation> LogRotationFromEnv() {
  LogRotation rotation;
  if (const char* size = std::getenv(kLogMaxSizeEnv); size != nullptr && *size != '\0') {
    auto bytes = ParseLogSize(size);
    if (!bytes.ok()) return absl::InvalidArgumentError(absl::StrCat(kLogMaxSizeEnv, ": ", bytes.status().message()));
    rotation.max_bytes = *bytes;
  }
  if (const char* files = std::getenv(kLogFilesEnv); files != nullptr && *files != '\0') {
    int count = 0;
    if (!absl::SimpleAtoi(files, &count) || count < 1 || count > kMaxLogFiles) {
      return absl::InvalidArgumentError(
          absl::StrCat(kLogFilesEnv, ": \"", files, "\" is not a number of files from 1 to ", kMaxLogFiles));
    }
    rotation.files = count;
  }
  return rotation;
}

std::string RotatedLogPath(const std::string& path, int index) {
  return spdlog::sinks::rotating_file_sink_st::calc_filename(path, static_cast<size_t>(index));
}

absl::Status RotateLogIfFull(const std::string& path, const LogRotation& rotation) {
  std::error_code ec;
  uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size < rotation.max_bytes) return absl::OkStatus();
  // The sink that the daemons log through does the renaming, so that both kinds of log file
  // rotate the same way.
  try {
    spdlog::sinks::rotating_file_sink_st(path, rotation.max_bytes, static_cast<size_t>(rotation.files - 1),
                                         /*rotate_on_open=*/true);
  } catch (const spdlog::spdlog_ex& e) {
    return absl::InternalError(absl::StrCat("cannot rotate ", path, ": ", e.what()));
  }
  return absl::OkStatus();
}

absl::Status InitLogging(const std::string& name, const std::string& file, const std::string& level, bool to_stderr) {
  auto rotation = LogRotationFromEnv();
  std::vector<spdlog::sink_ptr> sinks;
  if (!file.empty() && rotation.ok()) {
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        file, rotation->max_bytes, static_cast<size_t>(rotation->files - 1)));
  }
  if (to_stderr || sinks.empty()) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %n %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return rotation.status();
}

}  // namespace skein
