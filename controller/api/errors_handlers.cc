// Model config and `skein resolved` at the gRPC edge (issue 4: errors and retries).

#include "controller/api/agent_service.h"
#include "controller/api/controller_service.h"
#include "controller/domain/model/model_config.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {

using domain::auth::Kind;
using domain::auth::Principal;

grpc::ServerUnaryReactor* ControllerService::GetModelConfig(grpc::CallbackServerContext* ctx,
                                                            const v1::GetModelConfigRequest* req,
                                                            v1::GetModelConfigResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<domain::model::ModelConfigEntry> entries, b_.model_config->Get(req->model()));
    for (const auto& e : entries) {
      v1::ModelConfigEntry* out = resp->add_entries();
      out->set_key(e.key);
      out->set_value(e.value);
      out->set_source(e.source);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::SetModelConfig(grpc::CallbackServerContext* ctx,
                                                            const v1::SetModelConfigRequest* req,
                                                            v1::SetModelConfigResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    return b_.model_config->Set(req->model(), {req->values().begin(), req->values().end()},
                       {req->reset().begin(), req->reset().end()});
  });
}

grpc::ServerUnaryReactor* ControllerService::ResolveUnits(grpc::CallbackServerContext* ctx,
                                                          const v1::ResolveUnitsRequest* req,
                                                          v1::ResolveUnitsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<std::string> units,
                     b_.units->ResolveUnits(req->model(), {req->units().begin(), req->units().end()}, req->no_retry(),
                                            req->all()));
    for (const std::string& u : units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::AckSnapshot(grpc::CallbackServerContext* ctx,
                                                    const v1::AckSnapshotRequest* req, v1::AckSnapshotResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    if (b_.presence != nullptr) b_.presence->SnapshotAcknowledged(domain::UnitKey(who.unit_id), req->version());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::ClearResolved(grpc::CallbackServerContext* ctx,
                                                      const v1::ClearResolvedRequest* req,
                                                      v1::ClearResolvedResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.units->ClearResolved(who.unit_id, req->serial());
  });
}

}  // namespace skein::controller::api
