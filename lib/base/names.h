#pragma once

// Names and tags of model entities, with Juju's validation rules (juju-semantics §9.4).
//
//   application  `mysql`, `katib-db`         lower-case letters, digits, single hyphens,
//                                            starts with a letter, no all-digit segment
//   unit         `mysql/0`                   `<application>/<number>`
//   tags         `unit-mysql-0`, `machine-0`, `user-admin`, `application-mysql`

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace skein {

bool IsValidApplicationName(std::string_view name);
bool IsValidModelName(std::string_view name);
// A UUID as NewUuid() writes it: 8-4-4-4-12 lower-case hex digits (safe as a path component).
bool IsValidUuid(std::string_view text);

struct UnitName {
  std::string application;
  int number = 0;

  std::string ToString() const;       // `app/0`
  std::string Tag() const;            // `unit-app-0`
};

// Parses `app/N`. Returns InvalidArgument `"x" is not a valid unit name`.
absl::StatusOr<UnitName> ParseUnitName(std::string_view text);
// Parses `unit-app-name-N` back into a unit name. Returns InvalidArgument otherwise.
absl::StatusOr<UnitName> ParseUnitTag(std::string_view tag);

std::string MachineTag(std::string_view machine_id);  // `machine-0`
inline constexpr std::string_view kAdminTag = "user-admin";

// Natural sort order (`app2` < `app10`), used everywhere names are listed.
bool NaturalLess(std::string_view a, std::string_view b);

}  // namespace skein
