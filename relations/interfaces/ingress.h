#pragma once

// `ingress` (SDI, canonical/operator-schemas ingress.yaml; kubeflow-catalog §4.7) and
// `ingress-auth`: the app being exposed (the requirer) sends its route as SDI `data`; istio-pilot
// (the provider) lists versions only and turns each route into a VirtualService, and the
// ingress-auth requirer (oidc-gatekeeper) into the ext_authz EnvoyFilter.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::ingress {

// istio-pilot accepts v1 and v2; the Kubeflow charms list v1 (and still send `namespace`).
const std::vector<std::string>& ProviderVersions();
const std::vector<std::string>& RequirerVersions();

struct Route {
  std::string prefix;
  std::string rewrite;     // empty: not sent (the provider rewrites to the prefix)
  std::string service;
  std::string namespace_;  // empty: not sent (the provider's model)
  int port = 0;
};

// The requirer leader's app bag.
std::map<std::string, std::string> RequirerAppBag(const Route& route);
// The provider's app bag: versions only.
std::map<std::string, std::string> ProviderAppBag();

// A requirer's route as the provider reads it. NotFound while none was sent; InvalidArgument
// when service, port or prefix is missing or mistyped.
absl::StatusOr<Route> ReadRoute(const std::map<std::string, std::string>& requirer_bag);

// The rewrite the provider applies: the sent one, else the prefix.
std::string EffectiveRewrite(const Route& route);
// `<service>.<namespace or the provider's model>.svc.cluster.local`.
std::string DestinationHost(const Route& route, const std::string& provider_model);

}  // namespace skein::relations::interfaces::ingress

namespace skein::relations::interfaces::ingress_auth {

const std::vector<std::string>& Versions();  // v1 on both sides

struct AuthService {
  std::string service;
  int port = 0;
  std::vector<std::string> allowed_request_headers;
  std::vector<std::string> allowed_response_headers;
};

// oidc-gatekeeper's request: its service and the headers authservice passes on.
AuthService OidcGatekeeper(const std::string& app, int port);

std::map<std::string, std::string> RequirerAppBag(const AuthService& auth);
std::map<std::string, std::string> ProviderAppBag();

// NotFound while nothing was sent; InvalidArgument when service or port is missing.
absl::StatusOr<AuthService> ReadAuthService(const std::map<std::string, std::string>& requirer_bag);

}  // namespace skein::relations::interfaces::ingress_auth
