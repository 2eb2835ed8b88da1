#pragma once

// The one way skein loads YAML that came from outside the process: charm metadata, config and
// actions, bundles and overlays, `--params` and `config --file` files, hook-tool `--file`
// input, relation data. The text is refused, with a message naming the limit, when it
//   - is longer than `max_text`;
//   - expands to more than `max_nodes` nodes or `max_expanded_bytes` of scalar text when every
//     alias is replaced by the node it names (a "billion laughs" document is a few hundred bytes
//     that expand to 10^9 nodes: yaml-cpp shares aliased nodes, so the explosion happens in
//     whoever walks the tree, e.g. a YAML-to-JSON converter);
//   - nests deeper than `max_depth` (walkers recurse; yaml-cpp's own guard throws DeepRecursion
//     a little deeper, and is reported the same way);
//   - makes the parser hold more than `max_parse_memory` (allocation_budget.h says why).
// The expansion is counted on the parser's events before any tree is built, in one pass, so a
// tree that loads is safe to walk in full.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/base/limits.h"
#include "yaml-cpp/yaml.h"

namespace skein::format {

struct YamlBudget {
  limits::Cap max_text = limits::kYamlInput;
  // yaml-cpp's tree costs about 450 bytes a node: 150,000 nodes stay near 70 MB.
  size_t max_nodes = 150'000;
  size_t max_expanded_bytes = 64 * limits::kMiB;
  // yaml-cpp 0.7's own guard (DeepRecursion) stops flow collections near 500 levels.
  size_t max_depth = 256;
  // With the text itself (up to max_text, held by the caller, perhaps twice) the parsing
  // process stays under 256 MiB.
  size_t max_parse_memory = 96 * limits::kMiB;
};

// Where a syntax error is (0-based, as YAML::Mark) and yaml-cpp's reason.
struct YamlSyntaxError {
  int line = 0;
  int column = 0;
  std::string reason;
};

// Every document of the stream. Errors (callers prefix the file's name):
//   ResourceExhausted  `YAML (N bytes) exceeds the 24 MiB limit of a YAML document`
//   InvalidArgument    `YAML expands to more than 150000 nodes (limit); ...`,
//                      `YAML expands to more than 64 MiB of text (limit); ...`,
//                      `YAML nests deeper than 256 levels (limit)`,
//                      `YAML needs more than 96 MiB of memory to parse (limit); ...`,
//                      `YAML alias at line L refers to a node that contains it`,
//                      `yaml: line L, column C: <reason>` for a syntax error (then `*syntax`
//                      is filled when given).
absl::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(std::string_view text, const YamlBudget& budget = {},
                                                          YamlSyntaxError* syntax = nullptr);

// The first document (a Null node for empty text); same errors.
absl::StatusOr<YAML::Node> LoadYaml(std::string_view text, const YamlBudget& budget = {},
                                    YamlSyntaxError* syntax = nullptr);

}  // namespace skein::format
