#include "controller/api/clouds_service.h"

#include "controller/provisioner/application_scale.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

void Fill(const domain::cloud::CloudInfo& info, v1::CloudEntry* out) {
  out->set_name(info.name);
  out->set_type(info.type == domain::cloud::CloudType::kKubernetes ? "kubernetes" : "local");
  out->set_endpoint(info.endpoint);
}

}  // namespace

absl::Status CloudsService::Admin(grpc::CallbackServerContext* ctx) {
  return b_.authn->Require(*ctx, domain::auth::Kind::kAdmin).status();
}

grpc::ServerUnaryReactor* CloudsService::AddK8s(grpc::CallbackServerContext* ctx, const v1::AddK8sRequest* req,
                                                v1::AddK8sResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::cloud::CloudInfo info,
                     b_.clouds->AddKubernetesCloud(req->name(), req->kubeconfig(), req->context()));
    Fill(info, resp->mutable_cloud());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CloudsService::ListClouds(grpc::CallbackServerContext* ctx, const v1::ListCloudsRequest*,
                                                    v1::ListCloudsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<domain::cloud::CloudInfo> clouds, b_.clouds->ListClouds());
    for (const domain::cloud::CloudInfo& c : clouds) Fill(c, resp->add_clouds());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CloudsService::RemoveCloud(grpc::CallbackServerContext* ctx,
                                                     const v1::RemoveCloudRequest* req, v1::RemoveCloudResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    return b_.clouds->RemoveCloud(req->name());
  });
}

grpc::ServerUnaryReactor* CloudsService::ScaleApplication(grpc::CallbackServerContext* ctx,
                                                          const v1::ScaleApplicationRequest* req,
                                                          v1::ScaleApplicationResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(provisioner::ScaleResult result,
                     provisioner::ScaleApplication(*b_.db, *b_.applications, req->model(), req->application(),
                                                   req->scale()));
    for (const std::string& u : result.added) resp->add_added(u);
    for (const std::string& u : result.removed) resp->add_removed(u);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
