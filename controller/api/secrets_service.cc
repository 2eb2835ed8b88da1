#include "controller/api/secrets_service.h"

#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;
using domain::auth::Principal;
namespace secret = domain::secret;

absl::StatusOr<secret::SecretUpdate> FromProto(const v1::SecretFields& f) {
  secret::SecretUpdate u;
  if (f.has_label()) u.label = f.label();
  if (f.has_description()) u.description = f.description();
  if (f.has_expire()) u.expire = f.expire();
  if (f.has_rotate()) {
    ASSIGN_OR_RETURN(u.rotate, secret::ParseRotatePolicy(f.rotate()));
  }
  if (!f.content().empty()) u.content = secret::SecretContent(f.content().begin(), f.content().end());
  return u;
}

void ToProto(const secret::SecretMetadata& m, v1::SecretInfo* out) {
  out->set_id(m.id);
  out->set_owner_kind(secret::OwnerKindName(m.owner_kind));
  out->set_owner(m.owner);
  out->set_name(m.name);
  out->set_label(m.label);
  out->set_description(m.description);
  if (m.rotate) out->set_rotate(secret::RotatePolicyName(*m.rotate));
  out->set_next_rotate(m.next_rotate);
  out->set_expire(m.expire);
  out->set_auto_prune(m.auto_prune);
  out->set_latest_revision(m.latest_revision);
  out->set_created(m.created);
  out->set_updated(m.updated);
  for (const secret::RevisionInfo& r : m.revisions) {
    v1::SecretRevision* rev = out->add_revisions();
    rev->set_revision(r.revision);
    rev->set_created(r.created);
    rev->set_updated(r.updated);
    rev->set_expire(r.expire);
  }
  for (const secret::AccessInfo& a : m.access) {
    v1::SecretAccess* access = out->add_access();
    access->set_target(a.target);
    access->set_scope(a.scope);
    access->set_role(a.role);
  }
}

std::optional<int64_t> OptionalRevision(bool has, int64_t revision) {
  if (!has) return std::nullopt;
  return revision;
}

}  // namespace

grpc::ServerUnaryReactor* SecretsService::AddSecret(grpc::CallbackServerContext* ctx, const v1::AddSecretRequest* req,
                                                    v1::AddSecretResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(secret::OwnerKind owner, secret::ParseOwnerKind(req->owner().empty() ? "application" : req->owner()));
    ASSIGN_OR_RETURN(secret::SecretUpdate update, FromProto(req->fields()));
    ASSIGN_OR_RETURN(std::string id, b_.secrets->AddOwned(who.unit_id, owner, update));
    resp->set_id(id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecretsService::UpdateSecret(grpc::CallbackServerContext* ctx,
                                                       const v1::UpdateSecretRequest* req, v1::UpdateSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(secret::SecretUpdate update, FromProto(req->fields()));
    return b_.secrets->UpdateOwned(who.unit_id, {req->uri(), ""}, update);
  });
}

grpc::ServerUnaryReactor* SecretsService::GetSecretContent(grpc::CallbackServerContext* ctx,
                                                           const v1::GetSecretContentRequest* req,
                                                           v1::GetSecretContentResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(secret::RevealedContent got,
                     b_.secrets->GetContent(who.unit_id, {req->uri(), req->label()}, req->peek(), req->refresh()));
    resp->set_revision(got.revision);
    resp->mutable_content()->insert(got.content.begin(), got.content.end());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecretsService::GetSecretInfo(grpc::CallbackServerContext* ctx,
                                                        const v1::GetSecretInfoRequest* req, v1::SecretInfo* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(secret::SecretMetadata info, b_.secrets->Info(who.unit_id, {req->uri(), req->label()}));
    ToProto(info, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecretsService::GrantSecret(grpc::CallbackServerContext* ctx,
                                                      const v1::GrantSecretRequest* req, v1::GrantSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.secrets->Grant(who.unit_id, req->uri(), req->relation_id(), req->unit());
  });
}

grpc::ServerUnaryReactor* SecretsService::RevokeSecret(grpc::CallbackServerContext* ctx,
                                                       const v1::GrantSecretRequest* req, v1::GrantSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.secrets->Revoke(who.unit_id, req->uri(), req->relation_id(), req->unit());
  });
}

