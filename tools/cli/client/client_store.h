#pragma once

// The CLI's own state, `$SKEIN_DATA/client.yaml` (mode 0600, it holds the admin credential):
//
//   current-controller: local
//   controllers:
//     local:
//       address: 127.0.0.1:PORT
//       uuid: <controller uuid>
//       admin-credential: <secret>
//       current-model: controller
//       ca-cert: |                  the controller's CA certificate (PEM): the CLI trusts only
//         -----BEGIN CERTIFICATE--- it (lib/rpc/tls.h)

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace skein::cli::client {

struct ControllerEntry {
  std::string address;
  std::string uuid;
  std::string admin_credential;
  std::string current_model;
  std::string ca_cert;
};

struct ClientConfig {
  std::string current_controller;
  std::map<std::string, ControllerEntry> controllers;
};

// `<data_dir>/client.yaml`.
std::string ClientConfigPath(const std::string& data_dir);

// Reads client.yaml. A missing file is an empty config (no controllers). InvalidArgument when the
// file cannot be parsed.
absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& data_dir);

// Writes client.yaml atomically (temporary file + rename) with mode 0600, creating the data
// dir (0700) when needed. Internal on I/O errors.
absl::Status SaveClientConfig(const std::string& data_dir, const ClientConfig& config);

// The text of the error every command gives when no controller is registered.
std::string NoControllersMessage();

// The controller a command works with: the current one, or the only one registered.
// NotFound with NoControllersMessage() when none is registered.
absl::StatusOr<std::pair<std::string, ControllerEntry>> CurrentController(const ClientConfig& config);

}  // namespace skein::cli::client
