#pragma once

// The CLI-facing Clouds service (clouds.proto): add-k8s, clouds, remove-cloud and
// scale-application. Authenticates the admin user as the Controller service does, converts
// requests and calls the cloud store (and the application service for scaling).

#include "controller/api/backend.h"
#include "skein/v1/clouds.grpc.pb.h"

namespace skein::controller::api {

class CloudsService final : public v1::Clouds::CallbackService {
 public:
  explicit CloudsService(Backend backend) : b_(backend) {}

  grpc::ServerUnaryReactor* AddK8s(grpc::CallbackServerContext* ctx, const v1::AddK8sRequest* req,
                                   v1::AddK8sResponse* resp) override;
  grpc::ServerUnaryReactor* ListClouds(grpc::CallbackServerContext* ctx, const v1::ListCloudsRequest* req,
                                       v1::ListCloudsResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveCloud(grpc::CallbackServerContext* ctx, const v1::RemoveCloudRequest* req,
                                        v1::RemoveCloudResponse* resp) override;
  grpc::ServerUnaryReactor* ScaleApplication(grpc::CallbackServerContext* ctx, const v1::ScaleApplicationRequest* req,
                                             v1::ScaleApplicationResponse* resp) override;

 private:
  absl::Status Admin(grpc::CallbackServerContext* ctx);

  Backend b_;
};

}  // namespace skein::controller::api
