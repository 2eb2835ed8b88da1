#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"

namespace skein {

// Parses a Go-style duration as Juju's CLI takes it: `90s`, `1.5s`, `2m`, `1h30m`, `500ms`,
// `120.0s`. A bare number is refused (Go's time.ParseDuration refuses it too, except `0`).
// InvalidArgument `time: invalid duration "x"` otherwise.
absl::StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text);

// `2m0s`-style rendering for messages.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace skein
