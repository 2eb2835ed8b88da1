#include "lib/format/output.h"

#include <cmath>
#include <regex>

#include "absl/strings/str_cat.h"
#include "yaml-cpp/yaml.h"

namespace skein::format {
namespace {

// True when a plain YAML scalar with this text would not read back as the same string.
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const std::regex kTyped(
      R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$|^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F]+$|^0o?[0-7]+$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$)");
  if (std::regex_match(s, kTyped)) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  static const std::string kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  return false;
}

void Emit(YAML::Emitter& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (auto it = v.begin(); it != v.end(); ++it) {
        out << YAML::Key;
        if (NeedsQuotes(it.key())) out << YAML::SingleQuoted;
        out << it.key() << YAML::Value;
        Emit(out, it.value());
      }
      out << YAML::EndMap;
      return;
    case nlohmann::json::value_t::array:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& item : v) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.find('\n') != std::string::npos) {
        // A literal block keeps exactly one trailing newline on reading (clip chomping), so only
        // text ending in a single newline round-trips through `|`; anything else is quoted.
        bool single_trailing_newline = s.back() == '\n' && (s.size() < 2 || s[s.size() - 2] != '\n');
        if (single_trailing_newline) {
          out << YAML::Literal << s;
        } else {
          out << YAML::DoubleQuoted << s;
        }
      } else if (NeedsQuotes(s)) {
        out << YAML::SingleQuoted << s;
      } else {
        out << s;
      }
      return;
    }
    case nlohmann::json::value_t::boolean:
      out << (v.get<bool>() ? "true" : "false");
      return;
    case nlohmann::json::value_t::number_integer:
      out << v.get<int64_t>();
      return;
    case nlohmann::json::value_t::number_unsigned:
      out << v.get<uint64_t>();
      return;
    case nlohmann::json::value_t::number_float:
      out << v.dump();
      return;
    default:
      out << YAML::Null;
      return;
  }
}

nlohmann::json NodeToJson(const YAML::Node& node, bool typed) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = NodeToJson(kv.second, typed);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : node) arr.push_back(NodeToJson(item, typed));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (!typed || node.Tag() == "!") return s;  // quoted scalars carry the "!" tag
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

std::string ToYaml(const nlohmann::json& value) {
  if (value.is_null()) return "";
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, value);
  std::string s = out.c_str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s + "\n";
}

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
  try {
    YAML::Node node = YAML::Load(text);
    return NodeToJson(node, typed);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse YAML: ", e.what()));
  }
}

}  // namespace skein::format
