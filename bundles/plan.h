#pragma once

// A bundle deploy or upgrade as a plan (DESIGN §7): the charms resolved for every application,
// the relations with their endpoints inferred, and the typed, ordered changes that take a model
// to the bundle, each with the ids of the changes it needs first (as Juju's bundle changes:
// `addCharm-0`, `deploy-1`, `addRelation-2`). Computed from (bundle, charm resolver, model view)
// by pure functions; the CLI prints it in Juju's wording (plan_text.cc) and the controller
// applies it.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/bundle.h"
#include "bundles/export.h"
#include "bundles/upgrade_path.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"
#include "nlohmann/json.hpp"

namespace skein::bundles {

// A charm as a store or a local directory provides it.
struct ResolvedCharm {
  std::string name;
  std::string origin;      // `charmhub` (a store) or `local`
  std::string channel;     // the channel the application tracks (store charms)
  int64_t revision = 0;    // store revision; 0 for local charms
  // Local charms: hex SHA-256 of the archive that would be uploaded (a directory is packed
  // deterministically), compared with the one the application runs.
  std::string archive_sha256;
  std::string base;        // `ubuntu@22.04` when known
  charm::Metadata metadata;
  charm::ConfigSchema config;
  // The charm's files (metadata.yaml, config.yaml, actions.yaml, dispatch ...), path -> content.
  std::map<std::string, std::string> files;
};

// Resolves an application's charm (from the store by name and channel/revision, or from its
// local path). Errors are the store's (unknown charm, channel with no release, ...).
using CharmResolver = std::function<absl::StatusOr<ResolvedCharm>(const Application&)>;

// A relation of the bundle with both endpoints known, in the order the bundle wrote them.
struct RelationPlan {
  std::string a;  // `app:endpoint`
  std::string b;
  std::string interface;
  bool a_provides = true;  // which side provides (bundle relations are never peers)

  const std::string& provider() const { return a_provides ? a : b; }
  const std::string& requirer() const { return a_provides ? b : a; }
};

// ---- The change kinds. Each names what it acts on and carries what applying it needs. ----

// Makes a charm available to the model (Juju's addCharm): uploaded once however many
// applications use it.
struct UploadCharm {
  ResolvedCharm charm;
};

// Deploys a new application with its units and the options the bundle sets (Juju's deploy).
struct DeployApplication {
  std::string application;
  std::string charm;        // charm name
  std::string origin;       // charmhub | local
  std::string channel;
  int64_t revision = 0;
  std::string base;
  int num_units = 0;
  std::map<std::string, std::string> options;  // as `skein config` takes them
  bool trust = false;                          // the bundle's `trust: true`
};

// Moves an existing application to another channel or revision of its charm (Juju's
// upgradeCharm, skein's `refresh`).
struct RefreshApplication {
  std::string application;
  std::string charm;
  std::string origin;
  std::string from_channel;
  int64_t from_revision = 0;
  std::string channel;
  int64_t revision = 0;
  // `skein refresh` only (MakeRefreshPlan): `--force` (the controller skips its endpoint check),
  // `--force-units` (units in error upgrade too), and the `--config` values set in the same
  // transaction as the refresh, as Juju's refresh does.
  bool force = false;
  bool force_units = false;
  std::map<std::string, std::string> config;
};

// Sets options of an existing application the bundle changed (Juju's setOptions).
struct SetConfig {
  std::string application;
  std::map<std::string, std::string> options;  // as `skein config` takes them
};

// Adds units to an existing application that has fewer than the bundle asks for.
struct AddUnits {
  std::string application;
  int count = 0;  // units added
  int total = 0;  // units afterwards
};

struct AddRelation {
  RelationPlan relation;
};

// Removes a relation: one a refreshed charm revision breaks (always, before the refresh), or
// one the bundle no longer has (with `prune` only).
struct RemoveRelation {
  std::string provider;  // `app:endpoint`
  std::string requirer;
  std::string broken_by_refresh_of;  // the refreshed application whose new revision breaks it; empty when pruned
};

// Removes an application of this deployment the bundle no longer has (with `prune` only); its
// relations go with it.
struct RemoveApplication {
  std::string application;
};

// Waits until the applications settle on their new charm (every unit runs it, idle, no error):
// between the steps of an upgrade path, and after refreshes that later changes build on. Runs on
// the controller.
struct WaitForApplications {
  std::vector<std::string> applications;
};

enum class ChangeKind {
  kUploadCharm,
  kDeployApplication,
  kRefreshApplication,
  kSetConfig,
  kAddUnits,
  kAddRelation,
  kRemoveRelation,
  kRemoveApplication,
  kWait,
};

// In ChangeKind's order, so that ChangeKind is the variant's index.
using ChangeArgs = std::variant<UploadCharm, DeployApplication, RefreshApplication, SetConfig, AddUnits, AddRelation,
                                RemoveRelation, RemoveApplication, WaitForApplications>;

struct Change {
  std::string id;                     // `addCharm-0`, `deploy-1`, ...: the kind's method and its position
  // Ids of the changes that must be applied first (Juju calls it `requires`, a C++ keyword).
  std::vector<std::string> depends_on;
  ChangeArgs args;

