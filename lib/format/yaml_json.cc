#include "lib/format/yaml_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <regex>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace skein::format {
namespace {

using nlohmann::json;

// What a reader makes of a plain scalar: the JSON value it becomes, and whether that is
// anything but the string itself (a timestamp or an infinity is kept as its text, but a
// reader still does not see a string there).
struct Resolution {
  json value;
  bool retyped = false;
};

Resolution Text(std::string_view text) { return {json(std::string(text)), false}; }
Resolution Retyped(json value) { return {std::move(value), true}; }
Resolution KeptAsText(std::string_view text) { return {json(std::string(text)), true}; }

bool Matches(std::string_view text, const std::regex& re) { return std::regex_match(text.begin(), text.end(), re); }

bool IsNull(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

// YAML 1.1's booleans; `with_single_letters` adds y/Y/n/N, which yaml.v2 takes and PyYAML does not.
std::optional<bool> Yaml11Bool(std::string_view s, bool with_single_letters) {
  for (std::string_view t : {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}) {
    if (s == t) return true;
  }
  for (std::string_view f : {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}) {
    if (s == f) return false;
  }
  if (with_single_letters && (s == "y" || s == "Y")) return true;
  if (with_single_letters && (s == "n" || s == "N")) return false;
  return std::nullopt;
}

// A finite double from text both strtod and the dialect's float grammar accept; nullopt when it
// overflows (Go's ParseFloat fails then, and yaml.v2 keeps the string).
std::optional<double> FiniteDouble(const std::string& text) {
  char* end = nullptr;
  double d = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

// Go's strconv.ParseInt(s, 0, 64), then ParseUint(s, 0, 64): an optional sign, then 0x/0o/0b
// or a leading 0 (octal) or decimal digits.
std::optional<json> GoInteger(std::string_view s) {
  bool negative = false, signed_text = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    signed_text = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() >= 2 && s.front() == '0') {
    char prefix = static_cast<char>(s[1] | 0x20);
    base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 8;
    s.remove_prefix(base == 8 && prefix != 'o' ? 1 : 2);
  }
  if (s.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (error != std::errc() || end != s.data() + s.size()) return std::nullopt;
  constexpr uint64_t kMaxInt = std::numeric_limits<int64_t>::max();
  if (negative) {
    if (magnitude > kMaxInt + 1) return std::nullopt;
    return json(magnitude == kMaxInt + 1 ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(magnitude));
  }
  if (magnitude <= kMaxInt) return json(static_cast<int64_t>(magnitude));
  if (signed_text) return std::nullopt;  // ParseUint takes no sign
  return json(magnitude);
}

// gopkg.in/yaml.v2's resolve() for a plain scalar decoded into interface{}.
Resolution ResolveGoYamlV2(std::string_view s) {
  if (IsNull(s)) return Retyped(nullptr);
  if (auto b = Yaml11Bool(s, /*with_single_letters=*/true)) return Retyped(*b);
  static const std::regex kInfinity(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  if (Matches(s, kInfinity)) return KeptAsText(s);
  const char first = s.front();
  if (first == '.') {
    static const std::regex kPointFloat(R"(\.[0-9]+([eE][-+]?[0-9]+)?)");
    if (Matches(s, kPointFloat)) {
      if (auto d = FiniteDouble(std::string(s))) return Retyped(*d);
    }
    return Text(s);
  }
  if (first != '+' && first != '-' && !(first >= '0' && first <= '9')) return Text(s);
  // A date or date-time, tried before numbers; yaml.v2 hands it to interface{} as its text.
  static const std::regex kTimestamp(
      R"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{1,2}:[0-9]{2})?)?)");
  if (Matches(s, kTimestamp)) return KeptAsText(s);
  std::string plain = absl::StrReplaceAll(std::string(s), {{"_", ""}});
  if (auto integer = GoInteger(plain)) return Retyped(*integer);
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (Matches(plain, kFloat)) {
    if (auto d = FiniteDouble(plain)) return Retyped(*d);
  }
  return Text(s);
}

// An integer in `digits` (no sign, no underscores) in `base`, or as a double when it is past
// int64 (Python's ints have no limit; JSON's here do).
json PythonInteger(std::string_view digits, int base, bool negative) {
  uint64_t magnitude = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  constexpr uint64_t kMaxInt = std::numeric_limits<int64_t>::max();
  if (error == std::errc() && end == digits.data() + digits.size() && magnitude <= kMaxInt) {
    int64_t v = static_cast<int64_t>(magnitude);
    return negative ? -v : v;
  }
  double d = 0;
  for (char c : digits) d = d * base + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  return negative ? -d : d;
}

// PyYAML's SafeLoader: the implicit resolvers of resolver.py and the constructors of
// constructor.py, for the values JSON can hold.
Resolution ResolvePyYaml(std::string_view s) {
  if (IsNull(s)) return Retyped(nullptr);
  if (auto b = Yaml11Bool(s, /*with_single_letters=*/false)) return Retyped(*b);
  if (s == "=" || s == "<<") return KeptAsText(s);  // the value and merge tags
  static const std::regex kInt(
      R"([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)");
  static const std::regex kFloat(
      R"([-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9][0-9_]*([eE][-+][0-9]+)?)"
      R"(|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*)");
  static const std::regex kInfinity(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  static const std::regex kTimestamp(
      R"([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2})"
      R"((\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)");
  if (Matches(s, kInfinity) || Matches(s, kTimestamp)) return KeptAsText(s);
  std::string value = absl::StrReplaceAll(std::string(s), {{"_", ""}});
  bool negative = false;
  auto take_sign = [&] {
    if (!value.empty() && (value.front() == '-' || value.front() == '+')) {
      negative = value.front() == '-';
      value.erase(0, 1);
    }
  };
  // Sexagesimal: `1:30` is 1*60 + 30, `1:30.5` is 90.5.
  auto base60 = [&](bool fractional) {
    double total = 0;
    for (const std::string& part : std::vector<std::string>(absl::StrSplit(value, ':'))) {
      total = total * 60 + (fractional ? std::strtod(part.c_str(), nullptr)
                                       : static_cast<double>(std::strtoll(part.c_str(), nullptr, 10)));
    }
    return negative ? -total : total;
  };
  if (Matches(s, kInt)) {
    take_sign();
    if (value.find(':') != std::string::npos) return Retyped(static_cast<int64_t>(base60(false)));
    if (value == "0") return Retyped(int64_t{0});
    if (value.rfind("0b", 0) == 0) return Retyped(PythonInteger(std::string_view(value).substr(2), 2, negative));
    if (value.rfind("0x", 0) == 0) return Retyped(PythonInteger(std::string_view(value).substr(2), 16, negative));
    if (value.front() == '0') return Retyped(PythonInteger(std::string_view(value).substr(1), 8, negative));
    return Retyped(PythonInteger(value, 10, negative));
  }
  if (Matches(s, kFloat)) {
    take_sign();
    if (value.find(':') != std::string::npos) return Retyped(base60(true));
    auto d = FiniteDouble(value);
    if (!d) return KeptAsText(s);  // float('1e999') is inf in Python
    return Retyped(negative ? -*d : *d);
  }
  return Text(s);
}

Resolution Resolve(std::string_view text, YamlDialect dialect) {
  switch (dialect) {
    case YamlDialect::kText:
      return Text(text);
    case YamlDialect::kJuju:
    case YamlDialect::kKubernetes:
      return ResolveGoYamlV2(text);
    case YamlDialect::kPython:
      return ResolvePyYaml(text);
  }
  return Text(text);
}

template <typename Json>
Json Convert(const YAML::Node& node, YamlDialect dialect) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      // yaml-cpp keeps a mapping's pairs in document order; ordered_json keeps it too.
      Json obj = Json::object();
      for (const auto& kv : node) obj[kv.first.as<std::string>()] = Convert<Json>(kv.second, dialect);
      return obj;
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(Convert<Json>(item, dialect));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      // Quoted and block scalars carry the non-specific tag "!" (plain ones "?"): they are
      // strings whatever their text, as is a scalar tagged !!str.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return s;
      json typed = TypePlainScalar(s, dialect);
      // json and ordered_json hold scalars alike; parsing the dump converts without loss.
      if constexpr (std::is_same_v<Json, json>) {
        return typed;
      } else {
        if (typed.is_string()) return typed.template get<std::string>();
        return Json::parse(typed.dump());
      }
    }
    default:
      // yaml-cpp reads a plain empty value, `~` and `null` as a Null node: null in every
      // dialect, as in every reader (kText too: an option left empty is not the text "").
      return nullptr;
  }
}

template <typename Json>
absl::StatusOr<Json> Load(const std::string& text, YamlDialect dialect, const YamlBudget& budget) {
  YamlSyntaxError syntax;
  syntax.line = -1;
  absl::StatusOr<YAML::Node> node = LoadYaml(text, budget, &syntax);
  if (!node.ok()) {
    if (syntax.line < 0) return node.status();  // a budget refusal: its text names the limit
    return absl::InvalidArgumentError(absl::StrCat("cannot parse YAML: ", node.status().message()));
  }
  return Convert<Json>(*node, dialect);
}

}  // namespace

json TypePlainScalar(std::string_view text, YamlDialect dialect) { return Resolve(text, dialect).value; }

bool PlainScalarIsRetyped(std::string_view text, YamlDialect dialect) { return Resolve(text, dialect).retyped; }

json NodeToJson(const YAML::Node& node, YamlDialect dialect) { return Convert<json>(node, dialect); }

nlohmann::ordered_json NodeToOrderedJson(const YAML::Node& node, YamlDialect dialect) {
  return Convert<nlohmann::ordered_json>(node, dialect);
}

absl::StatusOr<json> YamlToJson(const std::string& text, YamlDialect dialect, const YamlBudget& budget) {
  return Load<json>(text, dialect, budget);
}

absl::StatusOr<nlohmann::ordered_json> YamlToOrderedJson(const std::string& text, YamlDialect dialect,
                                                         const YamlBudget& budget) {
  return Load<nlohmann::ordered_json>(text, dialect, budget);
}

absl::StatusOr<std::vector<nlohmann::ordered_json>> YamlDocumentsToOrderedJson(const std::string& text,
                                                                               YamlDialect dialect) {
  absl::StatusOr<std::vector<YAML::Node>> documents = LoadYamlDocuments(text);
  if (!documents.ok()) return documents.status();
  std::vector<nlohmann::ordered_json> out;
  for (const YAML::Node& doc : *documents) out.push_back(NodeToOrderedJson(doc, dialect));
  return out;
}

}  // namespace skein::format
