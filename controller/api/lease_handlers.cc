// Agent.ClaimLeadership: the unit agent's lease claim/renewal (domain/lease).

#include "controller/api/agent_service.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {

using domain::auth::Kind;
using domain::auth::Principal;

grpc::ServerUnaryReactor* AgentService::ClaimLeadership(grpc::CallbackServerContext* ctx,
                                                        const v1::ClaimLeadershipRequest* req,
                                                        v1::ClaimLeadershipResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    if (b_.leases == nullptr) return absl::UnimplementedError("leases not available");
    ASSIGN_OR_RETURN(domain::lease::ClaimResult result, b_.leases->Claim(who.unit_id));
    resp->set_held(result.held);
    resp->set_remaining_ms(result.remaining.count());
    resp->set_duration_ms(result.duration.count());
    resp->set_leader(result.leader);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
