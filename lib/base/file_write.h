#pragma once

// Writing a file whole or not at all: agent.conf, the client's controllers file, the
// controller's bootstrap files. A reader (or a crash) never sees half a file.

#include <string>

#include "absl/status/status.h"

namespace skein {

// Writes `text` to `path` through a temporary file, fsync and rename, with `mode` set before any
// byte is written (credentials never sit in a readable file). Internal on I/O errors.
absl::Status WriteFileAtomic(const std::string& path, const std::string& text, unsigned mode);

}  // namespace skein
