#include "tools/cli/output/unit_info.h"

#include "tools/cli/output/status_json.h"

namespace skein::cli::output {
namespace {

using nlohmann::json;

json Bag(const google::protobuf::Map<std::string, std::string>& data) {
  json out = json::object();
  for (const auto& [k, v] : data) out[k] = v;
  return out;
}

json RelationUnitJson(const skein::v1::RelationUnitData& d) {
  return {{"in-scope", d.in_scope()}, {"data", Bag(d.data())}};
}

json RelationInfoJson(const skein::v1::RelationInfo& r) {
  json out = json::object();
  out["relation-id"] = r.relation_id();
  out["endpoint"] = r.endpoint();
  out["related-endpoint"] = r.related_endpoint();
  out["application-data"] = Bag(r.application_data());
  if (r.cross_model()) out["cross-model"] = true;
  out["local-unit"] = RelationUnitJson(r.local_unit());
  json related = json::object();
  for (const auto& [unit, data] : r.related_units()) related[unit] = RelationUnitJson(data);
  out["related-units"] = std::move(related);
  return out;
}

}  // namespace

json UnitInfoToJson(const skein::v1::UnitInfo& info) {
  json unit = json::object();
  unit["opened-ports"] = json::array();
  for (const auto& p : info.opened_ports()) unit["opened-ports"].push_back(p);
  unit["charm"] = info.charm();
  unit["leader"] = info.leader();
  unit["life"] = LifeName(info.life());
  if (!info.machine().empty()) unit["machine"] = info.machine();
  if (!info.public_address().empty()) unit["public-address"] = info.public_address();
  if (!info.address().empty()) unit["address"] = info.address();
  if (!info.workload_version().empty()) unit["workload-version"] = info.workload_version();
  if (info.has_workload_status()) unit["workload-status"] = StatusInfoJson(info.workload_status());
  if (info.has_agent_status()) unit["juju-status"] = StatusInfoJson(info.agent_status());
  unit["relation-info"] = json::array();
  for (const auto& r : info.relation_info()) unit["relation-info"].push_back(RelationInfoJson(r));
  return {{info.name(), std::move(unit)}};
}

}  // namespace skein::cli::output
