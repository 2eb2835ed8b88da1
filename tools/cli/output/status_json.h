#pragma once

// `skein status --format json|yaml`: the document jubilant parses (juju-cli-client-contract §5,
// cli-and-ux §1.2). Keys are kebab-case; optional maps and lists are left out rather than null;
// `charm-rev` is an integer and `exposed` a boolean; `since` is in Juju's human form.

#include <string>

#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"

namespace skein::cli::output {

// "alive" | "dying" | "dead".
std::string LifeName(skein::v1::Life life);

// A StatusInfo object: current, message (when set), since (Juju form), plus `version` when
// given (juju-status carries the agent version) and `life` when not alive.
nlohmann::json StatusInfoJson(const skein::v1::StatusInfo& info, const std::string& version = "",
                              skein::v1::Life life = skein::v1::LIFE_ALIVE);

// The whole status document. `controller_name` fills model.controller when the controller did
// not say. The document always has `model`, `machines` and `applications` (maps, never null).
// The timestamp is the status's controller_timestamp (the caller fills it when missing).
nlohmann::json StatusToJson(const skein::v1::ModelStatus& status, const std::string& controller_name);

// True when the model has no applications and no machines (`Model "x" is empty.`).
bool IsEmptyModel(const skein::v1::ModelStatus& status);

}  // namespace skein::cli::output
