#pragma once

// The CLI-facing ModelManager service (models.proto): authenticates the admin user as the
// Controller service does, converts requests and calls the model lifecycle domain service.

#include "controller/api/backend.h"
#include "controller/domain/model/model_lifecycle.h"
#include "skein/v1/models.grpc.pb.h"

namespace skein::controller::api {

class ModelManagerService final : public v1::ModelManager::CallbackService {
 public:
  // `lifecycle` is not owned and must outlive the service.
  ModelManagerService(Backend backend, domain::model::ModelLifecycleService* lifecycle)
      : b_(backend), lifecycle_(lifecycle) {}

  grpc::ServerUnaryReactor* CreateModel(grpc::CallbackServerContext* ctx, const v1::CreateModelRequest* req,
                                        v1::CreateModelResponse* resp) override;
  grpc::ServerUnaryReactor* DestroyModel(grpc::CallbackServerContext* ctx, const v1::DestroyModelRequest* req,
                                         v1::DestroyModelResponse* resp) override;
  grpc::ServerUnaryReactor* ShowModel(grpc::CallbackServerContext* ctx, const v1::ShowModelRequest* req,
                                      v1::ModelDetails* resp) override;
  grpc::ServerUnaryReactor* GetModelConstraints(grpc::CallbackServerContext* ctx,
                                                const v1::GetModelConstraintsRequest* req,
                                                v1::GetModelConstraintsResponse* resp) override;
  grpc::ServerUnaryReactor* SetModelConstraints(grpc::CallbackServerContext* ctx,
                                                const v1::SetModelConstraintsRequest* req,
                                                v1::SetModelConstraintsResponse* resp) override;

 private:
  absl::Status Admin(grpc::CallbackServerContext* ctx);

  Backend b_;
  domain::model::ModelLifecycleService* lifecycle_;
};

}  // namespace skein::controller::api
