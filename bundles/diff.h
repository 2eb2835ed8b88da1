#pragma once

// `skein diff-bundle` as a pure function (juju-semantics §8.4): the differences between a bundle
// (its charms resolved, its relations with explicit endpoints) and a model description, in
// Juju's diff-bundle YAML:
//
//   applications:
//     <name>:
//       missing: bundle | model            (the application is only in the model | only in the bundle)
//       charm: {bundle: X, model: Y}       (`local:<name>` for local charms)
//       channel: {bundle: X, model: Y}     (store charms on both sides)
//       revision: {bundle: X, model: Y}    (store charms on both sides; the resolved revision)
//       num_units: {bundle: X, model: Y}   (scale counts as num_units)
//       options:
//         <key>: {bundle: X, model: Y}     (null on the side that does not set the key)
//   relations:
//     bundle-additions: [[a:x, b:y], ...]  (in the bundle, not in the model)
//     model-additions: [[a:x, b:y], ...]   (in the model, not in the bundle)
//
// Endpoints of each relation are sorted, and so are the lists. An empty diff (the same) is `{}`.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/bundle.h"
#include "bundles/export.h"
#include "bundles/plan.h"

namespace skein::bundles {

struct FieldDiff {
  std::optional<std::string> bundle;  // nullopt = not set on that side (printed as null)
  std::optional<std::string> model;
};

struct ApplicationDiff {
  std::string missing;  // `bundle` | `model` | empty
  std::optional<FieldDiff> charm;
  std::optional<FieldDiff> channel;
  std::optional<FieldDiff> revision;
  std::optional<FieldDiff> num_units;
  std::map<std::string, FieldDiff> options;
};

struct BundleDiff {
  std::map<std::string, ApplicationDiff> applications;
  std::vector<std::pair<std::string, std::string>> bundle_additions;
  std::vector<std::pair<std::string, std::string>> model_additions;

  bool empty() const { return applications.empty() && bundle_additions.empty() && model_additions.empty(); }
};

// A bundle with what diffing needs resolved: the charm of every application (by application
// name; an application without an entry is compared with its charm/channel/revision as written)
// and its relations with explicit endpoints.
struct ResolvedBundle {
  Bundle bundle;
  std::map<std::string, ResolvedCharm> charms;
  std::vector<RelationPlan> relations;
};

// Resolves every charm with `resolve`; relations that all name both endpoints are taken as
// written, otherwise they are inferred with MakePlan (against an empty model), which needs the
// charms' metadata. Errors are the resolver's and MakePlan's.
absl::StatusOr<ResolvedBundle> ResolveForDiff(const Bundle& bundle, const CharmResolver& resolve);

BundleDiff DiffBundle(const ResolvedBundle& bundle, const ModelDescription& model);

// Juju's YAML of a diff; `{}\n` when empty.
std::string DiffToYaml(const BundleDiff& diff);

}  // namespace skein::bundles
