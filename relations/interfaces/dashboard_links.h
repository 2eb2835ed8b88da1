#pragma once

// `kubeflow_dashboard_links` (charms.kubeflow_dashboard.v0.kubeflow_dashboard_links;
// kubeflow-catalog §4.8): each app's leader sends its sidebar links as a JSON list in its app
// bag; kubeflow-dashboard (the provider) merges them with its `additional-*-links` config,
// orders them by its `*-link-order` config and renders them into its links ConfigMap.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::dashboard_links {

inline constexpr char kKey[] = "dashboard_links";

struct Link {
  std::string text;
  std::string link;
  std::string location;  // menu, external, quick or documentation
  std::string icon = "icons:link";
  std::string type = "item";
  std::string desc;
};

nlohmann::ordered_json ToJson(const Link& link);

// The requirer leader's app bag: `dashboard_links` = json.dumps of the list.
std::map<std::string, std::string> RequirerAppBag(const std::vector<Link>& links);

// A requirer's links as the dashboard reads them (missing keys take the library's defaults).
// An absent key is no links; InvalidArgument when the value is not a JSON list of objects.
absl::StatusOr<std::vector<Link>> ReadLinks(const std::map<std::string, std::string>& requirer_bag);

// The dashboard's ordering: the entries named in `order` first, in that order, then the rest
// as they came.
std::vector<nlohmann::ordered_json> Ordered(std::vector<nlohmann::ordered_json> links,
                                            const std::vector<std::string>& order);

// The menu-link-order default of kubeflow-dashboard 1.9.
const std::vector<std::string>& DefaultMenuOrder();

}  // namespace skein::relations::interfaces::dashboard_links
