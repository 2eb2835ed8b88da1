#pragma once

// The unit's on-disk charm: <agent-dir>/charm, extracted from the charm archive (zip) the
// controller streams (GetCharmContent), and <agent-dir>/tools, the hook-tool symlinks put on
// PATH. The charm dir is writable and persistent: ops keeps `.unit-state.db` in it, so
// extracting a new charm over an old one replaces the charm's files and keeps everything else.

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace skein::agent {

// Extracts the charm archive at `zip_path` into `dir` (created if needed): modes and symlinks
// as packed. The archive's paths and links are checked again first, as the controller did,
// and a bad archive leaves `dir` untouched: InvalidArgument naming the entry. Internal on I/O
// errors.
absl::Status ExtractCharm(const std::string& zip_path, const std::string& dir);

// Makes `tools_dir` hold exactly one symlink per name, each pointing at `tool_binary`.
// Internal on I/O errors.
absl::Status CreateToolsDir(const std::string& tools_dir, const std::string& tool_binary,
                            const std::vector<std::string>& names);

}  // namespace skein::agent
