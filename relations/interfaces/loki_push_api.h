#pragma once

// `loki_push_api` (charms.loki_k8s.v1.loki_push_api; kubeflow-catalog §4.6): each provider unit
// (loki-k8s `logging`, grafana-agent `logging-provider`) writes its push endpoint in its unit bag;
// a requirer using LogForwarder writes its Juju topology and Loki alert rules in its app bag
// and forwards its workload logs to every provider unit's endpoint.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::loki_push_api {

inline constexpr int kLokiPort = 3100;

// A provider unit's bag: `endpoint` = {"url": "http://<address>:3100/loki/api/v1/push"} as
// JSON, and `public_address`.
std::map<std::string, std::string> ProviderUnitBag(const std::string& address);

// The requirer leader's app bag: `metadata` = the topology (model, model_uuid, application,
// unit, charm_name) and `alert_rules` (keys sorted, as the library dumps them).
std::map<std::string, std::string> RequirerAppBag(const nlohmann::ordered_json& topology,
                                                  const nlohmann::ordered_json& alert_rules);

// The push URLs of the provider units, in unit order; units that sent none yet are skipped.
// InvalidArgument when an `endpoint` is not JSON with a string `url`.
absl::StatusOr<std::vector<std::string>> PushUrls(
    const std::map<std::string, std::map<std::string, std::string>>& provider_unit_bags);

}  // namespace skein::relations::interfaces::loki_push_api
