// Controller.UploadCharm and Controller.Refresh: packed charms (issue 11).

#include "absl/strings/str_cat.h"
#include "controller/api/charm_transfer.h"
#include "controller/api/controller_service.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {

grpc::ServerReadReactor<v1::UploadCharmRequest>* ControllerService::UploadCharm(grpc::CallbackServerContext* ctx,
                                                                                v1::UploadCharmResponse* resp) {
  return StartCharmUpload(ctx, b_, resp);
}

grpc::ServerUnaryReactor* ControllerService::Refresh(grpc::CallbackServerContext* ctx, const v1::RefreshRequest* req,
                                                     v1::RefreshResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    if (!req->charm_origin().empty() && req->charm_origin() != "local") {
      return absl::InvalidArgumentError(
          absl::StrCat("refresh from origin \"", req->charm_origin(), "\" is not supported yet; refresh with --path"));
    }
    domain::application::RefreshArgs args;
    args.model = req->model();
    args.application = req->application();
    ASSIGN_OR_RETURN(args.charm, b_.charms->Read(req->charm_sha256()));
    ASSIGN_OR_RETURN(domain::application::RefreshResult result, b_.applications->Refresh(args));
    resp->set_charm_url(result.charm_url);
    resp->set_revision(result.revision);
    resp->set_charm_name(args.charm.metadata.name);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
