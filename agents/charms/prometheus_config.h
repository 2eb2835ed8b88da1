#pragma once

// prometheus.yml as prometheus-k8s renders it from its `metrics-endpoint` relations
// (kubeflow-catalog §4.4): one scrape job per job each related application publishes, `*`
// targets expanded to every unit's address, plus (on the local substrate) one job per
// application for its unit agents, whose addresses the units publish in their unit bags.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::charms {

struct ScrapedApplication {
  std::string name;
  std::map<std::string, std::string> app_bag;
  std::map<std::string, std::map<std::string, std::string>> unit_bags;  // by unit name
};

// The unit-bag key of `metrics-endpoint` relations through which a unit publishes its unit
// agent's metrics address on the local substrate (issue 6). Upstream consumers ignore keys they
// do not know; skein's prometheus-k8s turns it into one scrape job per application.
inline constexpr char kAgentMetricsKey[] = "skein_agent_metrics_address";

// The whole prometheus.yml. `self_target` (`host:port`) is Prometheus's own job. Applications
// whose data is malformed are skipped and named in `errors`.
std::string RenderPrometheusConfig(const std::string& self_target, const std::string& scrape_interval,
                                   const std::vector<ScrapedApplication>& apps, std::vector<std::string>* errors);

}  // namespace skein::charms
