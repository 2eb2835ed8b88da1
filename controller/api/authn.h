#pragma once

// Authentication at the API edge: reads the identity a call claims (lib/rpc/auth.h) and lets
// the auth service verify it; then checks that the kind of caller may use the method.

#include "absl/status/statusor.h"
#include "controller/domain/auth/auth_service.h"
#include "grpcpp/security/auth_metadata_processor.h"
#include "grpcpp/server_context.h"
#include "lib/rpc/auth.h"

namespace skein::controller::api {

class Authenticator {
 public:
  explicit Authenticator(domain::auth::AuthService* auth) : auth_(auth) {}

  // Unauthenticated when the metadata is missing or wrong.
  absl::StatusOr<domain::auth::Principal> Authenticate(const grpc::ServerContextBase& ctx);
  // As Authenticate, plus PermissionDenied `permission denied` unless the caller is of `kind`.
  absl::StatusOr<domain::auth::Principal> Require(const grpc::ServerContextBase& ctx, domain::auth::Kind kind);

  // The same for an identity read earlier with rpc::ClaimedIdentity (streams read it on the
  // gRPC thread and verify it on the executor, where the call context may be gone).
  absl::StatusOr<domain::auth::Principal> Verify(const std::optional<rpc::Identity>& claimed);
  absl::StatusOr<domain::auth::Principal> Require(const std::optional<rpc::Identity>& claimed,
                                                  domain::auth::Kind kind);

 private:
  domain::auth::AuthService* auth_;
};

// Checks every call's credential when its headers arrive, before gRPC reads its message: the
// largest request is limits::kMaxRequestBytes (64 MiB), and a handler sees a call only once its
// whole message is in memory, so without this gate anyone who can reach the port could make the
// controller buffer that much per call. A refused call's stream is reset with UNAUTHENTICATED
// after at most one flow-control window (rpc::kStreamWindowBytes). Handlers still authenticate
// and authorise every call themselves; this gate only answers "is this a known caller".
class CredentialGate : public grpc::AuthMetadataProcessor {
 public:
  explicit CredentialGate(Authenticator* authn) : authn_(authn) {}

  // The check reads the database, so gRPC runs it on its own threads, not the transport's.
  bool IsBlocking() const override { return true; }
  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context, OutputMetadata* consumed,
                       OutputMetadata* response) override;

 private:
  Authenticator* authn_;
};

}  // namespace skein::controller::api
