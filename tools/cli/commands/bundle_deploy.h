#pragma once

// `skein deploy <bundle>` and store charms (issue 5): resolves the bundle (store or file) and its
// charms (store or local directories) on the client, as Juju does, prints the plan in Juju's
// wording, and sends it to the controller, which applies it in one transaction.

#include <memory>
#include <ostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/store.h"
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

struct BundleDeployOptions {
  std::string model;
  std::string bundle;      // store name or path to a bundle file
  std::string channel;
  std::optional<int64_t> revision;
  std::vector<std::string> overlays;
  std::vector<std::string> store_dirs;
  bool dry_run = false;
};

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
