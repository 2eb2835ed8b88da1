#pragma once

// Writing a file whole or not at all: agent.conf, the client's controllers file, the
// controller's bootstrap files. A reader (or a crash) never sees half a file.

#include <sys/types.h>

#include <optional>
#include <string>

#include "absl/status/status.h"

namespace skein {

struct FileOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};

// Writes `text` to `path` through a temporary file, fsync and rename, with `mode` (and `owner`,
// when given: root writing a unit's agent.conf) set before any byte is written, so credentials
// never sit in a readable file. The temporary file is created anew, never opened through a link
// someone left in its place. Internal on I/O errors.
absl::Status WriteFileAtomic(const std::string& path, const std::string& text, unsigned mode,
                             const std::optional<FileOwner>& owner = std::nullopt);

// Gives `path` and everything below it to `owner`, as root does when a unit's uid takes over a
// directory or a file copied into one: only what the top's present owner owns changes hands, and
// links are changed, never followed (a file someone else linked in keeps its owner). Nothing to
// do when the top already belongs to `owner`. Internal when the top cannot be inspected or given.
absl::Status GiveTree(const std::string& path, const FileOwner& owner);

}  // namespace skein
