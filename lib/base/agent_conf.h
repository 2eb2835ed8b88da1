#pragma once

// agent.conf, the YAML file (mode 0600) every agent reads at start. `skein bootstrap` writes the
// machine agent's, the machine agent writes each unit agent's, and both agents read theirs here,
// so the file has one format:
//   controller: 127.0.0.1:PORT
//   entity: unit-app-0            (or machine-0)
//   credential: <secret>
//   unit: app/0                   (unit agents only)
//   machine-id: "0"
//   model-uuid: <uuid>            (unit agents only: the unit's model; unit names repeat
//                                  across models)
//   ca-cert: |                    the controller's CA certificate (PEM), the only one the
//     -----BEGIN CERTIFICATE----- agent trusts (lib/rpc/tls.h)
//   unit-uids: 1879048192         (machine agents only) the first of the 65,536 uids its unit
//                                  agents run under (lib/base/unit_uids.h); absent when the
//                                  machine was bootstrapped without root: no separation

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/base/file_write.h"
#include "lib/base/unit_uids.h"

namespace skein {

struct AgentConf {
  std::string controller;
  std::string entity;
  std::string credential;
  std::string unit;
  std::string machine_id;
  std::string model_uuid;
  std::string ca_cert;
  std::optional<UidRange> unit_uids;
};

// The machine agent's: entity `machine-<id>`, no unit and no model.
AgentConf MachineAgentConf(const std::string& controller, const std::string& credential,
                           const std::string& machine_id, const std::string& ca_cert);

// The file's text: the keys above in that order, `unit` and `model-uuid` only when set, the
// machine id always quoted (it reads back as a string, not a number).
std::string AgentConfYaml(const AgentConf& conf);

// NotFound when the file is missing; InvalidArgument when it is not a mapping or lacks
// `controller`, `entity`, `credential` or `ca-cert`.
absl::StatusOr<AgentConf> ReadAgentConf(const std::string& path);
// Writes AgentConfYaml atomically (temporary file + rename) with mode 0600. Internal on I/O
// errors.
// `owner`: see WriteFileAtomic (the machine agent writes a separated unit's agent.conf for it).
absl::Status WriteAgentConf(const std::string& path, const AgentConf& conf,
                            const std::optional<FileOwner>& owner = std::nullopt);

}  // namespace skein
