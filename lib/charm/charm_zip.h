#pragma once

// Charm archives: the zip files `charmcraft pack` makes (`<name>_<base>.charm`), the one format
// a charm has on the wire and at rest. Reading and writing go through libzip and never hold a
// whole archive in memory: entries are listed from the central directory, and file contents
// stream between disk and archive in blocks.
//
// A Unix zip keeps each entry's mode in the high 16 bits of its external attributes; a
// symlink is an entry of type S_IFLNK whose content is the link target. Permission bits are
// kept (an executable `dispatch` stays executable); set-id and sticky bits are dropped.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/limits.h"

struct zip;

namespace skein::charm {

enum class EntryKind { kFile, kDirectory, kSymlink };

// One entry of an archive as read.
struct ArchiveEntry {
  std::string path;         // normalised (archive_paths.h): `hooks/install`
  EntryKind kind = EntryKind::kFile;
  uint32_t mode = 0644;     // permission bits (0777 mask)
  uint64_t size = 0;        // files: uncompressed size in bytes
  std::string link_target;  // symlinks: the target as stored
  uint64_t index = 0;       // position in the zip
};

// An open charm archive whose entries were all checked: every path stays inside the charm,
// every symlink resolves inside it, no entry repeats or lies under a symlink or a file, and
// nothing is encrypted. Not thread-safe.
class CharmZip {
 public:
  // Errors: InvalidArgument `"<path>" is not a charm archive (zip): <libzip's reason>` or an
  // entry's problem, naming the entry (`symlink "x" -> "/etc" points outside the charm: ...`);
  // NotFound when the file does not exist.
  static absl::StatusOr<std::unique_ptr<CharmZip>> Open(const std::string& path);
  ~CharmZip();
  CharmZip(const CharmZip&) = delete;
  CharmZip& operator=(const CharmZip&) = delete;

  const std::vector<ArchiveEntry>& entries() const { return entries_; }
  // The entry at a normalised path, or nullptr.
  const ArchiveEntry* Find(const std::string& path) const;

  // The whole content of a regular file entry: nullopt when there is no such file (or it is not
  // a regular file); InvalidArgument `<path> (N bytes) exceeds the <limit> limit of <cap.what>`
  // (limits::SizeError, the one text for every cap) when it is bigger than `cap`; Internal when
  // the archive is damaged.
  absl::StatusOr<std::optional<std::string>> ReadSmallFile(const std::string& path, const limits::Cap& cap) const;

  // Writes every entry under `dir` (created when missing): directories, then files (each
  // streamed to a temporary name beside it and renamed into place, with its mode), then
  // symlinks, so that no file is ever written through a link of the archive. What `dir` held
  // before and the archive does not name is left alone (ops keeps `.unit-state.db` there); a
  // link or file on disk where the archive needs a directory is replaced. Internal on I/O
  // errors or a damaged archive (CRC mismatch).
  absl::Status ExtractTo(const std::string& dir) const;

 private:
  explicit CharmZip(::zip* archive) : zip_(archive) {}
  absl::Status Index();
  absl::StatusOr<std::string> ReadWhole(const ArchiveEntry& entry, uint64_t max_bytes) const;

  ::zip* zip_;
  std::vector<ArchiveEntry> entries_;
  std::map<std::string, size_t> by_path_;
};

// One entry to pack: a file (its content in memory, or read from `source_path` while the
// archive is written), a directory, or a symlink (`content` is the target).
struct PackEntry {
  std::string path;  // relative, '/'-separated
  EntryKind kind = EntryKind::kFile;
  uint32_t mode = 0644;
  std::string content;
  std::string source_path;
};

// Writes `entries` (in order, deflated; links stored) as a new zip at `out_path`, replacing any
// file there. Entry times are fixed, so the same files and modes always give the same bytes (and
// the same SHA-256). Internal on I/O errors, naming the file.
absl::Status WriteCharmZip(const std::string& out_path, const std::vector<PackEntry>& entries);

// A charm directory as entries to pack, in path order: files (read from disk when packed),
// directories and symlinks (never followed), with their permission bits. Skips `.git/` and ops'
// `.unit-state.db`, and anything that is not a file, directory or link. Internal on I/O errors.
absl::StatusOr<std::vector<PackEntry>> ListCharmDir(const std::string& dir);

}  // namespace skein::charm
