#pragma once

// A real controller in the test's process (127.0.0.1:0) with the CLI registered with it, for the
// CLI tests that need the controller's own behaviour rather than the fake's (manifests, plans).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "controller/api/server.h"

namespace skein::cli::testing {

// Starts a controller whose database lives in `dir`, bootstrapped with TestAdminHash(), and
// registers it as controller "local" in the CLI's `data_dir`.
absl::StatusOr<std::unique_ptr<controller::api::ControllerServer>> StartControllerForCli(const std::string& dir,
                                                                                         const std::string& data_dir);

}  // namespace skein::cli::testing
