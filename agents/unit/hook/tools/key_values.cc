// Parsing of `key=value` arguments and `--file` YAML maps (relation-set, state-set, leader-set).

#include "agents/unit/hook/tools/key_values.h"

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/gnuflag_parser.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::agent::tools {
namespace {

const char* KindTag(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "!!map";
    case YAML::NodeType::Sequence:
      return "!!seq";
    default:
      return "!!str";
  }
}

absl::Status UnmarshalError(const YAML::Node& node, const std::string& into) {
  return absl::InvalidArgumentError(absl::StrCat("yaml: unmarshal errors:\n  line ", node.Mark().line + 1,
                                                 ": cannot unmarshal ", KindTag(node), " into ", into));
}

// A scalar as Go's yaml.v2 stores it into a string: its text, except that a plain null
// (`~`, `null`, empty) becomes "" — which relation-set then treats as a deletion.
std::string ScalarText(const YAML::Node& node) {
  if (node.IsNull()) return "";
  const std::string& s = node.Scalar();
  if (node.Tag() != "!" && (s == "~" || s == "null" || s == "Null" || s == "NULL")) return "";
  return s;
}

}  // namespace

// Juju's keyvalues.Parse(args, allowEmptyValues=true).
absl::Status ParseKeyValues(const std::vector<std::string>& args, std::map<std::string, std::string>* out) {
  for (const std::string& kv : args) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("expected \"key=value\", got ", GoQuote(kv)));
    }
    std::string key = kv.substr(0, eq);
    if (out->count(key)) return absl::InvalidArgumentError(absl::StrCat("key ", GoQuote(key), " specified more than once"));
    (*out)[key] = kv.substr(eq + 1);
  }
  return absl::OkStatus();
}

// Go's yaml.Unmarshal(data, map[string]string).
absl::Status ParseSettingsYaml(const std::string& text, const std::string& source,
                               std::map<std::string, std::string>* out) {
  format::YamlSyntaxError syntax;
  syntax.line = -1;
  absl::StatusOr<YAML::Node> loaded = format::LoadYaml(text, format::YamlBudget{}, &syntax);
  if (!loaded.ok() && syntax.line >= 0) {
    return absl::InvalidArgumentError(absl::StrCat("yaml: line ", syntax.line + 1, ": ", syntax.reason));
  }
  if (!loaded.ok()) {
    return absl::Status(loaded.status().code(), absl::StrCat(source == "-" ? "stdin" : source, ": ",
                                                             loaded.status().message()));
  }
  const YAML::Node& root = *loaded;
  if (!root.IsDefined() || root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) return UnmarshalError(root, "map[string]string");
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) return UnmarshalError(kv.first, "string");
    if (kv.second.IsMap() || kv.second.IsSequence()) return UnmarshalError(kv.second, "string");
    (*out)[ScalarText(kv.first)] = ScalarText(kv.second);
  }
  return absl::OkStatus();
}

absl::Status ReadSettings(RunContext& ctx, const std::string& file, const std::map<std::string, std::string>& overrides,
                          std::map<std::string, std::string>* out) {
  if (!file.empty()) {
    // Stdin is parsed where it is, not copied: it may be a whole relation bag.
    std::string from_file;
    const std::string* text = &from_file;
    if (file == "-") {
      if (!ctx.Stdin().has_value()) return NeedsStdin();
      text = &*ctx.Stdin();
    } else if (absl::Status s = ReadWholeFile(ctx.AbsPath(file), &from_file); !s.ok()) {
      return s;
    }
    if (absl::Status s = ParseSettingsYaml(*text, file, out); !s.ok()) return s;
  }
  for (const auto& [k, v] : overrides) (*out)[k] = v;
  return absl::OkStatus();
}

}  // namespace skein::agent::tools
