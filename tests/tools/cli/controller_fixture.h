#pragma once

// A real controller in the test's process (127.0.0.1:0) with the CLI registered with it, for the
// CLI tests that need the controller's own behaviour rather than the fake's (manifests, plans).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/api/server.h"
#include "gtest/gtest.h"
#include "tests/tools/cli/test_util.h"

namespace skein::cli::testing {

// Starts a controller whose database lives in `dir`, bootstrapped with TestAdminHash(), and
// registers it as controller "local" in the CLI's `data_dir`.
absl::StatusOr<std::unique_ptr<controller::api::ControllerServer>> StartControllerForCli(const std::string& dir,
                                                                                         const std::string& data_dir);

// A test against such a controller, with model `dev` added through the CLI.
class ControllerCliTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  CliRun Skein(const std::vector<std::string>& args, const RunOptions& options = {}) const;

  TempDir dir_;
  std::string data_ = dir_.path() + "/data";
  std::unique_ptr<controller::api::ControllerServer> server_;
};

}  // namespace skein::cli::testing
