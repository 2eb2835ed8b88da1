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

json ModelsToJson(const skein::v1::ListModelsResponse& models, const ModelsContext& c) {
  json list = json::array();
  for (const auto* m : Sorted(models)) {
    json e = json::object();
    e["name"] = std::string(kOwner) + "/" + m->name();
    e["short-name"] = m->name();
    e["model-uuid"] = m->uuid();
    e["model-type"] = m->type().empty() ? "iaas" : m->type();
    e["controller-uuid"] = c.controller_uuid;
    e["controller-name"] = m->controller().empty() ? c.controller_name : m->controller();
    e["is-controller"] = m->name() == "controller";
    e["owner"] = kOwner;
    e["cloud"] = Cloud(*m);
    if (!m->region().empty()) e["region"] = m->region();
    e["type"] = Cloud(*m);
    e["life"] = "alive";
    if (m->has_status()) e["status"] = StatusInfoJson(m->status());
    e["access"] = "admin";
    e["last-connection"] = "just now";
    e["agent-version"] = m->agent_version().empty() ? kJujuVersion : m->agent_version();
    list.push_back(std::move(e));
  }
  json out = {{"models", std::move(list)}};
  if (!c.current_model.empty()) out["current-model"] = c.current_model;
  return out;
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
