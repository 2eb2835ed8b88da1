#include "controller/api/model_manager_service.h"

#include <map>
#include <optional>
#include <string>

#include "controller/domain/cloud/cloud_store.h"
#include "controller/domain/model/model_config.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {

absl::Status ModelManagerService::Admin(grpc::CallbackServerContext* ctx) {
  return b_.authn->Require(*ctx, domain::auth::Kind::kAdmin).status();
}

grpc::ServerUnaryReactor* ModelManagerService::CreateModel(grpc::CallbackServerContext* ctx,
                                                           const v1::CreateModelRequest* req,
                                                           v1::CreateModelResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    const std::map<std::string, std::string> config(req->config().begin(), req->config().end());
    domain::ModelRow model;
    if (domain::cloud::IsLocalCloudName(req->cloud())) {
      ASSIGN_OR_RETURN(model, lifecycle_->CreateModel(req->name(), config));
    } else {
      ASSIGN_OR_RETURN(auto normalised, domain::model::NormaliseModelConfig(config));
      ASSIGN_OR_RETURN(model, b_.clouds->AddModelOnCloud(req->name(), normalised, req->cloud()));
    }
    resp->set_name(model.name);
    resp->set_uuid(model.uuid);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModelManagerService::DestroyModel(grpc::CallbackServerContext* ctx,
                                                            const v1::DestroyModelRequest* req,
                                                            v1::DestroyModelResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    // Asked before the model goes: a model with nothing in it is removed by DestroyModel itself.
    ASSIGN_OR_RETURN(std::optional<domain::cloud::ModelCluster> cluster, b_.clouds->ClusterForModel(req->model()));
    ASSIGN_OR_RETURN(domain::model::DestroyModelResult result,
                     lifecycle_->DestroyModel(req->model(), {.force = req->force(),
                                                                  .remove_now = req->remove_now(),
                                                                  .destroy_storage = req->destroy_storage(),
                                                                  .release_storage = req->release_storage()}));
    for (const std::string& a : result.applications) resp->add_applications(a);
    for (const std::string& u : result.units) resp->add_units(u);
    resp->set_removed(result.removed);
    // The namespace goes with everything in it (Juju deletes the model's namespace as well); the
    // units' agents run their dying hooks on the controller's side, not in the pods.
    if (cluster.has_value()) RETURN_IF_ERROR(b_.clouds->DeleteModelNamespace(*cluster));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModelManagerService::ShowModel(grpc::CallbackServerContext* ctx,
                                                         const v1::ShowModelRequest* req, v1::ModelDetails* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::model::ModelDetailsView view, lifecycle_->Details(req->model()));
    *resp->mutable_summary() = std::move(view.summary);
    resp->set_life(view.life == domain::Life::kAlive ? "alive" : "dying");
    for (const std::string& m : view.machines) resp->add_machines(m);
    resp->set_controller_uuid(view.controller_uuid);
    resp->set_application_count(view.application_count);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModelManagerService::GetModelConstraints(grpc::CallbackServerContext* ctx,
                                                                   const v1::GetModelConstraintsRequest* req,
                                                                   v1::GetModelConstraintsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(Constraints constraints, lifecycle_->GetConstraints(req->model()));
    resp->set_constraints(FormatConstraints(constraints));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ModelManagerService::SetModelConstraints(grpc::CallbackServerContext* ctx,
                                                                   const v1::SetModelConstraintsRequest* req,
                                                                   v1::SetModelConstraintsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(Constraints constraints, lifecycle_->SetConstraints(req->model(), req->constraints()));
    resp->set_constraints(FormatConstraints(constraints));
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
