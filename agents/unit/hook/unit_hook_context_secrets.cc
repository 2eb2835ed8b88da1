// UnitHookContext: the secret-* tools, each an immediate call to the controller's Secrets
// service (proto/skein/v1/secrets.proto). Juju applies a hook's secret changes with its commit;
// skein applies them at once, so a hook that fails after secret-add leaves the secret behind.

#include "agents/unit/hook/unit_hook_context.h"
#include "lib/rpc/retry.h"
#include "lib/rpc/status_convert.h"

namespace skein::agent {
namespace {

template <typename Req, typename Resp>
absl::StatusOr<Resp> CallSecrets(AgentClient& client,
                                 grpc::Status (v1::Secrets::Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                                 const Req& request) {
  grpc::ClientContext ctx;
  client.Prepare(&ctx, rpc::kDefaultDeadline);
  Resp response;
  grpc::Status status = (client.secrets().*method)(&ctx, request, &response);
  if (!status.ok()) return rpc::FromGrpc(status);
  return response;
}

v1::SecretFields ToProto(const SecretFields& f) {
  v1::SecretFields out;
  if (f.label) out.set_label(*f.label);
  if (f.description) out.set_description(*f.description);
  if (f.expire) out.set_expire(*f.expire);
  if (f.rotate) out.set_rotate(*f.rotate);
  out.mutable_content()->insert(f.content.begin(), f.content.end());
  return out;
}

}  // namespace

absl::StatusOr<std::string> UnitHookContext::SecretAdd(const std::string& owner, const SecretFields& fields) {
  v1::AddSecretRequest req;
  req.set_owner(owner);
  *req.mutable_fields() = ToProto(fields);
  // Not retried: an answer lost on the way back would add the secret twice.
  auto added = CallSecrets(*p_.client, &v1::Secrets::Stub::AddSecret, req);
  if (!added.ok()) return added.status();
  return "secret:" + added->id();
}

absl::Status UnitHookContext::SecretSet(const std::string& uri, const SecretFields& fields) {
  v1::UpdateSecretRequest req;
  req.set_uri(uri);
  *req.mutable_fields() = ToProto(fields);
  return CallController([&] { return CallSecrets(*p_.client, &v1::Secrets::Stub::UpdateSecret, req).status(); });
}

absl::StatusOr<std::map<std::string, std::string>> UnitHookContext::SecretGet(const std::string& uri,
                                                                              const std::string& label, bool peek,
                                                                              bool refresh) {
  v1::GetSecretContentRequest req;
  req.set_uri(uri);
  req.set_label(label);
  req.set_peek(peek);
  req.set_refresh(refresh);
  auto got = CallController<v1::GetSecretContentResponse>(
      [&] { return CallSecrets(*p_.client, &v1::Secrets::Stub::GetSecretContent, req); });
  if (!got.ok()) return got.status();
  return std::map<std::string, std::string>(got->content().begin(), got->content().end());
}

absl::StatusOr<SecretInfo> UnitHookContext::SecretInfoGet(const std::string& uri, const std::string& label) {
  v1::GetSecretInfoRequest req;
  req.set_uri(uri);
  req.set_label(label);
  auto got = CallController<v1::SecretInfo>([&] { return CallSecrets(*p_.client, &v1::Secrets::Stub::GetSecretInfo, req); });
  if (!got.ok()) return got.status();
  SecretInfo info;
  info.id = got->id();
  info.owner = got->owner_kind();
  info.label = got->label();
  info.description = got->description();
  info.rotation = got->rotate();
  info.rotates = got->next_rotate();
  info.expiry = got->expire();
  info.revision = got->latest_revision();
  return info;
}

absl::Status UnitHookContext::SecretGrant(const std::string& uri, int64_t relation_id, const std::string& unit) {
  v1::GrantSecretRequest req;
  req.set_uri(uri);
  req.set_relation_id(relation_id);
  req.set_unit(unit);
  return CallController([&] { return CallSecrets(*p_.client, &v1::Secrets::Stub::GrantSecret, req).status(); });
}

absl::Status UnitHookContext::SecretRevoke(const std::string& uri, int64_t relation_id, const std::string& unit) {
  v1::GrantSecretRequest req;
  req.set_uri(uri);
  req.set_relation_id(relation_id);
  req.set_unit(unit);
  return CallController([&] { return CallSecrets(*p_.client, &v1::Secrets::Stub::RevokeSecret, req).status(); });
}

absl::Status UnitHookContext::SecretRemove(const std::string& uri, std::optional<int64_t> revision) {
  v1::RemoveSecretRequest req;
  req.set_uri(uri);
  if (revision) req.set_revision(*revision);
  return CallController([&] { return CallSecrets(*p_.client, &v1::Secrets::Stub::RemoveSecret, req).status(); });
}

absl::StatusOr<std::vector<std::string>> UnitHookContext::SecretIds() {
  auto got = CallController<v1::ListOwnedSecretsResponse>([&] {
    return CallSecrets(*p_.client, &v1::Secrets::Stub::ListOwnedSecrets, v1::ListOwnedSecretsRequest());
  });
  if (!got.ok()) return got.status();
  return std::vector<std::string>(got->uris().begin(), got->uris().end());
}

}  // namespace skein::agent
