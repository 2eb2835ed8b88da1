#include "relations/interfaces/loki_push_api.h"

#include "absl/strings/str_cat.h"
#include "relations/interfaces/python_dump.h"

namespace skein::relations::interfaces::loki_push_api {
namespace {

// json.dumps(..., sort_keys=True): nlohmann's sorted json type orders keys the same way for
// the ASCII keys these documents use.
nlohmann::ordered_json SortKeys(const nlohmann::ordered_json& value) {
  return nlohmann::ordered_json::parse(nlohmann::json(value).dump());
}

}  // namespace

std::map<std::string, std::string> ProviderUnitBag(const std::string& address) {
  return {{"endpoint", PythonJsonDumps({{"url", absl::StrCat("http://", address, ":", kLokiPort, "/loki/api/v1/push")}})},
          {"public_address", address}};
}

std::map<std::string, std::string> RequirerAppBag(const nlohmann::ordered_json& topology,
                                                  const nlohmann::ordered_json& alert_rules) {
  return {{"metadata", PythonJsonDumps(topology)}, {"alert_rules", PythonJsonDumps(SortKeys(alert_rules))}};
}

absl::StatusOr<std::vector<std::string>> PushUrls(
    const std::map<std::string, std::map<std::string, std::string>>& provider_unit_bags) {
  std::vector<std::string> urls;
  for (const auto& [unit, bag] : provider_unit_bags) {
    auto it = bag.find("endpoint");
    if (it == bag.end() || it->second.empty()) continue;
    auto endpoint = nlohmann::ordered_json::parse(it->second, nullptr, false);
    if (!endpoint.is_object() || !endpoint.contains("url") || !endpoint["url"].is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(unit, "'s endpoint is not JSON with a \"url\""));
    }
    urls.push_back(endpoint["url"].get<std::string>());
  }
  return urls;
}

}  // namespace skein::relations::interfaces::loki_push_api
