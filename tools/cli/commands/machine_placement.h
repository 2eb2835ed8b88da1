#pragma once

// What add-machine, remove-machine, add-unit --to and deploy --to share: calls on the
// controller's MachineManager service (machines.proto) and the `--to` placement list.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "skein/v1/machines.grpc.pb.h"
#include "tools/cli/commands/common.h"

namespace skein::cli::commands {

// A MachineManager call on the session's connection.
template <typename Req, typename Resp>
absl::StatusOr<Resp> CallMachineManager(
    Session& session, grpc::Status (skein::v1::MachineManager::StubInterface::*method)(grpc::ClientContext*, const Req&,
                                                                                       Resp*),
    const Req& request) {
  std::unique_ptr<skein::v1::MachineManager::StubInterface> stub =
      skein::v1::MachineManager::NewStub(session.connection->channel());
  return session.connection->Call(*stub, method, request);
}

// `--to 1,2` (Juju's comma list): machine numbers only on the local substrate. Usage error
// naming the placement for a container (`lxd:1`), `new`, a zone= or a unit placement.
absl::StatusOr<std::vector<std::string>> ParsePlacement(const std::string& text);

// Fails (exit 1, nothing written) unless every placement is a machine of the session's model,
// as status lists them: `machine 3 not found`; a Kubernetes model has none (FailedPrecondition).
absl::Status CheckPlacementMachines(Session& session, const std::vector<std::string>& to);

// Adds `n` units of `app`, placed on `to` in order (the rest on machine 0).
absl::StatusOr<std::vector<std::string>> AddUnitsTo(Session& session, const std::string& app, int n,
                                                    const std::vector<std::string>& to);

}  // namespace skein::cli::commands
