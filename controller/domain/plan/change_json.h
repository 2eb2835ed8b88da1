#pragma once

// A stored change (plan_changes.change_json, kind): the typed change as JSON, and back.

#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/plan/plan.h"

namespace skein::controller::domain::plan {

// `deploy`, `refresh`, `set-config`, `add-units`, `add-relation`, `remove-relation`,
// `remove-application`, `wait`: plan_changes.kind.
const char* KindName(ChangeKind kind);

std::string ChangeArgsToJson(const ChangeArgs& args);
// Internal when the stored text is not a change of `kind` (a damaged row).
absl::StatusOr<ChangeArgs> ChangeArgsFromJson(const std::string& kind, const std::string& json);

// The charm archive a change needs from the charm store (deploy and refresh), else empty.
std::string CharmOf(const ChangeArgs& args);

}  // namespace skein::controller::domain::plan
