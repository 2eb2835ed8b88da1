#pragma once

// The Grafana dashboards the built-in charms ship over `grafana-dashboard` (kubeflow-catalog
// §4.5). The upstream charms ship dashboards for their workloads, which do not run on the local
// substrate; ours show what does run: the unit agent's own metrics (hooks, errors, durations),
// scraped by prometheus-k8s as `skein_unit_agent_<app>` with juju_application/juju_unit labels.

#include <string>
#include <vector>

#include "relations/interfaces/grafana_dashboard.h"

namespace skein::charms {

// The charm's dashboards, with the ids the upstream charm's files would have where the catalog
// names them (mlflow-server's `mlflow-server.json.tmpl`, kubeflow-dashboard's
// `generic.json.tmpl`), else `<charm>.json.tmpl`.
std::vector<relations::interfaces::grafana_dashboard::Dashboard> DashboardsFor(const std::string& charm_name);

}  // namespace skein::charms
