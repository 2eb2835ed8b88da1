#include "lib/base/agent_conf.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/base/file_write.h"
#include "lib/base/names.h"
#include "yaml-cpp/yaml.h"

namespace skein {

AgentConf MachineAgentConf(const std::string& controller, const std::string& credential,
                           const std::string& machine_id, const std::string& ca_cert) {
  AgentConf conf;
  conf.controller = controller;
  conf.entity = MachineTag(machine_id);
  conf.credential = credential;
  conf.machine_id = machine_id;
  conf.ca_cert = ca_cert;
  return conf;
}

std::string AgentConfYaml(const AgentConf& conf) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "controller" << YAML::Value << conf.controller;
  out << YAML::Key << "entity" << YAML::Value << conf.entity;
  out << YAML::Key << "credential" << YAML::Value << conf.credential;
  if (!conf.unit.empty()) out << YAML::Key << "unit" << YAML::Value << conf.unit;
  out << YAML::Key << "machine-id" << YAML::Value << YAML::DoubleQuoted << conf.machine_id;
  if (!conf.model_uuid.empty()) out << YAML::Key << "model-uuid" << YAML::Value << conf.model_uuid;
  if (conf.unit_uids) out << YAML::Key << "unit-uids" << YAML::Value << conf.unit_uids->first;
  out << YAML::Key << "ca-cert" << YAML::Value << YAML::Literal << conf.ca_cert;
  out << YAML::EndMap;
  // The emitter ends a literal block (the CA certificate) with its own newline.
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

absl::StatusOr<AgentConf> ReadAgentConf(const std::string& path) {
  if (!std::filesystem::exists(path)) return absl::NotFoundError(absl::StrCat("agent config ", path, " not found"));
  YAML::Node doc;
  try {
    doc = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot parse ", path, ": ", e.what()));
  }
  if (!doc.IsMap()) return absl::InvalidArgumentError(absl::StrCat(path, " is not a YAML mapping"));
  auto get = [&doc](const char* key) { return doc[key] ? doc[key].as<std::string>("") : std::string(); };
  AgentConf conf{get("controller"), get("entity"), get("credential"), get("unit"), get("machine-id"),
                 get("model-uuid"), get("ca-cert")};
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"controller", &conf.controller},
                                   {"entity", &conf.entity},
                                   {"credential", &conf.credential},
                                   {"ca-cert", &conf.ca_cert}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat(path, " has no ", key));
  }
  if (doc["unit-uids"]) {
    auto range = ParseUidRangeFirst(get("unit-uids"));
    if (!range.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", range.status().message()));
    conf.unit_uids = *range;
  }
  return conf;
}

absl::Status WriteAgentConf(const std::string& path, const AgentConf& conf, const std::optional<FileOwner>& owner) {
  return WriteFileAtomic(path, AgentConfYaml(conf), 0600, owner);
}

}  // namespace skein
