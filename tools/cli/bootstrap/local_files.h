#pragma once

// The files `skein bootstrap` writes for the local daemons (brief: shared protocol facts):
//   controller/bootstrap.yaml   read by skein-controller on its first start
//   controller/address          the address the controller serves on, for good (controller_port.h)
//   machine-0/agent.conf        the machine agent's address, identity and credential (0600,
//                               lib/base/agent_conf.h)

#include <string>

#include "absl/status/status.h"

namespace skein::cli::bootstrap {

struct BootstrapConfig {
  std::string controller_name;
  std::string controller_uuid;
  std::string admin_credential_hash;
  std::string machine0_credential_hash;
  std::string machine0_hostname;
  std::string machine0_address = "127.0.0.1";
  // Machine 0's unit uids (`1879048192-1879113727`); empty when its units share one user.
  std::string machine0_unit_uids;
};

std::string BootstrapYaml(const BootstrapConfig& config);

// This host's name (gethostname), `localhost` when it cannot be read.
std::string HostName();

// Creates `dir` (and its parents) for the local daemons' files, mode 0700 when this call created
// it; a directory that already exists ($SKEIN_DATA made by the user) keeps its mode.
absl::Status MakePrivateDir(const std::string& dir);

}  // namespace skein::cli::bootstrap
