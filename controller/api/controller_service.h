#pragma once

// The CLI-facing Controller service (controller.proto): authenticates the admin user, converts
// requests and calls the domain services. No rules live here.

#include "controller/api/backend.h"
#include "skein/v1/controller.grpc.pb.h"

namespace skein::controller::api {

class ControllerService final : public v1::Controller::CallbackService {
 public:
  explicit ControllerService(Backend backend) : b_(backend) {}

  grpc::ServerUnaryReactor* AddModel(grpc::CallbackServerContext* ctx, const v1::AddModelRequest* req,
                                     v1::AddModelResponse* resp) override;
  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* ctx, const v1::ListModelsRequest* req,
                                       v1::ListModelsResponse* resp) override;
  grpc::ServerUnaryReactor* Deploy(grpc::CallbackServerContext* ctx, const v1::DeployRequest* req,
                                   v1::DeployResponse* resp) override;
  // bundle_handlers.cc
  grpc::ServerUnaryReactor* DeployBundle(grpc::CallbackServerContext* ctx, const v1::DeployBundleRequest* req,
                                         v1::DeployBundleResponse* resp) override;
  grpc::ServerUnaryReactor* AddUnit(grpc::CallbackServerContext* ctx, const v1::AddUnitRequest* req,
                                    v1::AddUnitResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveUnit(grpc::CallbackServerContext* ctx, const v1::RemoveUnitRequest* req,
                                       v1::RemoveUnitResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveApplication(grpc::CallbackServerContext* ctx,
                                              const v1::RemoveApplicationRequest* req,
                                              v1::RemoveApplicationResponse* resp) override;
  grpc::ServerUnaryReactor* Integrate(grpc::CallbackServerContext* ctx, const v1::IntegrateRequest* req,
                                      v1::IntegrateResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveRelation(grpc::CallbackServerContext* ctx, const v1::RemoveRelationRequest* req,
                                           v1::RemoveRelationResponse* resp) override;
  grpc::ServerUnaryReactor* GetConfig(grpc::CallbackServerContext* ctx, const v1::GetConfigRequest* req,
                                      v1::GetConfigResponse* resp) override;
  grpc::ServerUnaryReactor* SetConfig(grpc::CallbackServerContext* ctx, const v1::SetConfigRequest* req,
                                      v1::SetConfigResponse* resp) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx, const v1::GetStatusRequest* req,
                                      v1::ModelStatus* resp) override;
  grpc::ServerWriteReactor<v1::ModelStatus>* WatchStatus(grpc::CallbackServerContext* ctx,
                                                         const v1::GetStatusRequest* req) override;
  grpc::ServerUnaryReactor* ShowUnit(grpc::CallbackServerContext* ctx, const v1::ShowUnitRequest* req,
                                     v1::UnitInfo* resp) override;
  // Actions (action_handlers.cc).
  grpc::ServerUnaryReactor* RunAction(grpc::CallbackServerContext* ctx, const v1::RunActionRequest* req,
                                      v1::RunActionResponse* resp) override;
  grpc::ServerUnaryReactor* ShowTask(grpc::CallbackServerContext* ctx, const v1::ShowTaskRequest* req,
                                     v1::TaskInfo* resp) override;
  grpc::ServerWriteReactor<v1::TaskInfo>* WatchTask(grpc::CallbackServerContext* ctx,
                                                    const v1::WatchTaskRequest* req) override;
  grpc::ServerWriteReactor<v1::LogEntry>* DebugLog(grpc::CallbackServerContext* ctx,
                                                   const v1::DebugLogRequest* req) override;
  // Model config and resolve (errors_handlers.cc).
  grpc::ServerUnaryReactor* GetModelConfig(grpc::CallbackServerContext* ctx, const v1::GetModelConfigRequest* req,
                                           v1::GetModelConfigResponse* resp) override;
  grpc::ServerUnaryReactor* SetModelConfig(grpc::CallbackServerContext* ctx, const v1::SetModelConfigRequest* req,
                                           v1::SetModelConfigResponse* resp) override;
  grpc::ServerUnaryReactor* ResolveUnits(grpc::CallbackServerContext* ctx, const v1::ResolveUnitsRequest* req,
                                         v1::ResolveUnitsResponse* resp) override;
  // The local substrate (substrate_handlers.cc).
  grpc::ServerUnaryReactor* ListManifests(grpc::CallbackServerContext* ctx, const v1::ListManifestsRequest* req,
                                          v1::ListManifestsResponse* resp) override;
  grpc::ServerUnaryReactor* ApplyUserManifests(grpc::CallbackServerContext* ctx,
                                               const v1::ApplyUserManifestsRequest* req,
                                               v1::ApplyUserManifestsResponse* resp) override;
  // Packed charms (charm_handlers.cc).
  grpc::ServerReadReactor<v1::UploadCharmRequest>* UploadCharm(grpc::CallbackServerContext* ctx,
                                                               v1::UploadCharmResponse* resp) override;
  grpc::ServerUnaryReactor* Refresh(grpc::CallbackServerContext* ctx, const v1::RefreshRequest* req,
                                    v1::RefreshResponse* resp) override;
  // Plans as durable jobs and the deployments' history (plan_handlers.cc).
  grpc::ServerWriteReactor<v1::PlanProgress>* ApplyPlan(grpc::CallbackServerContext* ctx,
                                                        const v1::ApplyPlanRequest* req) override;
  grpc::ServerUnaryReactor* DeploymentHistory(grpc::CallbackServerContext* ctx, const v1::DeploymentHistoryRequest* req,
                                              v1::DeploymentHistoryResponse* resp) override;

 private:
  absl::Status Admin(grpc::CallbackServerContext* ctx);

  Backend b_;
};

}  // namespace skein::controller::api
