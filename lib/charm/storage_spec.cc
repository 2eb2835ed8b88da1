#include "lib/charm/storage_spec.h"

#include <algorithm>
#include <cctype>
#include <regex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "yaml-cpp/yaml.h"

namespace skein::charm {
namespace {

// Juju's storage name rule: lower-case words joined by single dashes, starting with a letter.
bool IsValidStorageName(const std::string& name) {
  static const std::regex kName("^[a-z][a-z0-9]*(-[a-z0-9]*[a-z][a-z0-9]*)*$");
  return std::regex_match(name, kName);
}

absl::Status SpecError(const std::string& name, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("storage \"", name, "\": ", what));
}

// `range` of `multiple`: `N` (exactly N), `N-M`, `N-` or `N+` (N or more).
absl::Status ParseRange(const std::string& name, const std::string& text, StorageSpec& spec) {
  static const std::regex kRange("^([0-9]+)(?:(-|\\+)|-([0-9]+))?$");
  std::smatch m;
  auto bad = [&] {
    return SpecError(name, absl::StrCat("invalid multiple range \"", text, "\" (expected N, N-M, N- or N+)"));
  };
  if (!std::regex_match(text, m, kRange)) return bad();
  if (!absl::SimpleAtoi(m[1].str(), &spec.count_min)) return bad();
  if (m[2].matched) {
    spec.count_max = std::nullopt;
  } else if (m[3].matched) {
    int max = 0;
    if (!absl::SimpleAtoi(m[3].str(), &max) || max < spec.count_min) return bad();
    spec.count_max = max;
  } else {
    spec.count_max = spec.count_min;
  }
  if (spec.count_max && *spec.count_max == 0) return bad();
  return absl::OkStatus();
}

absl::StatusOr<StorageSpec> ParseSpec(const std::string& name, const YAML::Node& node) {
  StorageSpec spec;
  spec.name = name;
  if (!IsValidStorageName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid storage name \"", name, "\""));
  }
  if (!node.IsMap()) return SpecError(name, "expected a map with at least \"type\"");
  const YAML::Node type = node["type"];
  if (!type || !type.IsScalar()) return SpecError(name, "missing \"type\" (filesystem or block)");
  auto kind = ParseStorageKind(type.as<std::string>());
  if (!kind) {
    return SpecError(name, absl::StrCat("type must be filesystem or block, not \"", type.as<std::string>(), "\""));
  }
  spec.kind = *kind;
  if (node["description"]) spec.description = node["description"].as<std::string>();
  if (node["location"]) {
    if (spec.kind == StorageKind::kBlock) return SpecError(name, "location is not valid for block storage");
    spec.location = node["location"].as<std::string>();
  }
  if (node["shared"]) spec.shared = node["shared"].as<bool>();
  if (node["read-only"]) spec.read_only = node["read-only"].as<bool>();
  if (node["minimum-size"]) {
    auto size = ParseSizeMiB(node["minimum-size"].as<std::string>());
    if (!size.ok()) return SpecError(name, absl::StrCat("minimum-size: ", size.status().message()));
    spec.minimum_size_mib = *size;
  }
  if (const YAML::Node multiple = node["multiple"]; multiple && !multiple.IsNull()) {
    if (!multiple.IsMap() || !multiple["range"] || !multiple["range"].IsScalar()) {
      return SpecError(name, "multiple must be a map with a \"range\"");
    }
    if (absl::Status s = ParseRange(name, multiple["range"].as<std::string>(), spec); !s.ok()) return s;
  }
  if (const YAML::Node props = node["properties"]; props && !props.IsNull()) {
    if (!props.IsSequence()) return SpecError(name, "properties must be a list");
    for (const auto& p : props) {
      const std::string prop = p.as<std::string>();
      if (prop != "transient") return SpecError(name, absl::StrCat("unknown property \"", prop, "\""));
      spec.properties.push_back(prop);
    }
  }
  return spec;
}

}  // namespace

std::string StorageKindName(StorageKind kind) { return kind == StorageKind::kBlock ? "block" : "filesystem"; }

std::optional<StorageKind> ParseStorageKind(const std::string& name) {
  if (name == "filesystem") return StorageKind::kFilesystem;
  if (name == "block") return StorageKind::kBlock;
  return std::nullopt;
}

bool StorageSpec::transient() const {
  return std::find(properties.begin(), properties.end(), "transient") != properties.end();
}

absl::StatusOr<std::vector<StorageSpec>> ParseStorageSection(const YAML::Node& section) {
  std::vector<StorageSpec> specs;
  if (!section || section.IsNull()) return specs;
  if (!section.IsMap()) return absl::InvalidArgumentError("\"storage\" must be a map");
  try {
    for (const auto& kv : section) {
      auto spec = ParseSpec(kv.first.as<std::string>(), kv.second);
      if (!spec.ok()) return spec.status();
      specs.push_back(std::move(*spec));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("\"storage\": ", e.what()));
  }
  return specs;
}

absl::StatusOr<uint64_t> ParseSizeMiB(const std::string& text) {
  static const std::regex kSize("^([0-9]+(?:\\.[0-9]+)?)([MGTPE]?)(?:i?B)?$", std::regex::icase);
  std::smatch m;
  double number = 0;
  if (!std::regex_match(text, m, kSize) || !absl::SimpleAtod(m[1].str(), &number)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid size \"", text, "\" (expected a number with an optional M, G, T, P or E suffix)"));
  }
  const std::string suffix = m[2].str();
  int shift = 0;
  if (!suffix.empty()) shift = 10 * static_cast<int>(std::string("MGTPE").find(static_cast<char>(std::toupper(static_cast<unsigned char>(suffix[0])))));
  const double mib = number * static_cast<double>(uint64_t{1} << shift);
  if (mib > 9.0e15) return absl::InvalidArgumentError(absl::StrCat("invalid size \"", text, "\" (too large)"));
  return static_cast<uint64_t>(mib + 0.999999);
}

absl::StatusOr<StorageDirective> ParseStorageDirective(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("invalid storage directive \"", text, "\": ", why,
                                                   "; expected name=[pool,][count,][size] such as data=2,10G"));
  };
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return bad("missing name or directive");
  StorageDirective d;
  d.name = text.substr(0, eq);
  if (!IsValidStorageName(d.name)) return bad(absl::StrCat("\"", d.name, "\" is not a storage name"));
  static const std::regex kPool("^[a-zA-Z][a-zA-Z0-9-_]*$");
  for (absl::string_view part : absl::StrSplit(text.substr(eq + 1), ',')) {
    const std::string item(part);
    int count = 0;
    if (absl::SimpleAtoi(item, &count)) {
      if (d.count) return bad("more than one count");
      if (count < 0) return bad("the count must not be negative");
      d.count = count;
    } else if (auto size = ParseSizeMiB(item); size.ok()) {
      if (d.size_mib) return bad("more than one size");
      d.size_mib = *size;
    } else if (std::regex_match(item, kPool)) {
      if (!d.pool.empty()) return bad("more than one pool");
      d.pool = item;
    } else {
      return bad(absl::StrCat("\"", item, "\" is neither a count, a size nor a pool"));
    }
  }
  return d;
}

}  // namespace skein::charm
