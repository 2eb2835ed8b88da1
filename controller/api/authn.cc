#include "controller/api/authn.h"

#include "lib/rpc/auth.h"
#include "lib/rpc/status_convert.h"

namespace skein::controller::api {

absl::StatusOr<domain::auth::Principal> Authenticator::Authenticate(const grpc::ServerContextBase& ctx) {
  return Verify(rpc::ClaimedIdentity(ctx));
}

absl::StatusOr<domain::auth::Principal> Authenticator::Require(const grpc::ServerContextBase& ctx,
                                                               domain::auth::Kind kind) {
  return Require(rpc::ClaimedIdentity(ctx), kind);
}

absl::StatusOr<domain::auth::Principal> Authenticator::Verify(const std::optional<rpc::Identity>& claimed) {
  if (!claimed) return absl::UnauthenticatedError(domain::auth::kBadCredentials);
  return auth_->Authenticate(claimed->entity, claimed->credential);
}

absl::StatusOr<domain::auth::Principal> Authenticator::Require(const std::optional<rpc::Identity>& claimed,
                                                               domain::auth::Kind kind) {
  auto who = Verify(claimed);
  if (!who.ok()) return who.status();
  if (who->kind != kind) return absl::PermissionDeniedError("permission denied");
  return who;
}

grpc::Status CredentialGate::Process(const InputMetadata& auth_metadata, grpc::AuthContext*, OutputMetadata*,
                                     OutputMetadata*) {
  return rpc::ToGrpc(authn_->Verify(rpc::ClaimedIdentity(auth_metadata)).status());
}

}  // namespace skein::controller::api
