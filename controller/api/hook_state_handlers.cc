// Agent.GetUnitState, GetLeaderSettings, SetLeaderSettings: what state-get, opened-ports,
// leader-get and leader-set read and write (domain/hook).

#include "controller/api/agent_service.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {

using domain::auth::Kind;
using domain::auth::Principal;

grpc::ServerUnaryReactor* AgentService::GetUnitState(grpc::CallbackServerContext* ctx, const v1::GetUnitStateRequest*,
                                                     v1::GetUnitStateResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(domain::hook::UnitHookState state, b_.hooks->UnitState(who.unit_id));
    resp->mutable_state()->insert(state.state.begin(), state.state.end());
    for (const domain::hook::OpenedRange& r : state.opened_ports) {
      v1::PortRange* range = resp->add_opened_ports();
      range->set_protocol(r.range.protocol);
      range->set_from_port(r.range.from);
      range->set_to_port(r.range.to);
      for (const auto& ep : r.endpoints) range->add_endpoints(ep);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::GetLeaderSettings(grpc::CallbackServerContext* ctx,
                                                          const v1::GetLeaderSettingsRequest*,
                                                          v1::GetLeaderSettingsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(auto settings, b_.hooks->LeaderSettings(who.unit_id));
    resp->mutable_settings()->insert(settings.begin(), settings.end());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::SetLeaderSettings(grpc::CallbackServerContext* ctx,
                                                          const v1::SetLeaderSettingsRequest* req,
                                                          v1::SetLeaderSettingsResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.hooks->SetLeaderSettings(who.unit_id, {req->set().begin(), req->set().end()},
                                       {req->unset().begin(), req->unset().end()});
  });
}

}  // namespace skein::controller::api
