#pragma once

// `istio-gateway-info` (charms.istio_pilot.v0.istio_gateway_info; kubeflow-catalog §4.7), which
// knative-serving's `local-gateway` (`serving-local-gateway`) speaks too: the provider's app bag
// holds `gateway_name`, `gateway_namespace` and `gateway_up`; no SDI. kserve-controller reads
// istio-pilot's gateway on `ingress-gateway` and knative's local gateway on `local-gateway`.

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace skein::relations::interfaces::gateway_info {

struct Gateway {
  std::string name;
  std::string namespace_;
  bool up = true;
};

// The provider leader's app bag; `gateway_up` is "true" or "false".
std::map<std::string, std::string> ProviderAppBag(const Gateway& gateway);

// NotFound while `gateway_name` or `gateway_namespace` is missing (the upstream
// GatewayRelationDataMissingError; the requirer waits).
absl::StatusOr<Gateway> Read(const std::map<std::string, std::string>& provider_bag);

// The local gateway knative-serving creates (its name is fixed in its KnativeServing template).
inline constexpr char kKnativeLocalGateway[] = "knative-local-gateway";

}  // namespace skein::relations::interfaces::gateway_info
