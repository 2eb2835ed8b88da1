#include "agents/charms/prometheus_config.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "relations/interfaces/prometheus_scrape.h"
#include "lib/format/output.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace scrape = relations::interfaces::prometheus_scrape;

}  // namespace

std::string RenderPrometheusConfig(const std::string& self_target, const std::string& scrape_interval,
                                   const std::vector<ScrapedApplication>& apps, std::vector<std::string>* errors) {
  json jobs = json::array();
  jobs.push_back({{"job_name", "prometheus"},
                  {"static_configs", json::array({json{{"targets", json::array({self_target})}}})}});
  for (const auto& app : apps) {
    auto configs = scrape::ConsumerScrapeConfigs(app.app_bag, app.unit_bags);
    if (!configs.ok()) {
      if (errors != nullptr) errors->push_back(absl::StrCat(app.name, ": ", configs.status().message()));
      continue;
    }
    for (const auto& c : *configs) jobs.push_back(c.job);
    // The unit agents of the application: one target per unit that serves metrics.
    json statics = json::array();
    for (const auto& [unit, bag] : app.unit_bags) {
      auto it = bag.find(kAgentMetricsKey);
      if (it == bag.end() || it->second.empty()) continue;
      statics.push_back({{"targets", json::array({it->second})},
                         {"labels", {{"juju_application", app.name}, {"juju_unit", unit}}}});
    }
    if (!statics.empty()) {
      jobs.push_back({{"job_name", absl::StrCat("skein_unit_agent_", app.name)},
                      {"metrics_path", "/metrics"},
                      {"static_configs", statics}});
    }
  }
  json config = {{"global", {{"scrape_interval", scrape_interval}, {"evaluation_interval", "1m"}}},
                 {"scrape_configs", jobs}};
  return format::OrderedToYaml(config);
}

}  // namespace skein::charms
