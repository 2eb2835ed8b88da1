#include "tools/cli/output/status_json.h"

#include <algorithm>

#include "lib/base/names.h"
#include "lib/base/time.h"
#include "tools/cli/output/status_tabular.h"
#include "tools/cli/output/version.h"

namespace skein::cli::output {
namespace {

using nlohmann::json;

std::string AgentVersion(const skein::v1::ModelStatus& status) {
  return status.model().agent_version().empty() ? kJujuVersion : status.model().agent_version();
}

json ModelJson(const skein::v1::ModelStatus& status, const std::string& controller_name) {
  const auto& m = status.model();
  json out = json::object();
  out["name"] = m.name();
  out["type"] = m.type().empty() ? "iaas" : m.type();
  out["controller"] = m.controller().empty() ? controller_name : m.controller();
  out["cloud"] = m.cloud().empty() ? "local" : m.cloud();
  if (!m.region().empty()) out["region"] = m.region();
  out["version"] = AgentVersion(status);
  if (m.has_status() && !m.status().current().empty()) out["model-status"] = StatusInfoJson(m.status());
  return out;
}

json BaseJson(const std::string& name, const std::string& channel) {
  return {{"name", name}, {"channel", channel}};
}

json MachineJson(const skein::v1::MachineStatus& m, const std::string& version) {
  json out = json::object();
  out["juju-status"] = StatusInfoJson(m.agent_status(), version);
  if (!m.hostname().empty()) out["hostname"] = m.hostname();
  if (!m.address().empty()) out["dns-name"] = m.address();
  out["ip-addresses"] = json::array();
  if (!m.address().empty()) out["ip-addresses"].push_back(m.address());
  if (!m.instance_id().empty()) out["instance-id"] = m.instance_id();
  if (m.has_machine_status() && !m.machine_status().current().empty()) {
    out["machine-status"] = StatusInfoJson(m.machine_status());
  }
  if (!m.base_name().empty()) out["base"] = BaseJson(m.base_name(), m.base_channel());
  return out;
}

json UnitJson(const skein::v1::ApplicationStatus& app, const skein::v1::UnitStatus& u, const std::string& version,
              bool caas) {
  json out = json::object();
  out["workload-status"] = StatusInfoJson(u.workload_status(), "", u.life());
  out["juju-status"] = StatusInfoJson(u.agent_status(), version, u.life());
  if (u.leader()) out["leader"] = true;
  if (!u.machine().empty()) out["machine"] = u.machine();
  if (!u.public_address().empty()) out["public-address"] = u.public_address();
  if (caas && !u.address().empty()) out["address"] = u.address();
  if (u.open_ports_size() > 0) {
    out["open-ports"] = json::array();
    for (const auto& p : u.open_ports()) out["open-ports"].push_back(p);
  }
  // Juju's key for a unit still on its previous charm; skein adds the flag for a unit whose
  // upgrade-charm was skipped, with the line's message.
  if (UnitUpgrading(app, u)) out["upgrading-from"] = u.charm_url();
  if (u.upgrade_charm_skipped()) {
    out["upgrade-charm-skipped"] = true;
    out["upgrade-charm-message"] = UnitCharmNote(app, u);
  }
  return out;
}

json RelationsJson(const skein::v1::ApplicationStatus& app) {
  // Endpoint -> list of {related-application, interface, scope}, the Juju 3 object form.
  std::vector<const skein::v1::EndpointRelation*> rels;
  for (const auto& r : app.relations()) rels.push_back(&r);
  std::stable_sort(rels.begin(), rels.end(), [](const auto* a, const auto* b) {
    return NaturalLess(a->related_application(), b->related_application());
  });
  json out = json::object();
  for (const auto* r : rels) {
    json item = {{"related-application", r->related_application()},
                 {"interface", r->interface()},
                 {"scope", r->scope().empty() ? "global" : r->scope()}};
    out[r->endpoint()].push_back(std::move(item));
  }
  return out;
}

json ApplicationJson(const skein::v1::ApplicationStatus& app, const std::string& version, bool caas) {
  json out = json::object();
  out["charm"] = app.charm_url().empty() ? app.charm_name() : app.charm_url();
  out["charm-origin"] = app.charm_origin().empty() ? "local" : app.charm_origin();
  out["charm-name"] = app.charm_name();
  out["charm-rev"] = app.charm_rev();
  if (!app.charm_channel().empty()) out["charm-channel"] = app.charm_channel();
  out["exposed"] = app.exposed();
  if (!app.base_name().empty()) out["base"] = BaseJson(app.base_name(), app.base_channel());
  if (caas) out["scale"] = app.scale();
  if (app.life() != skein::v1::LIFE_ALIVE) out["life"] = LifeName(app.life());
  out["application-status"] = StatusInfoJson(app.status());
  if (app.relations_size() > 0) out["relations"] = RelationsJson(app);
  if (app.units_size() > 0) {
    json units = json::object();
    for (const auto& u : app.units()) units[u.name()] = UnitJson(app, u, version, caas);
    out["units"] = std::move(units);
  }
  if (!app.workload_version().empty()) out["version"] = app.workload_version();
  return out;
}

}  // namespace

std::string LifeName(skein::v1::Life life) {
  switch (life) {
    case skein::v1::LIFE_DYING: return "dying";
    case skein::v1::LIFE_DEAD: return "dead";
    default: return "alive";
  }
}

json StatusInfoJson(const skein::v1::StatusInfo& info, const std::string& version, skein::v1::Life life) {
  json out = json::object();
  out["current"] = info.current();
  if (!info.message().empty()) out["message"] = info.message();
  if (!info.since().empty()) out["since"] = JujuSince(info.since());
  if (!version.empty()) out["version"] = version;
  if (life != skein::v1::LIFE_ALIVE) out["life"] = LifeName(life);
  return out;
}

json StatusToJson(const skein::v1::ModelStatus& status, const std::string& controller_name) {
  const std::string version = AgentVersion(status);
  const bool caas = status.model().type() == "caas";
  json out = json::object();
  out["model"] = ModelJson(status, controller_name);
  json machines = json::object();
  for (const auto& m : status.machines()) machines[m.id()] = MachineJson(m, version);
  out["machines"] = std::move(machines);
  json apps = json::object();
  for (const auto& a : status.applications()) apps[a.name()] = ApplicationJson(a, version, caas);
  out["applications"] = std::move(apps);
  out["controller"] = {{"timestamp", ClockTime(status.controller_timestamp()) + "Z"}};
  return out;
}

bool IsEmptyModel(const skein::v1::ModelStatus& status) {
  return status.applications_size() == 0 && status.machines_size() == 0;
}

}  // namespace skein::cli::output
