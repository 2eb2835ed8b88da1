#include "relations/interfaces/python_dump.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/format/yaml_budget.h"
#include "lib/format/yaml_json.h"
#include "yaml-cpp/yaml.h"

namespace skein::relations::interfaces {
namespace {

using nlohmann::ordered_json;

void JsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else if (c < 0x80) {
          out->push_back(static_cast<char>(c));
        } else {
          // Decode UTF-8 and escape as json.dumps does with ensure_ascii (surrogate pairs above
          // the BMP).
          uint32_t cp = 0;
          int extra = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : 3;
          cp = c & (extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07);
          for (int k = 0; k < extra && i + 1 < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3f);
          char buf[16];
          if (cp >= 0x10000) {
            cp -= 0x10000;
            std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
          } else {
            std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
          }
          out->append(buf);
        }
    }
  }
  out->push_back('"');
}

void JsonDump(const ordered_json& v, std::string* out) {
  switch (v.type()) {
    case ordered_json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, item] : v.items()) {
        if (!first) out->append(", ");
        first = false;
        JsonString(k, out);
        out->append(": ");
        JsonDump(item, out);
      }
      out->push_back('}');
      break;
    }
    case ordered_json::value_t::array: {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->append(", ");
        JsonDump(v[i], out);
      }
      out->push_back(']');
      break;
    }
    case ordered_json::value_t::string:
      JsonString(v.get<std::string>(), out);
      break;
    case ordered_json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      break;
    case ordered_json::value_t::null:
      out->append("null");
      break;
    default:
      out->append(v.dump());
  }
}

// Would PyYAML read this plain scalar back as something other than this string? Its resolver
// (lib/format/yaml_json.h, kPython) says for the text's type; its emitter also quotes what plain
// style cannot hold.
bool NeedsQuotes(const std::string& s) {
  if (format::PlainScalarIsRetyped(s, format::YamlDialect::kPython)) return true;
  const std::string leading = "-?:,[]{}#&*!|>'\"%@`";
  if (leading.find(s[0]) != std::string::npos) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':') return true;
  return std::any_of(s.begin(), s.end(), [](char c) { return c == '\n' || static_cast<unsigned char>(c) < 0x20; });
}

std::string YamlScalar(const ordered_json& v) {
  switch (v.type()) {
    case ordered_json::value_t::string: {
      const std::string s = v.get<std::string>();
      if (!NeedsQuotes(s)) return s;
      std::string out = "'";
      for (char c : s) {
        if (c == '\'') out += "''";
        else out += c;
      }
      return out + "'";
    }
    case ordered_json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case ordered_json::value_t::null:
      return "null";
    default:
      return v.dump();
  }
}

void YamlDump(const ordered_json& v, int indent, std::string* out) {
  const std::string pad(indent, ' ');
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [k, item] : v.items()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys) {
      const ordered_json& item = v[k];
      absl::StrAppend(out, pad, YamlScalar(ordered_json(k)), ":");
      if ((item.is_object() || item.is_array()) && !item.empty()) {
        out->push_back('\n');
        // PyYAML indents nested mappings by 2 and keeps list items at the key's indentation.
        YamlDump(item, item.is_object() ? indent + 2 : indent, out);
      } else {
        absl::StrAppend(out, " ", item.is_object() ? "{}" : item.is_array() ? "[]" : YamlScalar(item), "\n");
      }
    }
  } else if (v.is_array()) {
    for (const auto& item : v) {
      absl::StrAppend(out, pad, "-");
      if ((item.is_object() || item.is_array()) && !item.empty()) {
        std::string nested;
        YamlDump(item, indent + 2, &nested);
        // The first line of the nested block continues after "- ".
        absl::StrAppend(out, " ", nested.substr(indent + 2));
      } else {
        absl::StrAppend(out, " ", item.is_object() ? "{}" : item.is_array() ? "[]" : YamlScalar(item), "\n");
      }
    }
  } else {
    absl::StrAppend(out, YamlScalar(v), "\n...\n");
  }
}

}  // namespace

std::string PythonJsonDumps(const ordered_json& value) {
  std::string out;
  JsonDump(value, &out);
  return out;
}

std::string PythonYamlDump(const ordered_json& value) {
  if ((value.is_object() || value.is_array()) && value.empty()) return value.is_object() ? "{}\n" : "[]\n";
  std::string out;
  YamlDump(value, 0, &out);
  return out;
}

absl::StatusOr<ordered_json> PythonYamlLoad(const std::string& text) {
  // Relation data comes from other charms: load it within the YAML budget.
  absl::StatusOr<YAML::Node> node = format::LoadYaml(text);
  if (!node.ok()) return absl::InvalidArgumentError(absl::StrCat("malformed YAML: ", node.status().message()));
  try {
    return format::NodeToOrderedJson(*node, format::YamlDialect::kPython);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed YAML: ", e.what()));
  }
}

}  // namespace skein::relations::interfaces
