#include "controller/api/resources_service.h"

#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;
using domain::auth::Principal;
namespace resource = domain::resource;

void ToProto(const resource::ResourceInfo& r, v1::ResourceInfo* out) {
  out->set_name(r.spec.name);
  out->set_type(charm::ResourceTypeName(r.spec.type));
  out->set_path(r.spec.filename);
  out->set_description(r.spec.description);
  out->set_revision(r.revision);
  out->set_size(r.size);
  out->set_fingerprint(r.fingerprint);
  out->set_origin("upload");
  out->set_timestamp(r.created);
}

}  // namespace

grpc::ServerUnaryReactor* ResourcesService::UploadResource(grpc::CallbackServerContext* ctx,
                                                           const v1::UploadResourceRequest* req,
                                                           v1::UploadResourceResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    ASSIGN_OR_RETURN(resource::ResourceInfo stored,
                     b_.resources->Upload(req->model(), req->application(), req->name(), req->content(),
                                          req->upgrade_units()));
    ToProto(stored, resp->mutable_resource());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ResourcesService::ListResources(grpc::CallbackServerContext* ctx,
                                                          const v1::ListResourcesRequest* req,
                                                          v1::ListResourcesResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    ASSIGN_OR_RETURN(resource::ResourceService::Listing list, b_.resources->List(req->model(), req->application()));
    resp->set_charm_name(list.charm_name);
    for (const resource::ResourceInfo& r : list.resources) ToProto(r, resp->add_resources());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ResourcesService::FetchResource(grpc::CallbackServerContext* ctx,
                                                          const v1::FetchResourceRequest* req,
                                                          v1::FetchResourceResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    // The unit reads its own application's resources only: the domain looks the resource up
    // through the authenticated unit's row, never through a name the request carries.
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(resource::ResourceContent got, b_.resources->FetchForUnit(who.unit_id, req->name()));
    ToProto(got.info, resp->mutable_resource());
    resp->set_content(std::move(got.content));
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
