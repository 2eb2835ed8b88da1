#pragma once

// The one Go-style duration parser (Go's time.ParseDuration, which Juju's flags and config use):
// the CLI's --wait and --timeout, the controller's model-config validation and the unit agent's
// reading of update-status-hook-interval all call it, so they can never disagree on a value.

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace skein {

// Parses a duration as Go's time.ParseDuration does: an optional sign, then one or more
// decimal numbers each with an optional fraction and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`,
// `h`): `90s`, `1.5s`, `.5s`, `1h30m`, `-2m`, `120.0s`. `0` alone (with or without a sign) is
// zero; any other number without a unit is refused, as is `inf`. The result is Go's
// time.Duration exactly: whole nanoseconds in an int64. InvalidArgument with Go's texts:
//   `time: invalid duration "x"`              (bad syntax, or out of the int64 nanosecond range)
//   `time: missing unit in duration "10"`
//   `time: unknown unit "x" in duration "5x"`
absl::StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// Go's time.Duration.String(): `1h0m0s`, `2m0s`, `1.5s`, `500ms`, `1µs`, `0s`, `-1m30s`.
std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace skein
