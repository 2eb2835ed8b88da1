#pragma once

// Juju's output formats (juju-semantics §3.1, cli-and-ux §1.0), shared by the CLI and the hook
// tools:
//   json   compact, one line, `\n`-terminated; keys sorted as Go maps are
//   yaml   block style, trailing newlines collapsed to one; strings that YAML would read as
//          another type are quoted; nothing at all for null
//   smart  strings raw + `\n` (empty string prints nothing), lists one item a line,
//          booleans `True`/`False`, null nothing, maps as YAML

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/format/yaml_json.h"
#include "nlohmann/json.hpp"

namespace skein::format {

std::string ToJson(const nlohmann::json& value);
std::string ToYaml(const nlohmann::json& value);
std::string ToSmart(const nlohmann::json& value);
// YAML for Kubernetes objects and other files YAML 1.1 parsers read: keys in the order they
// were written, and also quoted where such a reader would retype a string (`2024-01-01`, `=`).
std::string OrderedToYaml(const nlohmann::ordered_json& value);

// Renders `value` in `format` ("json", "yaml", "smart"). InvalidArgument for other names,
// with Juju's text `invalid value "x" for option --format: unknown format "x"`.
absl::StatusOr<std::string> Render(const nlohmann::json& value, const std::string& format);

// Parses JSON from outside the process, nesting at most `max_depth` deep (the walkers that
// follow, dump() among them, recurse). InvalidArgument `JSON nests deeper than 256 levels
// (limit)` or `invalid JSON`.
absl::StatusOr<nlohmann::json> ParseJsonWithin(const std::string& text, int max_depth = 256);

}  // namespace skein::format
