#include "agents/charms/prometheus_config.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "relations/interfaces/prometheus_scrape.h"
#include "yaml-cpp/yaml.h"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace scrape = relations::interfaces::prometheus_scrape;

void Emit(YAML::Emitter& out, const json& value) {
  if (value.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : value.items()) {
      out << YAML::Key << k << YAML::Value;
      Emit(out, v);
    }
    out << YAML::EndMap;
  } else if (value.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& v : value) Emit(out, v);
    out << YAML::EndSeq;
  } else if (value.is_string()) {
    out << YAML::DoubleQuoted << value.get<std::string>();
  } else if (value.is_null()) {
    out << YAML::Null;
  } else {
    out << value.dump();
  }
}

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
  YAML::Emitter out;
  Emit(out, config);
  return std::string(out.c_str()) + "\n";
}

}  // namespace skein::charms
