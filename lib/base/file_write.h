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

}  // namespace skein
