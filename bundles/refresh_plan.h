#pragma once

// `skein refresh <app>` as a plan (issue 13): one application moved to another revision of its
// charm, with Juju's checks made before anything moves, as a pure function of the model view,
// the target charm and what the store says about upgrade paths. The CLI:
//
//   1. RefreshTarget(running app, flags) -> the Application to resolve (store charm by name,
//      channel and revision; or the local path of --path), with Juju's resolution (§7).
//   2. resolves it (Store::ResolveCharm, or the local charm directory) into a ResolvedCharm;
//   3. MakeRefreshPlan(model, app, target, {resolver, Store::UpgradePathOf}, options) -> Plan,
//      prints it with FormatPlan and applies it (ApplyPlan).
//
// A refresh within a track (or across tracks of a charm without a declared path) is two
// changes: upload the charm, refresh the application. A refresh across several tracks of a
// declared upgrade path is one upload + refresh + WaitForApplications per track, in the path's
// order (istio-pilot 1.17 -> 1.18 -> ... -> 1.22).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/bundle.h"
#include "bundles/export.h"
#include "bundles/plan.h"
#include "bundles/upgrade_path.h"

namespace skein::bundles {

// Where planners find charms: the store's answers, passed in as functions so that planning stays
// pure. `resolve` resolves a charm by name and channel (and revision), as for a bundle
// application; `upgrade_path` may be empty (no charm declares a path).
struct CharmSource {
  CharmResolver resolve;
  UpgradePathLookup upgrade_path;
};

// The flags of `skein refresh` that choose the charm.
struct RefreshFlags {
  std::string channel;              // --channel: switch the tracked channel
  std::optional<int64_t> revision;  // --revision: pin a revision (the tracked channel is kept)
  std::string switch_to;            // --switch: another store charm, by name
  std::string path;                 // --path: a local charm directory or .charm file (absolute)
};

// The charm `running` is refreshed to, as an Application for the charm resolver (juju-semantics
// §7): no flags = the newest revision of the charm in the channel the application tracks;
// `--channel` = the newest revision in that channel (which the application tracks afterwards);
// `--revision` = that revision, tracking `--channel` when given, else the current channel;
// `--switch` = the other charm in `--channel`, else the current channel; `--path` = the local
// charm (charm_path set). InvalidArgument with Juju's texts: `--switch and --revision are
// mutually exclusive`, `--path and --revision are mutually exclusive`, `--switch and --path
// are mutually exclusive`, and for a local charm without either `upgrading a local charm
// requires either --path or --switch`.
absl::StatusOr<Application> RefreshTarget(const ModelApplication& running, const RefreshFlags& flags);

struct RefreshOptions {
  // --force: refresh even when the new revision breaks live relations (the plan removes them
  // first) or leaves the charm's declared upgrade path (one refresh straight to the target).
  bool force = false;
  bool force_units = false;                   // --force-units, passed on to the refresh
  std::map<std::string, std::string> config;  // --config k=v, set with the (last) refresh
};

// The plan that refreshes `application` of `model` to `target`:
//   - FailedPrecondition `charm "x": already up-to-date` when it runs the same store charm at
//     the same revision (whatever the channel; Juju's text). A local charm (`--path`) always
//     refreshes.
//   - FailedPrecondition naming the upgrade path to take (UpgradePath::Steps' texts) for a
//     track outside the charm's declared upgrade path: a downgrade, or a track the path does not
//     reach. With `force`: one refresh straight to the target.
//   - FailedPrecondition when a revision on the way drops or changes (role, interface) an
//     endpoint with a live relation, naming each relation and the command that removes it:
//       cannot refresh application "web" to charm "web" revision 7: it would break 1 live relation;
//       remove each first, or refresh with --force to remove them as part of the refresh:
//         skein remove-relation web:secrets dispatcher:secrets  (web:secrets becomes requires, interface kubernetes_manifest)
//     With `force`: a RemoveRelation (broken_by_refresh_of = application) for each, before the
//     first refresh. RelationsBrokenBy (plan.h) gives the same relations as data.
//   - InvalidArgument `application "x": unknown option "k"` (or the value's error) for a
//     `config` key the target charm does not have; NotFound `application "x" not found`.
// Changes: `addCharm` (UploadCharm) + `upgradeCharm` (RefreshApplication, carrying force,
// force_units and, on the last step, config) per step; with more than one step a `wait`
// (WaitForApplications) after each refresh, each step depending on the previous wait.
// Plan::charms holds the target under the application's name; Plan::relations is empty.
absl::StatusOr<Plan> MakeRefreshPlan(const ModelDescription& model, const std::string& application,
                                     const ResolvedCharm& target, const CharmSource& source,
                                     const RefreshOptions& options = {});

// The charm revisions `running` goes through on its way to `target`, the last being `target`:
// one per track of the charm's declared upgrade path from the running track to the target's
// (each resolved in `<track>/<target's risk>`), or just `target` when the path says nothing
// (no path, the same track, another charm or origin, a local charm). The path's refusals are
// FailedPrecondition; with `force` they give just `target`. Shared by MakeRefreshPlan and
// bundle upgrades (MakePlan).
absl::StatusOr<std::vector<ResolvedCharm>> RefreshSteps(const ModelApplication& running, const ResolvedCharm& target,
                                                        const CharmSource& source, bool force);

// Whether refreshing `running` to `target` goes back to an older revision of the same store
// charm: along `path` when it declares both tracks, by version within one name prefix
// (`2.2` > `2.0`, `ckf-1.9` > `ckf-1.8`) between tracks that read as versions, else by revision
// number (within one track, or between tracks that do not compare).
std::optional<Downgrade> DowngradeOf(const ModelApplication& running, const ResolvedCharm& target,
                                     const std::optional<UpgradePath>& path);

}  // namespace skein::bundles
