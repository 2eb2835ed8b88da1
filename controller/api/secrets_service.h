#pragma once

// The Secrets gRPC service (proto/skein/v1/secrets.proto): unit agents' hook tools and the
// CLI's user secrets. Authenticates, converts and calls domain/secret.

#include "controller/api/backend.h"
#include "skein/v1/secrets.grpc.pb.h"

namespace skein::controller::api {

class SecretsService final : public v1::Secrets::CallbackService {
 public:
  explicit SecretsService(Backend backend) : b_(backend) {}

  grpc::ServerUnaryReactor* AddSecret(grpc::CallbackServerContext* ctx, const v1::AddSecretRequest* req,
                                      v1::AddSecretResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateSecret(grpc::CallbackServerContext* ctx, const v1::UpdateSecretRequest* req,
                                         v1::UpdateSecretResponse* resp) override;
  grpc::ServerUnaryReactor* GetSecretContent(grpc::CallbackServerContext* ctx, const v1::GetSecretContentRequest* req,
                                             v1::GetSecretContentResponse* resp) override;
  grpc::ServerUnaryReactor* GetSecretInfo(grpc::CallbackServerContext* ctx, const v1::GetSecretInfoRequest* req,
                                          v1::SecretInfo* resp) override;
  grpc::ServerUnaryReactor* GrantSecret(grpc::CallbackServerContext* ctx, const v1::GrantSecretRequest* req,
                                        v1::GrantSecretResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeSecret(grpc::CallbackServerContext* ctx, const v1::GrantSecretRequest* req,
                                         v1::GrantSecretResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveSecret(grpc::CallbackServerContext* ctx, const v1::RemoveSecretRequest* req,
                                         v1::RemoveSecretResponse* resp) override;
  grpc::ServerUnaryReactor* ListOwnedSecrets(grpc::CallbackServerContext* ctx, const v1::ListOwnedSecretsRequest* req,
                                             v1::ListOwnedSecretsResponse* resp) override;

  grpc::ServerUnaryReactor* AddUserSecret(grpc::CallbackServerContext* ctx, const v1::AddUserSecretRequest* req,
                                          v1::AddSecretResponse* resp) override;
  grpc::ServerUnaryReactor* UpdateUserSecret(grpc::CallbackServerContext* ctx,
                                             const v1::UpdateUserSecretRequest* req,
                                             v1::UpdateSecretResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveUserSecret(grpc::CallbackServerContext* ctx,
                                             const v1::RemoveUserSecretRequest* req,
                                             v1::RemoveSecretResponse* resp) override;
  grpc::ServerUnaryReactor* GrantUserSecret(grpc::CallbackServerContext* ctx, const v1::GrantUserSecretRequest* req,
                                            v1::GrantSecretResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeUserSecret(grpc::CallbackServerContext* ctx, const v1::GrantUserSecretRequest* req,
                                             v1::GrantSecretResponse* resp) override;
  grpc::ServerUnaryReactor* ListSecrets(grpc::CallbackServerContext* ctx, const v1::ListSecretsRequest* req,
                                        v1::ListSecretsResponse* resp) override;
  grpc::ServerUnaryReactor* ShowSecret(grpc::CallbackServerContext* ctx, const v1::ShowSecretRequest* req,
                                       v1::ShowSecretResponse* resp) override;

 private:
  Backend b_;
};

}  // namespace skein::controller::api
