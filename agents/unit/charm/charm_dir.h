#pragma once

// The unit's on-disk charm: <agent-dir>/charm, extracted from the charm archive (zip) the
// controller streams (GetCharmContent), and <agent-dir>/tools, the hook-tool symlinks put on
// PATH. The charm dir is writable and persistent: ops keeps `.unit-state.db` in it, so
// installing a new charm over an old one replaces the charm's files and keeps everything else.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace skein::agent {

// The file in a charm dir that lists the top-level names the charm's archive put there (one a
// line), so that the next swap tells the charm's files from what the charm wrote itself.
inline constexpr char kCharmManifest[] = ".skein-charm-files";

// Installs the charm archive at `zip_path` as `dir` (modes and symlinks as packed) in one
// atomic step. The archive's paths and links are checked again first, as the controller did,
// and a bad archive leaves `dir` untouched: InvalidArgument naming the entry. It is extracted
// beside `dir` (`<dir>.next`), everything the old charm wrote into its dir (the entries its
// manifest does not list, e.g. `.unit-state.db`) is copied over, and the two directories are
// exchanged with one rename, so that a hook never sees half of each charm and an agent killed
// at any point finds either the whole old charm or the whole new one. `swapped` runs once the
// new charm is in place, before the old one is deleted (the agent's crash point). Internal on
// I/O errors.
absl::Status SwapInCharm(const std::string& zip_path, const std::string& dir,
                         const std::function<void()>& swapped = nullptr);

// Makes `tools_dir` hold exactly one symlink per name, each pointing at `tool_binary`.
// Internal on I/O errors.
absl::Status CreateToolsDir(const std::string& tools_dir, const std::string& tool_binary,
                            const std::vector<std::string>& names);

}  // namespace skein::agent
