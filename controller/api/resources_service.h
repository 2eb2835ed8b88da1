#pragma once

// The Resources gRPC service (proto/skein/v1/resources.proto): the CLI's uploads and listing,
// and the unit agents' `resource-get`. Authenticates, converts and calls domain/resource.

#include "controller/api/backend.h"
#include "skein/v1/resources.grpc.pb.h"

namespace skein::controller::api {

class ResourcesService final : public v1::Resources::CallbackService {
 public:
  explicit ResourcesService(Backend backend) : b_(backend) {}

  grpc::ServerUnaryReactor* UploadResource(grpc::CallbackServerContext* ctx, const v1::UploadResourceRequest* req,
                                           v1::UploadResourceResponse* resp) override;
  grpc::ServerUnaryReactor* ListResources(grpc::CallbackServerContext* ctx, const v1::ListResourcesRequest* req,
                                          v1::ListResourcesResponse* resp) override;
  grpc::ServerUnaryReactor* FetchResource(grpc::CallbackServerContext* ctx, const v1::FetchResourceRequest* req,
                                          v1::FetchResourceResponse* resp) override;

 private:
  Backend b_;
};

}  // namespace skein::controller::api
