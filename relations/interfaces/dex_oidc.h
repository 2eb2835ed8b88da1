#pragma once

// Dex's two interfaces in the Kubeflow bundles:
// - `oidc-client` (SDI v1): oidc-gatekeeper (the provider) registers itself as a static client
//   of dex-auth, which lists versions only and adds the client to its configuration;
// - `dex-oidc-config` (1.9): dex-auth's leader writes its `issuer-url` in its app bag for
//   oidc-gatekeeper to validate tokens against.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::relations::interfaces::oidc_client {

const std::vector<std::string>& Versions();  // v1 on both sides

struct Client {
  std::string id;
  std::string name;
  std::vector<std::string> redirect_uris;
  std::string secret;
};

// oidc-gatekeeper's registration with its upstream defaults (client-id `authservice-oidc`,
// client-name `Ambassador Auth OIDC`, redirect `/authservice/oidc/callback`).
Client OidcGatekeeper(const std::string& secret);

std::map<std::string, std::string> ProviderAppBag(const Client& client);
std::map<std::string, std::string> RequirerAppBag();
// NotFound while nothing was sent; InvalidArgument when id, redirectURIs or secret is missing.
absl::StatusOr<Client> ReadClient(const std::map<std::string, std::string>& provider_bag);

}  // namespace skein::relations::interfaces::oidc_client

namespace skein::relations::interfaces::dex_oidc_config {

// `http://<app>.<model>.svc:5556/dex`: dex-auth's issuer inside the cluster.
std::string IssuerUrl(const std::string& app, const std::string& model);
std::map<std::string, std::string> ProviderAppBag(const std::string& issuer_url);
// NotFound while `issuer-url` is missing.
absl::StatusOr<std::string> ReadIssuerUrl(const std::map<std::string, std::string>& provider_bag);

}  // namespace skein::relations::interfaces::dex_oidc_config
