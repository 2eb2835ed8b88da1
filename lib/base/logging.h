#pragma once

// Logging setup for the daemons. Every process logs through spdlog to a file in its data dir
// (and to stderr when asked). Lines look like debug-log lines:
//   `2026-11-23 20:10:00.123 INFO juju.worker.uniter message`.

#include <string>

namespace skein {

// Installs the default logger. `file` may be empty (stderr only). `level` is one of
// trace debug info warning error critical.
void InitLogging(const std::string& name, const std::string& file, const std::string& level, bool to_stderr);

}  // namespace skein
