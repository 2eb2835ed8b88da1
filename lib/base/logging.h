#pragma once

// Logging setup for the daemons. Every process logs through spdlog to a file in its data dir
// (and to stderr when asked). Lines look like debug-log lines:
//   `2026-11-23 20:10:00.123 INFO juju.worker.uniter message`.
//
// Every log file rotates (README "Log files"): when the next line would take a file past
// `max_bytes`, `x.log` becomes `x.1.log`, `x.1.log` becomes `x.2.log` and so on, and the oldest
// beyond `files` in all is deleted, so one log never takes more than max_bytes × files on disk.
// Both figures come from the environment, which every skein process passes to those it starts
// (the controller and machine agent from bootstrap, unit agents from the machine agent):
//   SKEIN_LOG_MAX_SIZE  bytes per file, a number with an optional KiB/MiB/GiB suffix (10MiB)
//   SKEIN_LOG_FILES     files per log, the current one included (5)

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace skein {

inline constexpr char kLogMaxSizeEnv[] = "SKEIN_LOG_MAX_SIZE";
inline constexpr char kLogFilesEnv[] = "SKEIN_LOG_FILES";

struct LogRotation {
  size_t max_bytes = size_t{10} << 20;
  int files = 5;
};

// The rotation the environment asks for (defaults for what it leaves unset); InvalidArgument
// naming the variable when a value is not a size or count skein accepts.
absl::StatusOr<LogRotation> LogRotationFromEnv();

// "10MiB", "512KiB", "1GiB", "262144" (bytes); the figure must be at least twice the longest log
// line (limits::kLogLine, so 256 KiB), so that a rotated file always holds whole lines.
absl::StatusOr<size_t> ParseLogSize(absl::string_view text);

// The file that rotation number `index` of `path` goes to: agent.log, agent.1.log, agent.2.log.
std::string RotatedLogPath(const std::string& path, int index);

// Rotates `path` now when it already holds max_bytes or more. For files a child process's
// stdout and stderr are appended to, which nothing rotates while the child runs: their owner
// calls this before each start.
absl::Status RotateLogIfFull(const std::string& path, const LogRotation& rotation);

// Installs the default logger. `file` may be empty (stderr only); it rotates as above. `level`
// is one of trace debug info warning error critical. Fails (after installing a stderr logger)
// when the rotation variables are malformed: a daemon should refuse to start rather than
// ignore an operator's setting.
absl::Status InitLogging(const std::string& name, const std::string& file, const std::string& level, bool to_stderr);

}  // namespace skein
