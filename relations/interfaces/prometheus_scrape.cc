#include "relations/interfaces/prometheus_scrape.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "relations/interfaces/python_dump.h"

namespace skein::relations::interfaces::prometheus_scrape {
namespace {

using nlohmann::ordered_json;

// The job keys the library keeps (LIBPATCH 36; `authorization` and `params` came later).
const std::set<std::string>& AllowedKeys() {
  static const auto* keys = new std::set<std::string>{
      "job_name",         "metrics_path",      "static_configs",           "scrape_interval",
      "scrape_timeout",   "proxy_url",         "relabel_configs",          "metric_relabel_configs",
      "sample_limit",     "label_limit",       "label_name_length_limit",  "label_value_length_limit",
      "scheme",           "basic_auth",        "tls_config",               "authorization",
      "params"};
  return *keys;
}

}  // namespace

ordered_json DefaultJobs() {
  return ordered_json::parse(R"([{"metrics_path": "/metrics", "static_configs": [{"targets": ["*:80"]}]}])");
}

std::map<std::string, std::string> ProviderAppBag(const Topology& t, const ordered_json& jobs,
                                                  const ordered_json& alert_rules) {
  ordered_json metadata = ordered_json::object();
  metadata["model"] = t.model;
  metadata["model_uuid"] = t.model_uuid;
  metadata["application"] = t.application;
  metadata["unit"] = t.unit;
  metadata["charm_name"] = t.charm_name;
  ordered_json kept = ordered_json::array();
  for (const auto& job : jobs) {
    ordered_json j = ordered_json::object();
    for (const auto& [k, v] : job.items()) {
      if (AllowedKeys().count(k)) j[k] = v;
    }
    kept.push_back(j);
  }
  return {{"scrape_metadata", PythonJsonDumps(metadata)},
          {"scrape_jobs", PythonJsonDumps(kept)},
          {"alert_rules", PythonJsonDumps(alert_rules.is_null() ? ordered_json::object() : alert_rules)}};
}

std::map<std::string, std::string> ProviderUnitBag(const std::string& address, const std::string& unit_name,
                                                   const std::string& path) {
  return {{"prometheus_scrape_unit_address", address},
          {"prometheus_scrape_unit_name", unit_name},
          {"prometheus_scrape_unit_path", path}};
}

absl::StatusOr<std::vector<ScrapeConfig>> ConsumerScrapeConfigs(
    const std::map<std::string, std::string>& app_bag,
    const std::map<std::string, std::map<std::string, std::string>>& unit_bags) {
  auto jobs_it = app_bag.find("scrape_jobs");
  auto meta_it = app_bag.find("scrape_metadata");
  if (jobs_it == app_bag.end() || meta_it == app_bag.end()) return std::vector<ScrapeConfig>{};
  ordered_json jobs = ordered_json::parse(jobs_it->second, nullptr, false);
  ordered_json meta = ordered_json::parse(meta_it->second, nullptr, false);
  if (jobs.is_discarded() || !jobs.is_array()) return absl::InvalidArgumentError("scrape_jobs is not a JSON list");
  if (meta.is_discarded() || !meta.is_object()) return absl::InvalidArgumentError("scrape_metadata is not a JSON object");
  const std::string prefix =
      absl::StrCat("juju_", meta.value("model", ""), "_", meta.value("model_uuid", "").substr(0, 7), "_",
                   meta.value("application", ""), "_prometheus_scrape");
  std::vector<ScrapeConfig> out;
  for (size_t i = 0; i < jobs.size(); ++i) {
    ScrapeConfig c;
    c.job = jobs[i];
    c.job_name = c.job.contains("job_name") ? absl::StrCat(prefix, "_", c.job["job_name"].get<std::string>())
                                            : absl::StrCat(prefix, i == 0 ? "" : absl::StrCat("_", i));
    ordered_json statics = ordered_json::array();
    if (c.job.contains("static_configs")) {
      for (const auto& sc : c.job["static_configs"]) {
        for (const auto& target : sc.value("targets", ordered_json::array())) {
          const std::string t = target.get<std::string>();
          if (t.rfind("*", 0) != 0) {
            c.targets.push_back({"", t});
            continue;
          }
          // `*:port`: one target per unit, at the unit's address.
          for (const auto& [unit, bag] : unit_bags) {
            auto addr = bag.find("prometheus_scrape_unit_address");
            if (addr == bag.end() || addr->second.empty()) continue;
            c.targets.push_back({unit, absl::StrCat(addr->second, t.substr(1))});
          }
        }
      }
    }
    ordered_json targets = ordered_json::array();
    for (const auto& t : c.targets) targets.push_back(t.address);
    statics.push_back({{"targets", targets}, {"labels", {{"juju_model", meta.value("model", "")},
                                                         {"juju_model_uuid", meta.value("model_uuid", "")},
                                                         {"juju_application", meta.value("application", "")},
                                                         {"juju_charm", meta.value("charm_name", "")}}}});
    c.job["static_configs"] = statics;
    c.job["job_name"] = c.job_name;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace skein::relations::interfaces::prometheus_scrape
