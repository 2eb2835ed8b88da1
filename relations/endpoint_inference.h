#pragma once

// Endpoint inference for `integrate`, `remove-relation` and bundle relations (juju-semantics §4, §8.3): which
// endpoint pairs of two charms can be related. Pure: no database.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/charm/metadata.h"

namespace skein::relations {

// `app` or `app:endpoint`.
struct EndpointSpec {
  std::string application;
  std::string endpoint;  // empty = infer
  std::string text;      // as the user wrote it
};

// InvalidArgument `invalid endpoint "x"` when the application part is not a valid name.
absl::StatusOr<EndpointSpec> ParseEndpointSpec(const std::string& text);

// One side of a candidate relation.
struct Side {
  std::string application;
  charm::Endpoint endpoint;
  std::string Spec() const { return application + ":" + endpoint.name; }
};

// Every (a, b) pair, in argument order, where one side provides and the other requires the same
// interface. Peers endpoints never match. Sorted by (a endpoint, b endpoint).
std::vector<std::pair<Side, Side>> CompatiblePairs(const EndpointSpec& a, const charm::Metadata& ma,
                                                   const EndpointSpec& b, const charm::Metadata& mb);

// NotFound `application "a" has no "x" relation` when a spec names an endpoint the charm lacks.
absl::Status CheckNamedEndpoints(const EndpointSpec& a, const charm::Metadata& ma, const EndpointSpec& b,
                                 const charm::Metadata& mb);

// `ambiguous relation: "a b" could refer to "a:x b:y"; "a:z b:w"`.
std::string AmbiguousMessage(const EndpointSpec& a, const EndpointSpec& b,
                             const std::vector<std::pair<Side, Side>>& candidates);

}  // namespace skein::relations
