#pragma once

// `skein model-config` documents (juju-cli-client-contract §3.19, cli-and-ux §1.7):
//   json   {key: {"Value": v, "Source": "default"|"model"}}   (capitalised, as Juju and jubilant)
//   yaml   {key: {value: v, source: ...}}                      (lower case, as Juju's yaml tags)
//   tabular `Attribute  From  Value` rows sorted by key; an empty string shows as `""`.
// Values are typed like Juju's: automatically-retry-hooks is a bool, the rest strings.

#include <string>

#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"

namespace skein::cli::output {

nlohmann::json ModelConfigValue(const skein::v1::ModelConfigEntry& entry);
// `capitalised` picks the json spelling (Value/Source) over the yaml one (value/source).
nlohmann::json ModelConfigToJson(const skein::v1::GetModelConfigResponse& config, bool capitalised);
std::string ModelConfigTabular(const skein::v1::GetModelConfigResponse& config);

}  // namespace skein::cli::output
