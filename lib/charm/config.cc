#include "lib/charm/config.h"

#include <cerrno>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/charm/metadata.h"
#include "lib/format/yaml_budget.h"
#include "lib/format/output.h"

namespace skein::charm {
namespace {

bool ValueMatchesType(const nlohmann::json& v, const std::string& type) {
  if (v.is_null()) return true;
  if (type == "string" || type == "secret") return v.is_string();
  if (type == "int") return v.is_number_integer();
  if (type == "float") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  return false;
}

}  // namespace

absl::StatusOr<ConfigSchema> ParseConfigSchema(const std::string& yaml_text) {
  ConfigSchema schema;
  if (yaml_text.find_first_not_of(" \t\r\n") == std::string::npos) return schema;
  auto parsed = format::YamlToJson(yaml_text, format::YamlDialect::kJuju, CharmYamlBudget());
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("config.yaml: ", parsed.status().message()));
  const nlohmann::json& root = *parsed;
  if (!root.is_object() || !root.contains("options")) {
    return absl::InvalidArgumentError("config.yaml: invalid config: empty configuration");
  }
  const nlohmann::json& options = root["options"];
  if (options.is_null()) return schema;
  if (!options.is_object()) return absl::InvalidArgumentError("config.yaml: \"options\" must be a map");
  for (auto it = options.begin(); it != options.end(); ++it) {
    ConfigOption opt;
    opt.name = it.key();
    const nlohmann::json& o = it.value();
    if (o.is_object()) {
      if (o.contains("type") && o["type"].is_string()) opt.type = o["type"];
      if (o.contains("description") && o["description"].is_string()) opt.description = o["description"];
      if (o.contains("default")) opt.default_value = o["default"];
    }
    if (opt.type != "string" && opt.type != "int" && opt.type != "float" && opt.type != "boolean" &&
        opt.type != "secret") {
      return absl::InvalidArgumentError(
          absl::StrCat("config.yaml: option \"", opt.name, "\" has unknown type \"", opt.type, "\""));
    }
    // YAML reads `default: 1` as an int even for a string option; Juju accepts that and keeps text.
    if ((opt.type == "string" || opt.type == "secret") && !opt.default_value.is_null() &&
        !opt.default_value.is_string()) {
      opt.default_value = opt.default_value.is_string() ? opt.default_value.get<std::string>()
                                                        : opt.default_value.dump();
    }
    if (opt.type == "float" && opt.default_value.is_number_integer()) {
      opt.default_value = opt.default_value.get<double>();
    }
    if (!ValueMatchesType(opt.default_value, opt.type)) {
      return absl::InvalidArgumentError(absl::StrCat("config.yaml: option \"", opt.name, "\" default ",
                                                     opt.default_value.dump(), " is not of type ", opt.type));
    }
    schema[opt.name] = opt;
  }
  return schema;
}

absl::Status CheckConfigValueSize(const std::string& key, const std::string& raw) {
  return limits::CheckSize(limits::kConfigValue, absl::StrCat("config option \"", key, "\""), raw.size());
}

absl::Status CheckConfigSizes(const std::map<std::string, std::string>& raw) {
  nlohmann::json all = nlohmann::json::object();
  for (const auto& [key, value] : raw) {
    if (absl::Status s = CheckConfigValueSize(key, value); !s.ok()) return s;
    all[key] = value;
  }
  return limits::CheckSize(limits::kConfigTotal, "the config", all.dump().size());
}

absl::Status CheckStoredConfigSize(const std::string& application, const nlohmann::json& settings) {
  return limits::CheckSize(limits::kConfigTotal, absl::StrCat("the config of application \"", application, "\""),
                           settings.dump().size());
}

absl::StatusOr<nlohmann::json> ParseConfigValue(const ConfigSchema& schema, const std::string& key,
                                                const std::string& raw) {
  auto it = schema.find(key);
  if (it == schema.end()) return absl::NotFoundError(absl::StrCat("unknown option \"", key, "\""));
  if (absl::Status s = CheckConfigValueSize(key, raw); !s.ok()) return s;
  const std::string& type = it->second.type;
  if (type == "string" || type == "secret") return raw;
  if (raw.empty()) return nullptr;
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("option \"", key, "\" expected ", type, ", got \"", raw, "\""));
  };
  if (type == "int") {
    int64_t v;
    if (!absl::SimpleAtoi(raw, &v)) return bad();
    return v;
  }
  if (type == "float") {
    double v;
    if (!absl::SimpleAtod(raw, &v)) return bad();
    return v;
  }
  if (type == "boolean") {
    // Go's strconv.ParseBool.
    if (raw == "1" || raw == "t" || raw == "T" || raw == "TRUE" || raw == "true" || raw == "True") return true;
    if (raw == "0" || raw == "f" || raw == "F" || raw == "FALSE" || raw == "false" || raw == "False") return false;
    return bad();
  }
  return bad();
}

nlohmann::json EffectiveConfig(const ConfigSchema& schema, const nlohmann::json& user_settings) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, opt] : schema) {
    if (user_settings.is_object() && user_settings.contains(name) && !user_settings[name].is_null()) {
      out[name] = user_settings[name];
    } else if (!opt.default_value.is_null()) {
      out[name] = opt.default_value;
    }
  }
  return out;
}

nlohmann::json FilterSettings(const ConfigSchema& schema, const nlohmann::json& user_settings) {
  nlohmann::json out = nlohmann::json::object();
  if (!user_settings.is_object()) return out;
  for (auto it = user_settings.begin(); it != user_settings.end(); ++it) {
    auto option = schema.find(it.key());
    if (option == schema.end() || it.value().is_null() || !ValueMatchesType(it.value(), option->second.type)) continue;
    out[it.key()] = it.value();
  }
  return out;
}

}  // namespace skein::charm
