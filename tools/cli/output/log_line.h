#pragma once

// `skein debug-log` lines: `<entity>: <HH:MM:SS> <LEVEL> <module> <message>` (cli-and-ux §1.8),
// the level coloured like Juju's when colour is on.

#include <string>
#include <vector>

#include "skein/v1/common.pb.h"

namespace skein::cli::output {

std::string FormatLogLine(const skein::v1::LogEntry& entry, bool color);

// The levels debug-log accepts, most verbose first.
const std::vector<std::string>& LogLevels();

}  // namespace skein::cli::output
