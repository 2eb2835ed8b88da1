#include "controller/api/service_account_token.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace skein::controller::api {

absl::StatusOr<std::optional<ServiceAccountToken>> MintServiceAccountToken(domain::cloud::CloudService& clouds,
                                                                            const std::string& model,
                                                                            const std::string& application,
                                                                            std::chrono::seconds lifetime) {
  auto cluster = clouds.ClusterForModel(model);
  if (!cluster.ok()) return cluster.status();
  if (!cluster->has_value()) return std::nullopt;
  const domain::cloud::ModelCluster& c = **cluster;
  if (c.client == nullptr) return absl::UnavailableError(absl::StrCat("no client for the cluster of model \"", model, "\""));
  const kube::Json request = {
      {"apiVersion", "authentication.k8s.io/v1"},
      {"kind", "TokenRequest"},
      {"spec", {{"expirationSeconds", lifetime.count()}}},
  };
  auto answer = c.client->CreateSubresource(kube::ObjectRef{"v1", "ServiceAccount", c.ns, application}, "token", request);
  if (!answer.ok()) return answer.status();
  const kube::Json status = answer->value("status", kube::Json::object());
  const std::string token = status.is_object() ? status.value("token", "") : "";
  const std::string expiry = status.is_object() ? status.value("expirationTimestamp", "") : "";
  absl::Time expires;
  std::string error;
  if (token.empty() || !absl::ParseTime(absl::RFC3339_full, expiry, &expires, &error)) {
    return absl::InternalError(absl::StrCat("the TokenRequest for ServiceAccount \"", c.ns, "/", application,
                                            "\" came back without a token or an expiry"));
  }
  ServiceAccountToken out;
  out.server = c.config.server;
  out.ca_pem = c.config.ca_pem;
  out.ns = c.ns;
  out.token = token;
  out.expiry_unix_ms = absl::ToUnixMillis(expires);
  return out;
}

}  // namespace skein::controller::api
