#pragma once

#include <chrono>
#include <string>

namespace skein {

// RFC 3339 UTC with second precision, `2026-11-23T20:10:00Z` (what jubilant can parse). The
// time comes from a Clock (clock.h): WallNow() for "now".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);
// RFC 3339 UTC with microseconds, for log entries.
std::string FormatRfc3339Micros(std::chrono::system_clock::time_point t);
// Juju's human `since` form, `23 Nov 2026 20:10:00Z`, from an RFC 3339 text (local time not used
// so that output is stable across machines). Returns the input unchanged when it cannot parse it.
std::string JujuSince(const std::string& rfc3339);
// `20:10:00` from an RFC 3339 text, for debug-log lines.
std::string ClockTime(const std::string& rfc3339);

}  // namespace skein
