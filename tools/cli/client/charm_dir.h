#pragma once

// Local charm directories for `skein deploy ./path`: every file of the directory travels to the
// controller as a CharmArchive (path, permission bits, content; symlinks as their target), so a
// unit agent anywhere can materialise a writable copy.

#include <string>

#include "absl/status/statusor.h"
#include "skein/v1/common.pb.h"

namespace skein::cli::client {

// True when a deploy argument names a local path: it starts with `.` or `/` (jubilant turns a
// relative Path into `./x`), or it names an existing directory.
bool IsLocalPath(const std::string& arg);

// Reads every file under `dir` in path order, skipping `.git/` and ops' `.unit-state.db`.
// Symlinks are kept as links (never followed). Internal on I/O errors.
absl::StatusOr<skein::v1::CharmArchive> ReadCharmDir(const std::string& dir);

struct LocalCharm {
  std::string path;   // as given
  std::string name;   // metadata.yaml `name`
  std::string base;   // `ubuntu@22.04`: manifest.yaml/charmcraft.yaml, else that default
  skein::v1::CharmArchive archive;
};

// Loads a charm directory. Errors:
//   NotFound         `no charm found at "<path>"` (no such directory, or no metadata.yaml)
//   InvalidArgument  metadata.yaml does not parse (the parser's message)
//   Unimplemented    a `.charm` archive (not supported yet)
absl::StatusOr<LocalCharm> LoadLocalCharm(const std::string& path);

}  // namespace skein::cli::client
