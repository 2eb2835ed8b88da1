#pragma once

// The one YAML→JSON conversion. YAML's plain scalars have no type of their own: the reader
// decides whether `yes`, `0o17`, `1e3` or `~` is a string, and the readers skein must match
// decide differently. A dialect names the reader:
//   kText        every scalar stays its text (bundles, `config` and `model-config` files: Juju
//                types those later, by the option's schema)
//   kJuju        Go's gopkg.in/yaml.v2 decoding into interface{}, as Juju's CLI reads action
//                parameters and charm documents: YAML 1.1 booleans (y, yes, on, ...), Go
//                integers (0x1F, 0o17, 017 octal, 0b101, 1_000), floats with or without a point
//   kKubernetes  what the Kubernetes API reads from YAML (sigs.k8s.io/yaml, itself yaml.v2):
//                the same typing as kJuju; it differs only in what an emitter must quote
//                (output.h), since other YAML 1.1 tools also read those files
//   kPython      PyYAML's safe_load (YAML 1.1 as Python charms read relation data): booleans
//                without y/n, floats only with a point (`1e3` is a string), `017` octal, `0o17`
//                a string, sexagesimal `1:30` = 90
// In every dialect a quoted or block scalar, or one with an explicit tag, is a string; a
// timestamp stays its text (yaml.v2 into interface{} keeps it so, and JSON has no time type),
// as do infinities and NaN (JSON has none).

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/format/yaml_budget.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace skein::format {

enum class YamlDialect { kText, kJuju, kKubernetes, kPython };

// The JSON value `dialect` reads a plain (unquoted, untagged) scalar with this text as.
nlohmann::json TypePlainScalar(std::string_view text, YamlDialect dialect);

// True when `dialect`'s reader would not read this text, written as a plain scalar, back as
// this string: it types it (a null, bool or number) or resolves it to another tag (a
// timestamp; in kPython also `=` and `<<`). An emitter must quote such a string.
bool PlainScalarIsRetyped(std::string_view text, YamlDialect dialect);

// A loaded node as JSON, mapping keys as their text in document order (ordered_json keeps it;
// json sorts). The node must come from LoadYaml/LoadYamlDocuments (within a budget).
nlohmann::json NodeToJson(const YAML::Node& node, YamlDialect dialect);
nlohmann::ordered_json NodeToOrderedJson(const YAML::Node& node, YamlDialect dialect);

// Parses YAML text into JSON within `budget` (yaml_budget.h): untrusted text is safe here.
// InvalidArgument `cannot parse YAML: yaml: line L, column C: <reason>` on a syntax error; the
// budget's own errors otherwise.
absl::StatusOr<nlohmann::json> YamlToJson(const std::string& text, YamlDialect dialect,
                                          const YamlBudget& budget = {});
absl::StatusOr<nlohmann::ordered_json> YamlToOrderedJson(const std::string& text, YamlDialect dialect,
                                                         const YamlBudget& budget = {});

// Every document of a YAML stream, keys in document order, within the default budget.
// InvalidArgument `yaml: line L, column C: <reason>` on a syntax error.
absl::StatusOr<std::vector<nlohmann::ordered_json>> YamlDocumentsToOrderedJson(const std::string& text,
                                                                               YamlDialect dialect);

}  // namespace skein::format