  ChangeKind kind() const { return static_cast<ChangeKind>(args.index()); }
};

// ---- What the plan deliberately leaves as it is, listed so that the user sees it. ----

// An option the user set by hand that the bundle sets to another value: the user's value wins.
struct KeptOption {
  std::string application;
  std::string key;
  std::string model_value;   // as `skein config` prints it
  std::string bundle_value;
};

// An application or relation of this deployment the bundle dropped, left because `prune` is off.
struct LeftApplication {
  std::string application;
};
struct LeftRelation {
  std::string provider;
  std::string requirer;
};

// An application of the model that this deployment did not create: never touched.
struct NotManaged {
  std::string application;
};

using Kept = std::variant<KeptOption, LeftApplication, LeftRelation, NotManaged>;

// A refresh that takes an application back to an older revision of its charm (a rollback, or
// `refresh --revision` to an older one): the plan does it, and says so, because the workload
// may not read what the newer revision wrote.
struct Downgrade {
  std::string application;
  std::string charm;
  std::string from_channel;
  int64_t from_revision = 0;
  std::string channel;
  int64_t revision = 0;
};

struct Plan {
  std::map<std::string, ResolvedCharm> charms;  // every application of the bundle, by name
  std::vector<RelationPlan> relations;          // every relation of the bundle, endpoints inferred
  std::vector<Change> changes;                  // in an order that satisfies every `depends_on`
  std::vector<Kept> kept;
  std::vector<Downgrade> downgrades;            // in application name order

