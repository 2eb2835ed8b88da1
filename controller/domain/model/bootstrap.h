#pragma once

// controller/bootstrap.yaml, written by `skein bootstrap` and read by skein-controller on its
// first start (BRIEF "Shared protocol facts").

#include <string>

#include "absl/status/statusor.h"

namespace skein::controller::domain::model {

struct BootstrapConfig {
  std::string controller_name = "local";
  std::string controller_uuid;
  std::string admin_credential_hash;
  std::string machine0_credential_hash;
  std::string machine0_hostname;
  std::string machine0_address = "127.0.0.1";
  std::string machine0_unit_uids;  // empty: no privilege separation on machine 0
};

// Reads and checks the file. NotFound when it does not exist; InvalidArgument
// `bootstrap file <path>: missing "<key>"` when a required key is absent or the YAML is bad.
absl::StatusOr<BootstrapConfig> LoadBootstrapFile(const std::string& path);

}  // namespace skein::controller::domain::model
