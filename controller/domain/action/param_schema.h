#pragma once

// Validation of `skein run` parameters against an action's JSON schema (actions.yaml,
// juju-semantics §9.3; a Draft 4 subset: type string|integer|number|boolean|object|array,
// enum, required, additionalProperties, nested object properties, minimum/maximum,
// minLength/maxLength) and insertion of schema defaults.

#include "absl/status/statusor.h"
#include "lib/charm/metadata.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::action {

// Returns `params` with the schema's defaults inserted for missing keys (nested objects too).
// InvalidArgument with a message naming the parameter, e.g.
// `validation failed: (root).count : must be of type integer, given "x"`,
// `validation failed: (root) : "name" property is missing and required`,
// `validation failed: (root) : additional property "bogus" is not allowed`.
absl::StatusOr<nlohmann::json> ValidateParams(const charm::ActionSpec& spec, const nlohmann::json& params);

}  // namespace skein::controller::domain::action
