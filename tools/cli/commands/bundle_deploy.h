#pragma once

// `skein deploy <bundle>` and store charms (issue 5): resolves the bundle (store or file) and its
// charms (store or local directories) on the client, as Juju does, prints the plan in Juju's
// wording, and sends it to the controller, which applies it in one transaction.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/store.h"
#include "skein/v1/common.pb.h"
#include "tools/cli/commands/command.h"

namespace skein::cli::commands {

// The embedded store with the `--store` directories and then SKEIN_STORE_PATH's (`:`-separated)
// searched first.
absl::StatusOr<std::unique_ptr<bundles::Store>> OpenStore(const std::vector<std::string>& store_dirs);

struct BundleDeployOptions {
  std::string model;
  std::string bundle;      // store name or path to a bundle file
  std::string channel;
  std::optional<int64_t> revision;
  std::vector<std::string> overlays;
  std::vector<std::string> store_dirs;
  bool dry_run = false;
};

// True when `arg` is a bundle file (a path to a regular file) or a bundle in the store.
bool IsBundle(const std::string& arg, const bundles::Store& store);

// The errors of bundle parsing and planning come back prefixed `cannot deploy bundle: `.
absl::Status DeployBundle(Environment& env, const bundles::Store& store, const BundleDeployOptions& options);

// A store charm as a CharmArchive (dispatch executable).
skein::v1::CharmArchive ArchiveOf(const bundles::ResolvedCharm& charm);

}  // namespace skein::cli::commands