grpc::ServerUnaryReactor* SecretsService::RemoveSecret(grpc::CallbackServerContext* ctx,
                                                       const v1::RemoveSecretRequest* req, v1::RemoveSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.secrets->RemoveOwned(who.unit_id, req->uri(), OptionalRevision(req->has_revision(), req->revision()));
  });
}

grpc::ServerUnaryReactor* SecretsService::ListOwnedSecrets(grpc::CallbackServerContext* ctx,
                                                           const v1::ListOwnedSecretsRequest*,
                                                           v1::ListOwnedSecretsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(std::vector<std::string> uris, b_.secrets->OwnedIds(who.unit_id));
    for (const std::string& uri : uris) resp->add_uris(uri);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecretsService::AddUserSecret(grpc::CallbackServerContext* ctx,
                                                        const v1::AddUserSecretRequest* req,
                                                        v1::AddSecretResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    ASSIGN_OR_RETURN(std::string id,
                     b_.secrets->AddUserSecret(req->model(), req->name(), req->description(),
                                               {req->content().begin(), req->content().end()}));
    resp->set_id(id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecretsService::UpdateUserSecret(grpc::CallbackServerContext* ctx,
                                                           const v1::UpdateUserSecretRequest* req,
                                                           v1::UpdateSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    secret::SecretService::UserUpdate update;
    if (req->has_name()) update.name = req->name();
    if (req->has_description()) update.description = req->description();
    if (req->has_auto_prune()) update.auto_prune = req->auto_prune();
    if (!req->content().empty()) update.content = secret::SecretContent(req->content().begin(), req->content().end());
    return b_.secrets->UpdateUserSecret(req->model(), req->identifier(), update);
  });
}

grpc::ServerUnaryReactor* SecretsService::RemoveUserSecret(grpc::CallbackServerContext* ctx,
                                                           const v1::RemoveUserSecretRequest* req,
                                                           v1::RemoveSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    return b_.secrets->RemoveUserSecret(req->model(), req->identifier(),
                                        OptionalRevision(req->has_revision(), req->revision()));
  });
}

grpc::ServerUnaryReactor* SecretsService::GrantUserSecret(grpc::CallbackServerContext* ctx,
                                                          const v1::GrantUserSecretRequest* req,
                                                          v1::GrantSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    return b_.secrets->GrantUserSecret(req->model(), req->identifier(),
                                       {req->applications().begin(), req->applications().end()});
  });
}

grpc::ServerUnaryReactor* SecretsService::RevokeUserSecret(grpc::CallbackServerContext* ctx,
                                                           const v1::GrantUserSecretRequest* req,
                                                           v1::GrantSecretResponse*) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    return b_.secrets->RevokeUserSecret(req->model(), req->identifier(),
                                        {req->applications().begin(), req->applications().end()});
  });
}

grpc::ServerUnaryReactor* SecretsService::ListSecrets(grpc::CallbackServerContext* ctx,
                                                      const v1::ListSecretsRequest* req,
                                                      v1::ListSecretsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    ASSIGN_OR_RETURN(std::vector<secret::SecretMetadata> list, b_.secrets->List(req->model(), req->owner()));
    for (const secret::SecretMetadata& m : list) ToProto(m, resp->add_secrets());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* SecretsService::ShowSecret(grpc::CallbackServerContext* ctx,
                                                     const v1::ShowSecretRequest* req, v1::ShowSecretResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, Kind::kAdmin).status());
    ASSIGN_OR_RETURN(secret::SecretService::Shown shown,
                     b_.secrets->Show(req->model(), req->identifier(), req->reveal(),
                                      OptionalRevision(req->has_revision(), req->revision())));
    ToProto(shown.metadata, resp->mutable_info());
    if (shown.content) {
      resp->set_revealed(true);
      resp->set_content_revision(shown.content->revision);
      resp->mutable_content()->insert(shown.content->content.begin(), shown.content->content.end());
    }
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
