#include "agents/charms/dashboards.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace skein::charms {
namespace {

using json = nlohmann::ordered_json;
namespace gd = relations::interfaces::grafana_dashboard;

json Panel(int id, const std::string& title, const std::string& expr, const std::string& unit, int x, int y) {
  return json{{"id", id},
              {"type", "timeseries"},
              {"title", title},
              {"datasource", "${prometheusds}"},
              {"gridPos", {{"h", 8}, {"w", 12}, {"x", x}, {"y", y}}},
              {"fieldConfig", {{"defaults", {{"unit", unit}}}, {"overrides", json::array()}}},
              {"targets", json::array({json{{"expr", expr}, {"legendFormat", "{{juju_unit}}"}, {"refId", "A"}}})}};
}

std::string AgentDashboard(const std::string& charm_name) {
  // `$juju_application` is one of the topology dropdowns Grafana's consumer injects.
  const std::string selector = R"({juju_application=~"$juju_application"})";
  json dashboard = {
      {"title", absl::StrCat(charm_name, " — unit agents")},
      {"description", absl::StrCat("Hooks and actions run by the skein unit agents of ", charm_name, ".")},
      {"tags", json::array({"skein", charm_name})},
      {"editable", true},
      {"schemaVersion", 39},
      {"time", {{"from", "now-1h"}, {"to", "now"}}},
      {"templating", {{"list", json::array()}}},
      {"panels",
       json::array({Panel(1, "Hooks per second", absl::StrCat("rate(skein_unit_agent_hooks_total", selector, "[5m])"),
                          "ops", 0, 0),
                    Panel(2, "Hook errors", absl::StrCat("increase(skein_unit_agent_hook_errors_total", selector, "[1h])"),
                          "short", 12, 0),
                    Panel(3, "Hook duration, 95th percentile",
                          absl::StrCat("histogram_quantile(0.95, sum by (le, juju_unit) "
                                       "(rate(skein_unit_agent_hook_duration_seconds_bucket",
                                       selector, "[5m])))"),
                          "s", 0, 8),
                    Panel(4, "Actions per second", absl::StrCat("rate(skein_unit_agent_actions_total", selector, "[5m])"),
                          "ops", 12, 8)})}};
  return dashboard.dump(2);
}

}  // namespace

std::vector<gd::Dashboard> DashboardsFor(const std::string& charm_name) {
  static const std::map<std::string, std::string> kUpstreamFiles = {
      {"mlflow-server", "mlflow-server.json.tmpl"}, {"kubeflow-dashboard", "generic.json.tmpl"}};
  auto it = kUpstreamFiles.find(charm_name);
  const std::string file = it != kUpstreamFiles.end() ? it->second : charm_name + ".json.tmpl";
  return {gd::Dashboard{gd::DashboardIdForFile(file), AgentDashboard(charm_name)}};
}

}  // namespace skein::charms
