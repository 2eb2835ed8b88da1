#pragma once

// `skein config <app>` documents (cli-and-ux §1.7, juju-cli-client-contract §3.12):
//   {application, charm, application-config: {trust: {...}},
//    settings: {opt: {default?, description, source, type, value?}}}
// An option carries `value` when it has a default or a user value (also `""`).

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"

namespace skein::cli::output {

nlohmann::json ConfigToJson(const skein::v1::GetConfigResponse& config);

// The value of one option (JSON null when it has none). NotFound with Juju's text
// `key "k" not found in "app" application config or charm settings.` for an unknown key.
absl::StatusOr<nlohmann::json> ConfigValue(const skein::v1::GetConfigResponse& config, const std::string& key);

// How `config app key` prints one value: strings raw, other values as JSON, nothing for null;
// always ends with a newline except for null.
std::string BareValue(const nlohmann::json& value);

}  // namespace skein::cli::output
