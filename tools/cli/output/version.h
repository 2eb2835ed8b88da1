#pragma once

// The version skein reports. Clients choose behaviour by Juju version (jubilant compares
// `version().tuple >= (3, 6, x)`; ops gates features on JUJU_VERSION), so skein reports a
// Juju 3.6.x-shaped version. This is the one place that constant lives on the CLI side.

#include <string>

#include "nlohmann/json.hpp"

namespace skein::cli::output {

inline constexpr char kJujuVersion[] = "3.6.11";

// `3.6.11-genericlinux-amd64` (architecture of this machine in Go's names).
std::string VersionString();
// `juju version --all` document: version, git-commit, git-tree-state, compiler.
nlohmann::json VersionDetails();

}  // namespace skein::cli::output
