#pragma once

// Authentication at the API edge: reads the identity a call claims (lib/rpc/auth.h) and lets
// the auth service verify it; then checks that the kind of caller may use the method.

#include "absl/status/statusor.h"
#include "controller/domain/auth/auth_service.h"
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

}  // namespace skein::controller::api
