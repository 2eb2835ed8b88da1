#pragma once

// Rendering data documents for stdout. Everything skein prints must be valid UTF-8 (jubilant
// decodes strictly), so invalid sequences that reached us from charms are replaced by U+FFFD
// before rendering.

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::cli::output {

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view text);
// A copy of `value` whose keys and strings are all valid UTF-8.
nlohmann::json SanitizeJson(const nlohmann::json& value);

// Renders `value` as `json` (compact, one line, sorted keys, `\n`), `yaml` or `smart`.
// InvalidArgument `invalid value "x" for option --format: unknown format "x"` otherwise.
absl::StatusOr<std::string> RenderData(const nlohmann::json& value, const std::string& format);

}  // namespace skein::cli::output
