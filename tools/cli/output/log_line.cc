#include "tools/cli/output/log_line.h"

#include "lib/base/time.h"
#include "tools/cli/output/render.h"
#include "tools/cli/output/table.h"

namespace skein::cli::output {

const std::vector<std::string>& LogLevels() {
  static const std::vector<std::string> kLevels = {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
  return kLevels;
}

std::string FormatLogLine(const skein::v1::LogEntry& e, bool color) {
  Style style = Style::kNone;
  if (e.level() == "DEBUG") style = Style::kGreen;
  if (e.level() == "INFO") style = Style::kBrightBlue;
  if (e.level() == "WARNING") style = Style::kYellow;
  if (e.level() == "ERROR") style = Style::kBrightRed;
  if (e.level() == "CRITICAL") style = Style::kWhiteOnRed;
  return ValidUtf8(e.entity() + ": " + ClockTime(e.timestamp()) + " " + Paint(e.level(), style, color) + " " +
                   e.module() + " " + e.message()) +
         "\n";
}

}  // namespace skein::cli::output
