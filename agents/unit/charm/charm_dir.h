#pragma once

// The unit's on-disk charm: <agent-dir>/charm, materialised from the CharmArchive the
// controller serves (GetCharm), and <agent-dir>/tools, the hook-tool symlinks put on PATH.
// The charm dir is writable and persistent: ops keeps `.unit-state.db` in it, so writing a new
// charm over an old one replaces the charm's files and keeps everything else.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "skein/v1/common.pb.h"

namespace skein::agent {

// OK for a relative, '/'-separated path without empty, `.` or `..` components.
// InvalidArgument (`invalid charm file path "x"`) otherwise.
absl::Status ValidateCharmPath(const std::string& path);

// Writes every file of `archive` under `dir` (created if needed) with its mode; symlinks are
// created as links and must point inside the charm. Each file is replaced atomically.
// InvalidArgument for a bad path or link target (nothing is written then); Internal on I/O
// errors.
absl::Status WriteCharmDir(const std::string& dir, const v1::CharmArchive& archive);

// Makes `tools_dir` hold exactly one symlink per name, each pointing at `tool_binary`.
// Internal on I/O errors.
absl::Status CreateToolsDir(const std::string& tools_dir, const std::string& tool_binary,
                            const std::vector<std::string>& names);

}  // namespace skein::agent
