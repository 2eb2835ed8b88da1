#include "tools/cli/output/models_output.h"

#include <algorithm>
#include <vector>

#include "lib/base/names.h"
#include "tools/cli/output/status_json.h"
#include "tools/cli/output/table.h"
#include "tools/cli/output/version.h"

namespace skein::cli::output {
namespace {

using nlohmann::json;

// The user skein's admin credential belongs to; models are owned by it.
constexpr char kOwner[] = "admin";

std::vector<const skein::v1::ModelSummary*> Sorted(const skein::v1::ListModelsResponse& models) {
  std::vector<const skein::v1::ModelSummary*> out;
  for (const auto& m : models.models()) out.push_back(&m);
  std::stable_sort(out.begin(), out.end(), [](auto* a, auto* b) { return NaturalLess(a->name(), b->name()); });
  return out;
}

std::string Cloud(const skein::v1::ModelSummary& m) { return m.cloud().empty() ? "local" : m.cloud(); }

}  // namespace

json ModelInfoJson(const skein::v1::ModelSummary& m, const ModelsContext& c) {
  json e = json::object();
  e["name"] = std::string(kOwner) + "/" + m.name();
  e["short-name"] = m.name();
  e["model-uuid"] = m.uuid();
  e["model-type"] = m.type().empty() ? "iaas" : m.type();
  e["controller-uuid"] = c.controller_uuid;
  e["controller-name"] = m.controller().empty() ? c.controller_name : m.controller();
  e["is-controller"] = m.name() == "controller";
  e["owner"] = kOwner;
  e["cloud"] = Cloud(m);
  if (!m.region().empty()) e["region"] = m.region();
  e["type"] = Cloud(m);
  e["life"] = m.life().empty() ? "alive" : m.life();
  if (m.has_status()) e["status"] = StatusInfoJson(m.status());
  e["agent-version"] = m.agent_version().empty() ? kJujuVersion : m.agent_version();
  return e;
}

json ModelsToJson(const skein::v1::ListModelsResponse& models, const ModelsContext& c) {
  json list = json::array();
  for (const auto* m : Sorted(models)) {
    json e = ModelInfoJson(*m, c);
    e["access"] = "admin";
    e["last-connection"] = "just now";
    list.push_back(std::move(e));
  }
  json out = {{"models", std::move(list)}};
  if (!c.current_model.empty()) out["current-model"] = c.current_model;
  return out;
}

json ShowModelJson(const skein::v1::ModelDetails& d, const ModelsContext& c) {
  const skein::v1::ModelSummary& m = d.summary();
  json e = ModelInfoJson(m, c);
  if (!d.controller_uuid().empty()) e["controller-uuid"] = d.controller_uuid();
  if (!d.life().empty()) e["life"] = d.life();
  e["users"] = {{kOwner, {{"display-name", kOwner}, {"access", "admin"}, {"last-connection", "just now"}}}};
  // skein does not know a machine's hardware; Juju prints 0 cores for a machine without
  // hardware characteristics.
  json machines = json::object();
  for (const std::string& id : d.machines()) machines[id] = {{"cores", 0}};
  e["machines"] = std::move(machines);
  e["credential"] = {{"name", "local"}, {"owner", kOwner}, {"cloud", Cloud(m)}, {"validity-check", "valid"}};
  return json{{m.name(), std::move(e)}};
}

std::string ModelsToTabular(const skein::v1::ListModelsResponse& models, const ModelsContext& c) {
  Table t(c.color);
  t.AlignRight(4);  // Machines
  t.AddHeader({"Model", "Cloud/Region", "Type", "Status", "Machines", "Units", "Access", "Last connection"});
  for (const auto* m : Sorted(models)) {
    std::string name = m->name() + (m->name() == c.current_model ? "*" : "");
    std::string region = m->region().empty() ? Cloud(*m) : Cloud(*m) + "/" + m->region();
    const std::string& status = m->status().current();
    t.AddRow({name, region, Cloud(*m), Cell(status, StatusStyle(status)), std::to_string(m->machine_count()),
              m->unit_count() > 0 ? std::to_string(m->unit_count()) : "-", "admin", "just now"});
  }
  return "Controller: " + c.controller_name + "\n\n" + t.Render();
}

}  // namespace skein::cli::output
