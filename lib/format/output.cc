#include "lib/format/output.h"

#include <cmath>
#include <regex>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace skein::format {
namespace {

// True when a plain YAML scalar with this text would not read back as the same string. Juju's
// YAML is Go's yaml.v2, which quotes what its own reader would retype (yaml_json.h says how
// each reader types). Kubernetes objects are also read by other YAML 1.1 tools (PyYAML among
// them) that turn `1:30`, `=` or `key:` into something else, so that dialect quotes what any of
// them would retype, and never lets a literal block gain a blank line.
bool NeedsQuotes(const std::string& s, YamlDialect dialect) {
  // Times reach this emitter as strings (status `since`, goal-state) where Juju's structs hold
  // a time.Time, which yaml.v2 prints plain; so Juju's dialect leaves them plain (its reader
  // keeps them as text anyway).
  static const std::regex kTime(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9:.]+(Z|[-+][0-9:]+)?)?$)");
  bool juju_time = dialect == YamlDialect::kJuju && std::regex_match(s, kTime);
  if (!juju_time && PlainScalarIsRetyped(s, dialect)) return true;
  if (dialect == YamlDialect::kKubernetes && PlainScalarIsRetyped(s, YamlDialect::kPython)) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  static const std::string kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (dialect == YamlDialect::kJuju) return false;
  // A string that starts with a date is quoted too: some readers take a date-time with a
  // looser syntax than the resolvers check.
  static const std::regex kTimestamp(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})");
  if (std::regex_search(s, kTimestamp)) return true;
  return s.front() == '\t' || s.back() == '\t' || s.back() == ':';
}

// One emitter for both JSON flavours and both dialects: Juju's output (nlohmann::json, keys
// sorted as Go maps print) and Kubernetes objects (ordered_json, keys in the order written).
template <typename Json>
void Emit(YAML::Emitter& out, const Json& v, YamlDialect dialect) {
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
        if (single_trailing_newline && dialect == YamlDialect::kJuju) {
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
std::string EmitYaml(const Json& value, YamlDialect dialect) {
  if (value.is_null()) return "";
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, value, dialect);
  std::string s = out.c_str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s + "\n";
}

}  // namespace

std::string ToJson(const nlohmann::json& value) { return value.dump() + "\n"; }

std::string ToYaml(const nlohmann::json& value) { return EmitYaml(value, YamlDialect::kJuju); }
std::string OrderedToYaml(const nlohmann::ordered_json& value) { return EmitYaml(value, YamlDialect::kKubernetes); }

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

}  // namespace skein::format
