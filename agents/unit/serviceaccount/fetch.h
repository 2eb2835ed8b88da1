#pragma once

// The unit's ServiceAccount credentials from the controller (Agent.GetServiceAccountToken), in
// the shape TokenKeeper keeps fresh.

#include <optional>

#include "absl/status/statusor.h"
#include "agents/unit/api/agent_client.h"
#include "agents/unit/serviceaccount/token_keeper.h"

namespace skein::agent::serviceaccount {

// nullopt when the unit's model is not on a Kubernetes cloud (the controller answers
// FailedPrecondition; a controller without the call answers Unimplemented); other errors as the
// call gave them.
absl::StatusOr<std::optional<Credentials>> FetchCredentials(AgentClient& client);

}  // namespace skein::agent::serviceaccount
