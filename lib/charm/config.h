#pragma once

// Charm config schema (`config.yaml`, juju-semantics §9.2) and typed values.

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::charm {

struct ConfigOption {
  std::string name;
  std::string type = "string";   // string | int | float | boolean | secret
  std::string description;
  nlohmann::json default_value;  // null = no default
};

using ConfigSchema = std::map<std::string, ConfigOption>;

// Parses config.yaml text. Empty text = no options. InvalidArgument on an unknown type or a
// default that does not match its type: `config.yaml: option "x" has unknown type "y"`.
absl::StatusOr<ConfigSchema> ParseConfigSchema(const std::string& yaml_text);

// Parses a `juju config app k=v` value per the option's type. Errors:
//   NotFound           `unknown option "k"`
//   InvalidArgument    `option "k" expected int, got "abc"`
//   ResourceExhausted  CheckConfigValueSize's
// An empty string for a non-string option means "reset" and returns null.
absl::StatusOr<nlohmann::json> ParseConfigValue(const ConfigSchema& schema, const std::string& key,
                                                const std::string& raw);

// The size caps on a user's settings (README "Limits"), checked by the CLI before it sends and
// by the controller before it stores: each raw value within limits::kConfigValue
// (`config option "k" (N bytes) exceeds the 4 MiB limit of a config value`), and all of them,
// as the JSON object the controller stores, within limits::kConfigTotal. ResourceExhausted.
absl::Status CheckConfigValueSize(const std::string& key, const std::string& raw);
absl::Status CheckConfigSizes(const std::map<std::string, std::string>& raw);
absl::Status CheckStoredConfigSize(const std::string& application, const nlohmann::json& settings);

// Effective settings: defaults overlaid with the user's settings; options with a null value
// are omitted (what `config-get` prints).
nlohmann::json EffectiveConfig(const ConfigSchema& schema, const nlohmann::json& user_settings);

// The user's settings that still apply under `schema` (Juju's FilterSettings, used when an
// application's charm changes): a setting whose option is gone, or whose value no longer fits
// the option's type, is dropped.
nlohmann::json FilterSettings(const ConfigSchema& schema, const nlohmann::json& user_settings);

}  // namespace skein::charm
