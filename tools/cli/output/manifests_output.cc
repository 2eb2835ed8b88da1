#include "tools/cli/output/manifests_output.h"

#include <cctype>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::output {
namespace {

// True when a plain YAML scalar with this text would not read back as the same string, under
// YAML 1.2 or the YAML 1.1 rules kubectl's parser still applies (yes/no/on/off, timestamps).
bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const std::regex kTyped(
      R"(^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|=)$)"
      R"(|^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^0x[0-9a-fA-F]+$|^0o?[0-7]+$)"
      R"(|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$)");
  static const std::regex kTimestamp(R"(^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})");
  if (std::regex_match(s, kTyped) || std::regex_search(s, kTimestamp)) return true;
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return true;
  static const std::string kIndicators = "-?:,[]{}#&*!|>'\"%@`";
  if (kIndicators.find(s.front()) != std::string::npos) return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos || s.back() == ':') return true;
  return false;
}

void Emit(YAML::Emitter& out, const OrderedJson& v) {
  switch (v.type()) {
    case OrderedJson::value_t::object:
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
    case OrderedJson::value_t::array:
      if (v.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& item : v) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case OrderedJson::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.find('\n') != std::string::npos) {
        // A literal block keeps exactly one trailing newline on reading (clip chomping) and
        // cannot start with a space without an indentation indicator; anything else is quoted.
        bool single_trailing_newline = s.back() == '\n' && (s.size() < 2 || s[s.size() - 2] != '\n');
        bool plain_start = s.front() != ' ' && s.front() != '\n' && s.front() != '\t';
        if (single_trailing_newline && plain_start) {
          // yaml-cpp ends a literal block with a line break of its own; giving it the text
          // without its last newline avoids a blank line that readers would drop anyway.
          out << YAML::Literal << s.substr(0, s.size() - 1);
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
    case OrderedJson::value_t::boolean:
      out << (v.get<bool>() ? "true" : "false");
      return;
    case OrderedJson::value_t::number_integer:
      out << v.get<int64_t>();
      return;
    case OrderedJson::value_t::number_unsigned:
      out << v.get<uint64_t>();
      return;
    case OrderedJson::value_t::number_float:
      out << v.dump();
      return;
    default:
      out << YAML::Null;
      return;
  }
}

OrderedJson NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      // yaml-cpp keeps a mapping's pairs in document order, and so does OrderedJson.
      OrderedJson obj = OrderedJson::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = NodeToJson(kv.second);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      OrderedJson arr = OrderedJson::array();
      for (const auto& item : node) arr.push_back(NodeToJson(item));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted and block scalars carry the "!" tag
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

// One path component that cannot leave the output directory.
std::string SafeComponent(std::string s) {
  for (char& c : s) {
    if (c == '/' || c == '\\' || c == '\0') c = '_';
  }
  if (s.empty() || s == "." || s == "..") s = "_" + s;
  return s;
}

}  // namespace

std::string ObjectToYaml(const OrderedJson& object) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  Emit(out, object);
  std::string s = out.c_str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s + "\n";
}

std::string YamlStream(const std::vector<OrderedJson>& objects) {
  std::vector<std::string> docs;
  docs.reserve(objects.size());
  for (const OrderedJson& o : objects) docs.push_back(ObjectToYaml(o));
  return absl::StrJoin(docs, "---\n");
}

std::string JsonList(const std::vector<OrderedJson>& objects) {
  OrderedJson list = OrderedJson::object();
  list["apiVersion"] = "v1";
  list["kind"] = "List";
  list["items"] = OrderedJson::array();
  for (const OrderedJson& o : objects) list["items"].push_back(o);
  return list.dump() + "\n";
}

absl::StatusOr<std::vector<OrderedJson>> ParseYamlDocuments(const std::string& text) {
  try {
    std::vector<OrderedJson> out;
    for (const YAML::Node& doc : YAML::LoadAll(text)) out.push_back(NodeToJson(doc));
    return out;
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("yaml: line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
}

std::string KindLower(const std::string& kind) {
  std::string out = kind;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ManifestRelativePath(const std::string& ns, const std::string& kind, const std::string& name) {
  return absl::StrCat(ns.empty() ? "_cluster" : SafeComponent(ns), "/",
                      SafeComponent(absl::StrCat(KindLower(kind), "-", name)), ".yaml");
}

}  // namespace skein::cli::output
