#pragma once

// A bundle deploy as a plan (DESIGN §7): the charms resolved for every application, the relations
// with their endpoints inferred, and the ordered change list Juju prints (cli-and-ux §1.3),
// computed from (bundle, current model) by pure functions. The controller applies the result in
// one transaction.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/bundle.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"
#include "relations/endpoint_inference.h"

namespace skein::bundles {

// A charm as a store or a local directory provides it.
struct ResolvedCharm {
  std::string name;
  std::string origin;      // `charmhub` (a store) or `local`
  std::string channel;     // the channel the application tracks (store charms)
  int64_t revision = 0;    // store revision; 0 for local charms
  std::string base;        // `ubuntu@22.04` when known
  charm::Metadata metadata;
  charm::ConfigSchema config;
  // The charm's files (metadata.yaml, config.yaml, actions.yaml, dispatch ...), path -> content.
  std::map<std::string, std::string> files;
};

// Resolves an application's charm (from the store by name and channel/revision, or from its
// local path). Errors are the store's (unknown charm, channel with no release, ...).
using CharmResolver = std::function<absl::StatusOr<ResolvedCharm>(const Application&)>;

struct RelationPlan {
  std::string a;  // `app:endpoint`
  std::string b;
};

// What the model already has, for a deploy onto a model that is not empty.
struct ExistingModel {
  std::map<std::string, std::string> applications;  // name -> charm name
  std::set<std::string> relations;                  // RelationKey(a, b)
};

struct Plan {
  std::map<std::string, ResolvedCharm> charms;  // by application, only applications to deploy
  std::vector<std::string> deploy;              // applications to deploy, in bundle order
  std::vector<RelationPlan> relations;          // relations to add
  std::vector<std::string> changes;             // Juju's change lines, without the leading "- "
};

// `a:x b:y` with the two endpoints in sorted order (how relations are compared).
std::string RelationKey(const std::string& a, const std::string& b);

// Resolves every charm, checks options against each charm's config schema and named endpoints
// against its metadata, infers relation endpoints, and lists the changes that take `existing`
// to the bundle. An application of the bundle that exists with the same charm is left alone;
// one with another charm is an error (refresh is not part of deploy). InvalidArgument with
// Juju's texts: `application "x": unknown option "k"`, `application "a" has no "x" relation`,
// `ambiguous relation: "a b" could refer to "a:x b:y"; "a:z b:w"`,
// `cannot infer endpoint between "a" and "b": no relations found`.
absl::StatusOr<Plan> MakePlan(const Bundle& bundle, const CharmResolver& resolve, const ExistingModel& existing);

}  // namespace skein::bundles
