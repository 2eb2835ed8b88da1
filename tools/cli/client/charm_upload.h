#pragma once

// Uploads a charm archive to the controller's charm store (Controller.UploadCharm) in chunks:
// the file is hashed first, then streamed one chunk at a time, so the CLI's memory does not
// grow with the charm.

#include <string>

#include "absl/status/statusor.h"
#include "tools/cli/client/connection.h"

namespace skein::cli::client {

// The archive's SHA-256 as the controller stored it. Errors: the controller's (InvalidArgument
// naming what is wrong with the charm), Unavailable when it cannot be reached, Internal when
// the file cannot be read.
absl::StatusOr<std::string> UploadCharm(Connection& connection, const std::string& path);

}  // namespace skein::cli::client
