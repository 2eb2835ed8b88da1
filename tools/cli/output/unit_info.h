#pragma once

// `skein show-unit` document: `{unit: {opened-ports, charm, leader, life, machine, ...,
// relation-info: [...]}}` (juju-cli-client-contract §7; jubilant requires opened-ports, charm
// and leader).

#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"

namespace skein::cli::output {

nlohmann::json UnitInfoToJson(const skein::v1::UnitInfo& info);

}  // namespace skein::cli::output
