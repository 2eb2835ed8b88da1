#pragma once

// Local charms for `skein deploy ./path` and `skein refresh --path`: a charm directory or a
// charm archive (`.charm`, the zip `charmcraft pack` makes). Either way the controller gets a
// zip: a directory is packed into a temporary one (modes and symlinks kept), an archive is sent
// as it is. Both are checked here first, as the controller and the unit agent will check them
// again: an entry or symlink leaving the charm, or a missing or oversized metadata document,
// is refused before anything is sent.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"

namespace skein::cli::client {

// True when a deploy argument names a local path: it starts with `.` or `/` (jubilant turns a
// relative Path into `./x`), or it names an existing directory.
bool IsLocalPath(const std::string& arg);

// True when `path` is a regular file named `*.charm` or holding a zip, as opposed to a bundle
// YAML file.
bool IsCharmArchive(const std::string& path);

// A charm archive on disk, ready to upload: the user's `.charm` file, or a zip this process
// packed into a temporary file, which goes when the object does.
class CharmArchiveFile {
 public:
  CharmArchiveFile() = default;
  CharmArchiveFile(std::string path, bool temporary) : path_(std::move(path)), temporary_(temporary) {}
  ~CharmArchiveFile();
  CharmArchiveFile(CharmArchiveFile&& other) noexcept;
  CharmArchiveFile& operator=(CharmArchiveFile&& other) noexcept;
  CharmArchiveFile(const CharmArchiveFile&) = delete;
  CharmArchiveFile& operator=(const CharmArchiveFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool temporary_ = false;
};

struct LocalCharm {
  std::string path;  // as given
  std::string name;  // from the charm's metadata
  std::string base;  // `ubuntu@22.04`: manifest.yaml/charmcraft.yaml, else that default
  charm::Metadata metadata;
  charm::ConfigSchema config;
  CharmArchiveFile archive;
};

// Loads a charm directory or archive. Errors:
//   NotFound         `no charm found at "<path>"` (nothing there, or a directory with neither
//                    metadata.yaml nor charmcraft.yaml)
//   InvalidArgument  `invalid charm "<path>": <problem>`: not a zip, an entry or symlink that
//                    leaves the charm (named), a document over 1 MiB, metadata that does not parse
//   Internal         I/O errors while packing
absl::StatusOr<LocalCharm> LoadLocalCharm(const std::string& path);

// Packs a store charm's files (path -> content; `dispatch` executable) into a temporary archive.
absl::StatusOr<CharmArchiveFile> PackCharmFiles(const std::map<std::string, std::string>& files);

}  // namespace skein::cli::client
