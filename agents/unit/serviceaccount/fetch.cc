#include "agents/unit/serviceaccount/fetch.h"

#include <chrono>

namespace skein::agent::serviceaccount {

absl::StatusOr<std::optional<Credentials>> FetchCredentials(AgentClient& client) {
  absl::StatusOr<v1::ServiceAccountToken> got = client.GetServiceAccountToken();
  if (!got.ok()) {
    if (absl::IsFailedPrecondition(got.status()) || absl::IsUnimplemented(got.status())) return std::nullopt;
    return got.status();
  }
  Credentials c;
  c.server = got->server();
  c.ca_pem = got->ca_pem();
  c.ns = got->namespace_();
  c.token = got->token();
  c.expiry = Clock::WallTime(std::chrono::milliseconds(got->expiry_unix_ms()));
  return c;
}

}  // namespace skein::agent::serviceaccount
