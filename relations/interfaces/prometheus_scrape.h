#pragma once

// `prometheus_scrape` (charms.prometheus_k8s.v0.prometheus_scrape; kubeflow-catalog §4.4): the
// scraped charm's leader writes `scrape_metadata` (its Juju topology), `scrape_jobs` (jobs
// reduced to the allowed keys; `*` in a target means each unit's address) and `alert_rules` in
// its app bag; every unit writes its address and name in its unit bag. The consumer
// (prometheus-k8s, grafana-agent-k8s) turns them into scrape configs.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::relations::interfaces::prometheus_scrape {

struct Topology {
  std::string model;
  std::string model_uuid;
  std::string application;
  std::string unit;
  std::string charm_name;
};

// The job every charm gets when it declares none.
nlohmann::ordered_json DefaultJobs();

// The provider leader's app bag. Keys outside the allowed ones are dropped from each job.
std::map<std::string, std::string> ProviderAppBag(const Topology& topology, const nlohmann::ordered_json& jobs,
                                                  const nlohmann::ordered_json& alert_rules);
// A provider unit's unit bag.
std::map<std::string, std::string> ProviderUnitBag(const std::string& address, const std::string& unit_name,
                                                   const std::string& path = "");

struct Target {
  std::string unit;     // `mlflow-server/0`, empty for fixed hosts
  std::string address;  // `10.1.2.3:5000`
};

struct ScrapeConfig {
  std::string job_name;  // `juju_<model>_<uuid8>_<app>_prometheus_scrape_<job>` as upstream names it
  nlohmann::ordered_json job;  // the provider's job with static_configs expanded
  std::vector<Target> targets;
};

// The consumer's reading of one related application: its app bag and its units' bags (by unit
// name). InvalidArgument when scrape_jobs or scrape_metadata is not valid JSON.
absl::StatusOr<std::vector<ScrapeConfig>> ConsumerScrapeConfigs(
    const std::map<std::string, std::string>& app_bag,
    const std::map<std::string, std::map<std::string, std::string>>& unit_bags);

}  // namespace skein::relations::interfaces::prometheus_scrape
