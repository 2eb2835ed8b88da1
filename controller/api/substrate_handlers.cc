// The local substrate (domain/substrate): Agent.ApplyManifests for a unit's application,
// Controller.ListManifests and ApplyUserManifests for the CLI.

#include "controller/api/agent_service.h"
#include "controller/api/controller_service.h"
#include "controller/api/service_account_token.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;
using domain::auth::Principal;
using domain::substrate::ListedManifest;
using domain::substrate::Manifest;

std::vector<Manifest> FromProto(const google::protobuf::RepeatedPtrField<v1::Manifest>& in) {
  std::vector<Manifest> out;
  out.reserve(in.size());
  for (const v1::Manifest& m : in) {
    out.push_back({m.namespace_(), m.api_version(), m.kind(), m.name(), m.content_json(), m.target_namespace_label()});
  }
  return out;
}

void ToProto(const Manifest& m, v1::Manifest* out) {
  out->set_namespace_(m.ns);
  out->set_api_version(m.api_version);
  out->set_kind(m.kind);
  out->set_name(m.name);
  out->set_content_json(m.content_json);
  out->set_target_namespace_label(m.target_namespace_label);
}

}  // namespace

grpc::ServerUnaryReactor* AgentService::ApplyManifests(grpc::CallbackServerContext* ctx,
                                                       const v1::ApplyManifestsRequest* req,
                                                       v1::ApplyManifestsResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    // The owner is the authenticated unit's application: a unit cannot apply for another one.
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.substrate->ApplyManifestsForUnit(who.unit_id, req->set(), FromProto(req->manifests()));
  });
}

grpc::ServerUnaryReactor* AgentService::GetServiceAccountToken(grpc::CallbackServerContext* ctx,
                                                              const v1::GetServiceAccountTokenRequest*,
                                                              v1::ServiceAccountToken* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(domain::unit::LoginInfo login, b_.units->Login(who));
    ASSIGN_OR_RETURN(std::optional<ServiceAccountToken> token,
                     MintServiceAccountToken(*b_.clouds, login.model_name, who.application));
    if (!token) {
      return absl::FailedPreconditionError(
          absl::StrCat("model \"", login.model_name, "\" is not on a Kubernetes cloud: its units get no ServiceAccount"));
    }
    resp->set_server(token->server);
    resp->set_ca_pem(token->ca_pem);
    resp->set_namespace_(token->ns);
    resp->set_token(token->token);
    resp->set_expiry_unix_ms(token->expiry_unix_ms);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::ListManifests(grpc::CallbackServerContext* ctx,
                                                           const v1::ListManifestsRequest* req,
                                                           v1::ListManifestsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<ListedManifest> listed, b_.substrate->ListManifests(req->model(), req->namespace_()));
    for (const ListedManifest& l : listed) {
      v1::ListedManifest* out = resp->add_manifests();
      ToProto(l.manifest, out->mutable_manifest());
      out->set_owner(l.owner);
      out->set_set(l.set);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::ApplyUserManifests(grpc::CallbackServerContext* ctx,
                                                                const v1::ApplyUserManifestsRequest* req,
                                                                v1::ApplyUserManifestsResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    return b_.substrate->ApplyUserManifests(req->model(), FromProto(req->manifests()));
  });
}

}  // namespace skein::controller::api
