#include "lib/format/output.h"

#include <cmath>
#include <regex>

#include "absl/strings/str_cat.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::format {
namespace {

// Juju's YAML is Go's yaml.v2: it quotes what YAML 1.1 would read as another type. Kubernetes
// objects are also read by YAML 1.1 parsers that turn `2024-01-01`, `=` or `key:` into something
// else, so that dialect quotes those too, and never lets a literal block gain a blank line.
enum class Dialect { kJuju, kKubernetes };

// True when a plain YAML scalar with this text would not read back as the same string.
bool NeedsQuotes(const std::string& s, Dialect dialect) {
  if (s.empty()) return true;
  static const std::regex kTyped(
      R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$)"
      R"(|^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F]+$|^0o?[0-7]+$)"
      R"(|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$)");
  if (std::regex_match(s, kTyped)) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  static const std::string kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (dialect == Dialect::kJuju) return false;
  static const std::regex kKubernetesTyped(R"(^=$|^[-+]?[0-9][0-9_]*(\.[0-9]*)?([eE][-+]?[0-9]+)?$)");
  static const std::regex kTimestamp(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})");
  if (std::regex_match(s, kKubernetesTyped) || std::regex_search(s, kTimestamp)) return true;
  return s.front() == '\t' || s.back() == '\t' || s.back() == ':';
}

// One emitter for both JSON flavours and both dialects: Juju's output (nlohmann::json, keys
// sorted as Go maps print) and Kubernetes objects (ordered_json, keys in the order written).
template <typename Json>
void Emit(YAML::Emitter& out, const Json& v, Dialect dialect) {
  switch (v.type()) {
    case Json::value_t::object:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (auto it = v.begin(); it != v.end(); ++it) {
        out << YAML::Key;
        if (NeedsQuotes(it.key(), dialect)) out << YAML::SingleQuoted;
        out << it.key() << YAML::Value;
        Emit(out, it.value(), dialect);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& item : v) Emit(out, item, dialect);
      out << YAML::EndSeq;
      return;
    case Json::value_t::string: {
      const std::string& s = v.template get_ref<const std::string&>();
      if (s.find('\n') != std::string::npos) {
        // A literal block keeps exactly one trailing newline on reading (clip chomping) and
        // cannot start with a space without an indentation indicator; anything else is quoted.
        bool single_trailing_newline = s.back() == '\n' && (s.size() < 2 || s[s.size() - 2] != '\n');
        bool plain_start = s.front() != ' ' && s.front() != '\n' && s.front() != '\t';
        if (single_trailing_newline && dialect == Dialect::kJuju) {
          out << YAML::Literal << s;
        } else if (single_trailing_newline && plain_start) {
          // yaml-cpp ends a literal block with a line break of its own; giving it the text
          // without its last newline avoids a blank line that readers would drop anyway.
          out << YAML::Literal << s.substr(0, s.size() - 1);
        } else {
          out << YAML::DoubleQuoted << s;
        }
      } else if (NeedsQuotes(s, dialect)) {
        out << YAML::SingleQuoted << s;
      } else {
        out << s;
      }
      return;
    }
    case Json::value_t::boolean:
      out << (v.template get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_integer:
      out << v.template get<int64_t>();
      return;
    case Json::value_t::number_unsigned:
      out << v.template get<uint64_t>();
      return;
    case Json::value_t::number_float:
      out << v.dump();
      return;
    default:
      out << YAML::Null;
      return;
  }
}

template <typename Json>
std::string EmitYaml(const Json& value, Dialect dialect) {
  if (value.is_null()) return "";
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, value, dialect);
  std::string s = out.c_str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s + "\n";
}

template <typename Json>
Json NodeToJson(const YAML::Node& node, bool typed) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      // yaml-cpp keeps a mapping's pairs in document order; ordered_json keeps it too.
      Json obj = Json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = NodeToJson<Json>(kv.second, typed);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(NodeToJson<Json>(item, typed));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (!typed || node.Tag() == "!") return s;  // quoted and block scalars carry the "!" tag
      static const std::regex kInt(R"(^[-+]?[0-9]+$)");
      static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
      if (std::regex_match(s, kInt)) {
        try {
          return std::stoll(s);
        } catch (...) {
          return s;
        }
      }
      if (std::regex_match(s, kFloat)) {
        try {
          return std::stod(s);
        } catch (...) {
          return s;
        }
      }
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace

std::string ToJson(const nlohmann::json& value) { return value.dump() + "\n"; }

std::string ToYaml(const nlohmann::json& value) { return EmitYaml(value, Dialect::kJuju); }
std::string OrderedToYaml(const nlohmann::ordered_json& value) { return EmitYaml(value, Dialect::kKubernetes); }

std::string ToSmart(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "";
    case nlohmann::json::value_t::string: {
      const std::string& s = value.get_ref<const std::string&>();
      return s.empty() ? "" : s + "\n";
    }
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "True\n" : "False\n";
    case nlohmann::json::value_t::array: {
      bool all_strings = true;
      for (const auto& i : value) all_strings = all_strings && i.is_string();
      if (!all_strings) return ToYaml(value);
      std::string out;
      for (const auto& i : value) absl::StrAppend(&out, i.get<std::string>(), "\n");
      return out;
    }
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return value.dump() + "\n";
    default:
      return ToYaml(value);
  }
}

absl::StatusOr<std::string> Render(const nlohmann::json& value, const std::string& format) {
  if (format == "json") return ToJson(value);
  if (format == "yaml") return ToYaml(value);
  if (format == "smart") return ToSmart(value);
  return absl::InvalidArgumentError(
      absl::StrCat("invalid value \"", format, "\" for option --format: unknown format \"", format, "\""));
}

absl::StatusOr<nlohmann::json> YamlToJson(const std::string& text, bool typed) {
  return YamlToJson(text, typed, YamlBudget{});
}

absl::StatusOr<nlohmann::json> YamlToJson(const std::string& text, bool typed, const YamlBudget& budget) {
  YamlSyntaxError syntax;
  syntax.line = -1;
  absl::StatusOr<YAML::Node> node = LoadYaml(text, budget, &syntax);
  if (!node.ok()) {
    if (syntax.line < 0) return node.status();  // a budget refusal: its text names the limit
    return absl::InvalidArgumentError(absl::StrCat("cannot parse YAML: ", node.status().message()));
  }
  return NodeToJson<nlohmann::json>(*node, typed);
}

absl::StatusOr<nlohmann::json> ParseJsonWithin(const std::string& text, int max_depth) {
  bool too_deep = false;
  nlohmann::json::parser_callback_t guard = [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > max_depth) too_deep = true;
    return !too_deep;
  };
  nlohmann::json value = nlohmann::json::parse(text, guard, /*allow_exceptions=*/false);
  if (too_deep) {
    return absl::InvalidArgumentError(absl::StrCat("JSON nests deeper than ", max_depth, " levels (limit)"));
  }
  if (value.is_discarded()) return absl::InvalidArgumentError("invalid JSON");
  return value;
}

absl::StatusOr<std::vector<nlohmann::ordered_json>> YamlDocumentsToOrderedJson(const std::string& text) {
  absl::StatusOr<std::vector<YAML::Node>> documents = LoadYamlDocuments(text);
  if (!documents.ok()) return documents.status();
  std::vector<nlohmann::ordered_json> out;
  for (const YAML::Node& doc : *documents) out.push_back(NodeToJson<nlohmann::ordered_json>(doc, true));
  return out;
}

}  // namespace skein::format
