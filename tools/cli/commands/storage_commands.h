#pragma once

// The model's storage instances from the controller's Storage service (storage_commands.cc), for
// `skein storage`, `show-storage` and the `storage` section of `status --format json`.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "skein/v1/storage.pb.h"
#include "tools/cli/commands/common.h"

namespace skein::cli::commands {

// All of the session's model's instances, or those of `ids` (NotFound `storage "x" not found`).
absl::StatusOr<std::vector<skein::v1::StorageInstanceInfo>> ListStorage(Session& session,
                                                                       const std::vector<std::string>& ids = {});

}  // namespace skein::cli::commands
