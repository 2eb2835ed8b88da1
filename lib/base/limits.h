#pragma once

// Limits on what one request may ask of the controller, defined once and listed in the README
// ("Limits"). The CLI checks them to fail fast; the controller is the authority.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace skein {

// Units one request may add: `deploy -n`, `add-unit -n`, or all the applications of a bundle
// together. Every unit of a request is written in one transaction; at this limit that takes
// well under a second (README "Limits"), so no single request holds up every other write.
// More units are added in several requests.
inline constexpr int64_t kMaxUnitsPerRequest = 1000;

// InvalidArgument naming the limit when `units` is over it.
inline absl::Status CheckUnitsPerRequest(int64_t units) {
  if (units <= kMaxUnitsPerRequest) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("cannot add ", units, " units in one request: the limit is ",
                                                 kMaxUnitsPerRequest,
                                                 " units per request; add more with several add-unit requests"));
}

}  // namespace skein
