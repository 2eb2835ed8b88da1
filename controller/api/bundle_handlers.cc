// Controller.DeployBundle: converts the client's plan and applies it (domain/bundle).

#include "controller/api/charm_transfer.h"
#include "controller/api/controller_service.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {

grpc::ServerUnaryReactor* ControllerService::DeployBundle(grpc::CallbackServerContext* ctx,
                                                          const v1::DeployBundleRequest* req,
                                                          v1::DeployBundleResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    domain::bundle::BundleDeploy deploy;
    deploy.model = req->model();
    for (const v1::DeployRequest& app : req->applications()) {
      domain::application::DeployArgs args;
      args.application = app.application();
      ASSIGN_OR_RETURN(args.charm, CharmOfDeploy(b_, app));
      args.num_units = app.num_units();
      args.config = {app.config().begin(), app.config().end()};
      args.charm_origin = app.charm_origin();
      args.channel = app.channel();
      args.revision = app.revision();
      args.trust = app.trust();
      deploy.applications.push_back(std::move(args));
    }
    for (const v1::BundleRelation& r : req->relations()) deploy.relations.emplace_back(r.a(), r.b());
    deploy.bundle_name = req->bundle_name();
    deploy.channel = req->bundle_channel();
    deploy.store_revision = req->bundle_revision();
    deploy.bundle_yaml = req->bundle_yaml();
    ASSIGN_OR_RETURN(int64_t revision, b_.bundles->Apply(deploy));
    resp->set_deployment_revision(revision);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
