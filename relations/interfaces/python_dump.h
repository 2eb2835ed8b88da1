#pragma once

// Byte-exact encodings the Python charm libraries put into relation data, so that a real
// upstream charm on the other side of a relation reads what skein's charms write (and the
// reverse): `json.dumps` with Python's default separators, and PyYAML's `safe_dump` for the
// plain mappings and lists that the Serialized Data Interface uses.

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces {

// json.dumps(value): `, ` and `: ` separators, keys in insertion order, non-ASCII as \uXXXX.
std::string PythonJsonDumps(const nlohmann::ordered_json& value);

// yaml.safe_dump(value): block style, mapping keys sorted, strings quoted with single quotes
// only when PyYAML would (they would read back as another type, or hold special characters).
std::string PythonYamlDump(const nlohmann::ordered_json& value);

// yaml.safe_load for the same documents, scalars typed as PyYAML types them
// (lib/format/yaml_json.h, YamlDialect::kPython). InvalidArgument on malformed YAML.
absl::StatusOr<nlohmann::ordered_json> PythonYamlLoad(const std::string& text);

}  // namespace skein::relations::interfaces
