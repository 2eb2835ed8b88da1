#pragma once

// `skein deploy <bundle>` and store charms (issue 5), bundle upgrades and rollback (issue 13):
// resolves the bundle (store or file) and its charms (store or local directories) on the client,
// as Juju does, plans from the current model to it, prints the plan in Juju's wording, and has
// the controller apply it as the next revision of the bundle's deployment (plan_apply.h).

#include <map>
#include <memory>
#include <set>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/plan.h"
#include "bundles/refresh_plan.h"
#include "bundles/store.h"
#include "lib/base/clock.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/client/connection.h"
#include "tools/cli/commands/command.h"
#include "tools/cli/commands/common.h"

namespace skein::cli::commands {

// The model's applications (charm, origin, channel, revision, units, user-set options) and
// non-peer relations, as export-bundle, diff-bundle and bundle deploys read them. With a
// `deployment` (a bundle name), its applications are marked managed, and the options a bundle set
// are told from those set by hand.
absl::StatusOr<bundles::ModelDescription> ReadModelDescription(Session& session, const std::string& deployment = "");

// The embedded store with the `--store` directories and then SKEIN_STORE_PATH's
// (Environment::store_path) searched first.
absl::StatusOr<std::unique_ptr<bundles::Store>> OpenStore(const Environment& env,
                                                          const std::vector<std::string>& store_dirs);

// How a bundle plan is applied (deploy, rollback).
struct ApplyBundleOptions {
  bool dry_run = false;
  bool prune = false;   // remove what this deployment created and the bundle dropped
  bool resume = false;  // continue the deployment's unfinished revision
  // Follow a job that stopped half-way when the same bundle is deployed again (deploy), or never
  // (rollback, which is a new revision whatever came before).
  bool auto_resume = true;
  bool force = false;                   // refresh where a declared upgrade path refuses the way
  std::optional<Clock::Duration> wait;  // --wait: settle afterwards within this time
  std::string description;              // history; empty = `Install complete` / `Upgrade to <channel>`
  bool rollback = false;                // the revision reads pending-rollback while it runs
};

struct BundleDeployOptions {
  std::string model;
  std::string bundle;      // store name or path to a bundle file
  std::string channel;
  std::optional<int64_t> revision;
  std::vector<std::string> overlays;
  std::vector<std::string> store_dirs;
  ApplyBundleOptions apply;
};

// Where bundle plans find charms: the store by name and channel, local paths loaded (the loaded
// charm, with its archive, goes to `local_charms` under the application's name), and the store's
// upgrade paths. Both must outlive the source.
bundles::CharmSource PlanSource(const bundles::Store& store, std::map<std::string, client::LocalCharm>* local_charms);

// The revisions of a deployment, oldest first; empty when the model has none by that name.
absl::StatusOr<std::vector<skein::v1::DeploymentRevision>> ReadDeploymentHistory(Session& session,
                                                                                 const std::string& deployment);

// The bundle a plan takes the model to.
struct BundleTarget {
  std::string name;                        // the deployment
  std::string channel;                     // store bundles
  int64_t store_revision = 0;
  std::string bundle_yaml;                 // base and overlays as one multi-document text
  std::vector<std::string> overlays_yaml;  // the --overlay files as given, for history
  bundles::Bundle bundle;
};

// Plans from the session's model to `target` and applies the plan (plan_apply.h), or resumes the
// deployment's unfinished revision. `source` finds each application's charm and upgrade path.
absl::Status ApplyBundle(Environment& env, Session& session, const BundleTarget& target,
                         const bundles::CharmSource& source,
                         const std::map<std::string, client::LocalCharm>& local_charms,
                         const ApplyBundleOptions& options);

// True when `arg` is a bundle file (a regular file that is not a charm archive) or a bundle in
// the store.
bool IsBundle(const std::string& arg, const bundles::Store& store);

// The documents of a bundle as `deploy` and `diff-bundle` read them: the base from a file or
// the store, then the --overlay files.
struct BundleSources {
  bundles::SourceFile base;
  std::vector<bundles::SourceFile> overlays;
  std::string name;             // the store name, or the file's name
  std::string channel;          // store bundles: the channel tracked
  int64_t store_revision = 0;   // store bundles: the revision served
};

// Errors: the store's (unknown name, no release in a channel), NotFound for a file that cannot
// be read, InvalidArgument for --channel/--revision with a bundle file. Prints
// `Located bundle "x" in the store, revision N` to `progress` when it is not null.
absl::StatusOr<BundleSources> ReadBundleSources(const bundles::Store& store, const std::string& bundle,
                                                const std::string& channel, std::optional<int64_t> revision,
                                                const std::vector<std::string>& overlays, std::ostream* progress);

// The base document and the overlays joined as one multi-document YAML text that ParseBundle
// reads back as the same bundle (what history stores and rollback reads).
std::string JoinBundleDocuments(const BundleSources& sources);

// A local charm (directory or archive) as the planner sees it; the loaded charm, with the
// archive to upload, goes to `loaded` when not null.
absl::StatusOr<bundles::ResolvedCharm> LocalCharmForPlan(const std::string& path, client::LocalCharm* loaded);

// The errors of bundle parsing and planning come back prefixed `cannot deploy bundle: `.
absl::Status DeployBundle(Environment& env, const bundles::Store& store, const BundleDeployOptions& options);

// Uploads the charm of a deploy: the local charm's archive, or a store charm's files packed
// into one (dispatch executable). Returns its SHA-256 in the controller's charm store.
absl::StatusOr<std::string> UploadCharmOf(client::Connection& connection, const bundles::ResolvedCharm& charm,
                                          const client::LocalCharm* local);

}  // namespace skein::cli::commands
