#pragma once

// `skein history <deployment>` (issue 13), after `helm history`:
//   REVISION  UPDATED               STATUS      BUNDLE        CHANNEL     DESCRIPTION
//   1         2026-12-07T03:50:47Z  superseded  kubeflow-414  1.8/stable  Install complete
//   2         2026-12-07T04:10:02Z  deployed    kubeflow-430  1.9/stable  Upgrade to 1.9/stable
// and the json/yaml document: a list of revisions, each with its changes and their states.

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "skein/v1/controller.pb.h"

namespace skein::cli::output {

// `kubeflow-414` for a store bundle's revision, the name alone for a bundle file.
std::string HistoryBundleName(const skein::v1::DeploymentRevision& revision);

std::string HistoryToTabular(const std::vector<skein::v1::DeploymentRevision>& revisions, bool color);

// [{revision, updated, status, bundle, bundle-revision, channel, description, changes: [{id,
// description, status (pending|running|done|failed), message, updated}]}], kebab-case keys.
nlohmann::json HistoryToJson(const std::vector<skein::v1::DeploymentRevision>& revisions);

}  // namespace skein::cli::output
