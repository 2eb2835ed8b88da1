#pragma once

// A charm's declared upgrade path (`upgrade-path: ['1.16', '1.17', ...]` in its store file): an
// upgrade between two tracks of the path steps through every track in between, in the path's
// order, one refresh per track. The Charmed Kubeflow guides require this of istio-pilot and
// istio-gateway, whose control plane can only move one minor version at a time. The store reads
// paths (store.h); the planners walk them (plan.h, refresh_plan.h) through an
// UpgradePathLookup, so that planning stays a pure function of what it is given.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::bundles {

struct UpgradePath {
  std::vector<std::string> tracks;  // oldest first; at least two; each a track of the charm
  // The store says the charm can also go back down the path, one track at a time
  // (`upgrade-path-reversible: true`); otherwise a downgrade along the path is refused.
  bool reversible = false;

  bool Contains(const std::string& track) const;
  // The tracks to refresh to, in order, to go from track `from` to track `to` (the last one is
  // `to`; empty when from == to). Neither track on the path: just `to`, the path says nothing
  // about them. A downgrade along a reversible path steps down through every track between.
  // FailedPrecondition naming the path to take for a downgrade along a path that is not
  // reversible, or when only one of the two tracks is on it.
  absl::StatusOr<std::vector<std::string>> Steps(const std::string& charm, const std::string& from,
                                                 const std::string& to) const;
};

// The declared upgrade path of a store charm by name (nullopt: it declares none), as
// Store::UpgradePathOf answers. Planners given an empty lookup take every charm to declare none.
using UpgradePathLookup = std::function<absl::StatusOr<std::optional<UpgradePath>>(const std::string& charm)>;

}  // namespace skein::bundles
