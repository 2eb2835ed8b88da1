#pragma once

// The files `skein bootstrap` writes for the local daemons (brief: shared protocol facts):
//   controller/bootstrap.yaml   read by skein-controller on its first start
//   controller/address          the address the controller serves on, for good (controller_port.h)
//   machine-0/agent.conf        the machine agent's address, identity and credential (0600)

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
};

std::string BootstrapYaml(const BootstrapConfig& config);

struct MachineAgentConf {
  std::string controller;  // 127.0.0.1:PORT
  std::string credential;
  std::string machine_id = "0";
};

// `controller: ... / entity: machine-<id> / credential: ... / machine-id: "<id>"`.
std::string MachineAgentConfYaml(const MachineAgentConf& conf);

// Writes `text` to `path` through a temporary file and rename, with `mode` set before any byte
// is written (credentials never sit in a world-readable file). Internal on I/O errors.
absl::Status WriteFileAtomic(const std::string& path, const std::string& text, unsigned mode);

// This host's name (gethostname), `localhost` when it cannot be read.
std::string HostName();

}  // namespace skein::cli::bootstrap
