#include "bundles/upgrade_path.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace skein::bundles {

bool UpgradePath::Contains(const std::string& track) const {
  return std::find(tracks.begin(), tracks.end(), track) != tracks.end();
}

absl::StatusOr<std::vector<std::string>> UpgradePath::Steps(const std::string& charm, const std::string& from,
                                                            const std::string& to) const {
  if (from == to) return std::vector<std::string>{};
  const auto at_from = std::find(tracks.begin(), tracks.end(), from);
  const auto at_to = std::find(tracks.begin(), tracks.end(), to);
  if (at_from == tracks.end() && at_to == tracks.end()) return std::vector<std::string>{to};
  const std::string path = absl::StrJoin(tracks, " -> ");
  if (at_from == tracks.end() || at_to == tracks.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "charm \"", charm, "\" upgrades only along its upgrade path ", path, "; track ",
        at_from == tracks.end() ? from : to, " is not on it"));
  }
  if (at_to < at_from && reversible) {
    std::vector<std::string> down;
    for (auto it = at_from; it != at_to;) down.push_back(*--it);
    return down;
  }
  if (at_to < at_from) {
    return absl::FailedPreconditionError(absl::StrCat("charm \"", charm, "\" cannot go from track ", from, " down to ",
                                                      to, ": its upgrade path is ", path));
  }
  return std::vector<std::string>(at_from + 1, at_to + 1);
}

}  // namespace skein::bundles
