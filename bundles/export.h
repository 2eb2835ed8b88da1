#pragma once

// `skein export-bundle` as a pure function (juju-semantics §8.4): a description of a model's
// applications and relations, as the CLI reads it from the controller, rendered as a bundle YAML
// document that ParseBundle reads back. skein models are machine-less here: no `machines`, `to`,
// `bundle: kubernetes`, `trust`, `expose`, bindings or constraints are exported.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nlohmann/json.hpp"

namespace skein::bundles {

struct ModelApplication {
  std::string name;
  std::string charm;          // charm name
  std::string charm_origin;   // `charmhub` (store) or `local`
  std::string channel;        // store charms
  int64_t revision = 0;       // store charms
  std::string charm_sha256;   // of the archive it runs; how a local charm is compared
  int num_units = 0;          // scale counts as num_units
  // Options the user set (config source `user`), with their typed values (JSON: string, number,
  // boolean). Defaults are not part of a model description.
  std::map<std::string, nlohmann::json> options;
  // The keys of `options` set by hand (`skein config`) rather than by a bundle deployment: a
  // bundle upgrade keeps them (MakePlan lists them instead of overwriting them).
  std::set<std::string> hand_set_options;
  // True when the deployment being planned created this application. Only such applications
  // are removed when a later revision of the bundle drops them (`--prune`); any other
  // application is somebody else's and never touched.
  bool managed = false;
};

// A non-peer relation of the model. `interface` may be empty when unknown (then a refresh is
// never taken to break it).
struct ModelRelation {
  std::string provider;  // `app:endpoint`
  std::string requirer;
  std::string interface;
};

// What the CLI reads of a model for export-bundle, diff-bundle and bundle deploys (the model
// view MakePlan plans against).
struct ModelDescription {
  std::vector<ModelApplication> applications;
  std::vector<ModelRelation> relations;  // in any order
};

// The two endpoints of a relation in canonical (sorted) order.
std::pair<std::string, std::string> CanonicalRelation(const std::string& a, const std::string& b);

// The string `juju config` takes for a typed option value (`5`, `true`, `text`).
std::string OptionString(const nlohmann::json& value);

// The bundle YAML of `model`:
//
//   applications:
//     <name>:
//       charm: <name>            (`local:<name>` for local charms)
//       channel: <channel>       (store charms, when known)
//       revision: <n>            (store charms with a channel)
//       num_units: <n>           (when not 0)
//       options: {k: v}          (when any option was set by the user)
//   relations:                   (when any; each pair sorted, the list sorted)
//     - [a:x, b:y]
//
// Applications are in name order. Strings that YAML would read as another type are quoted.
std::string ExportBundle(const ModelDescription& model);

}  // namespace skein::bundles
