#pragma once

// agent.conf, the YAML file (mode 0600) every agent reads at start (BRIEF "agent.conf"):
//   controller: 127.0.0.1:PORT
//   entity: unit-app-0            (or machine-0)
//   credential: <secret>
//   unit: app/0                   (unit agents only)
//   machine-id: "0"
//   model-uuid: <uuid>            (unit agents only: the unit's model; unit names repeat
//                                  across models)

#include <string>

#include "absl/status/statusor.h"

namespace skein::agent {

struct AgentConf {
  std::string controller;
  std::string entity;
  std::string credential;
  std::string unit;
  std::string machine_id;
  std::string model_uuid;
};

// NotFound when the file is missing; InvalidArgument when it is not a mapping or lacks
// `controller`, `entity` or `credential`.
absl::StatusOr<AgentConf> ReadAgentConf(const std::string& path);
// Writes atomically (temporary file + rename) with mode 0600. Internal on I/O errors.
absl::Status WriteAgentConf(const std::string& path, const AgentConf& conf);

}  // namespace skein::agent