  // Appends a change with a Juju-style id, its method and its position (`upgradeCharm-3`), and
  // returns the id.
  std::string Add(const char* method, ChangeArgs args, std::vector<std::string> depends_on);
  const Change* Find(const std::string& id) const;
  // The changes of one kind, in plan order.
  std::vector<const Change*> OfKind(ChangeKind kind) const;
};

struct PlanOptions {
  // Remove the applications and relations of this deployment that the bundle dropped.
  bool prune = false;
  // The charms' declared upgrade paths (Store::UpgradePathOf); empty = no charm declares one.
  UpgradePathLookup upgrade_path;
  // Refresh straight to the bundle's revision where a declared upgrade path refuses the way
  // (a downgrade, a track off the path).
  bool force = false;
};

// `a:x b:y` with the two endpoints in sorted order (how relations are compared).
std::string RelationKey(const std::string& a, const std::string& b);

// A live relation that a charm revision cannot keep: the refreshed application's endpoint is
// gone from the new metadata, or has another role or interface there.
struct BrokenRelation {
  enum class Why { kEndpointGone, kRoleChanged, kInterfaceChanged };
  std::string provider;  // `app:endpoint`, as the model has the relation
  std::string requirer;
  std::string endpoint;   // the refreshed application's side, `app:endpoint`
  std::string interface;  // the relation's interface in the model (may be empty)
  Why why = Why::kEndpointGone;
  charm::Role new_role = charm::Role::kProvides;  // the endpoint in the new revision (not for kEndpointGone)
  std::string new_interface;
};

// The relations of `model` that `application` cannot keep when it runs a charm with `metadata`,
// in model order. A relation whose interface the model does not know is judged by endpoint
// name and role only.
std::vector<BrokenRelation> RelationsBrokenBy(const ModelDescription& model, const std::string& application,
                                              const charm::Metadata& metadata);

// Resolves every charm, checks options against each charm's config schema and named endpoints
// against its metadata, infers relation endpoints, and lists the changes that take `model` to
// the bundle:
//   - an application the model lacks: upload its charm (once per charm) and deploy it with its
//     units and options;
//   - one it has with the same charm on another origin, channel or revision: upload and refresh;
//     across several tracks of the charm's declared upgrade path (`options.upgrade_path`), one
//     upload and refresh per track (RefreshSteps in refresh_plan.h); a way the path refuses (a
//     downgrade, a track off the path) is FailedPrecondition naming the path, unless
//     `options.force`; with another charm: FailedPrecondition `application "x" already exists
//     with charm "y", not "z"`;
//   - options the bundle sets to other values than the model's: set config, unless the user set
//     the model's value by hand (kept, and listed);
//   - fewer units than the bundle's: add units;
//   - relations the bundle has and the model lacks: add relation; a model relation that a
//     refreshed charm no longer supports (endpoint gone, role or interface changed) is removed
//     before that refresh and, when the bundle still has it, added again after;
//   - applications of this deployment (ModelApplication::managed) the bundle dropped, and
//     relations between the bundle's applications it dropped: removed with `options.prune`,
//     otherwise listed as left in place. Other applications are listed as not managed.
// Order: removals of broken relations (broken by any revision on the way); then the upgrade-path
// walks, in rounds of one track each for every application that walks one (providers before
// their requirers), each round followed by a wait for its applications; then per application
// in name order upload + deploy or upload + refresh, set config, add units; then, when a new or
// re-added relation involves a refreshed application, one wait for every refreshed application
// (after its refresh, options and units), which those relations depend on; then new relations
// in bundle order; then pruning. A plan without refreshes (a fresh deploy) has no waits.
// InvalidArgument with Juju's texts: `application "x": unknown option "k"`,
// `application "a" has no "x" relation`,
// `ambiguous relation: "a b" could refer to "a:x b:y"; "a:z b:w"`,
// `cannot infer endpoint between "a" and "b": no relations found`.
absl::StatusOr<Plan> MakePlan(const Bundle& bundle, const CharmResolver& resolve, const ModelDescription& model,
                              const PlanOptions& options = {});

// ---- Juju's wording (plan_text.cc). ----

// One line per change, without the leading "- ", e.g. `upload charm dex-auth from charm-hub
// from channel 2.39/stable with architecture=amd64`, `deploy application dex-auth from
// charm-hub with 1 unit with 2.39/stable`, `upgrade kfp-api from charm-hub using charm kfp-api
// from channel 2.2/stable`, `add relation a:x - b:y`.
std::string DescribeChange(const Change& change);
// One line per kept item, e.g. `keep dex-auth option public-url="x" set by hand (the bundle
// has "y")`.
std::string DescribeKept(const Kept& kept);

// `warning: downgrade kfp-api from revision 1234 (2.2/stable) to 1100 (2.0/stable)`.
std::string DescribeDowngrade(const Downgrade& downgrade);

// The whole plan as `deploy` prints it: one `warning: downgrade ...` line per downgrade, then
// `<heading>\n- <change>\n...`, then, when anything is kept, `Left as it is:\n- <kept>\n...`.
// An empty plan prints only the kept section.
std::string FormatPlan(const Plan& plan, const std::string& heading);

}  // namespace skein::bundles
