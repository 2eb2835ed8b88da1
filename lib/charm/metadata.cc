#include "lib/charm/metadata.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/format/output.h"
#include "lib/format/yaml_budget.h"
#include "yaml-cpp/yaml.h"

namespace skein::charm {

std::string RoleName(Role role) {
  switch (role) {
    case Role::kProvides:
      return "provides";
    case Role::kRequires:
      return "requires";
    case Role::kPeers:
      return "peers";
  }
  return "";
}

std::optional<Role> ParseRole(const std::string& name) {
  for (Role role : {Role::kProvides, Role::kRequires, Role::kPeers}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

format::YamlBudget CharmYamlBudget() {
  format::YamlBudget budget;
  budget.max_text = limits::kCharmYaml;
  return budget;
}

const Endpoint* Metadata::FindEndpoint(const std::string& name) const {
  auto it = endpoints.find(name);
  return it == endpoints.end() ? nullptr : &it->second;
}

const StorageSpec* Metadata::FindStorage(const std::string& name) const {
  for (const StorageSpec& spec : storage) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string ResourceTypeName(ResourceType type) { return type == ResourceType::kOciImage ? "oci-image" : "file"; }

std::optional<ResourceType> ParseResourceType(const std::string& name) {
  if (name == "file") return ResourceType::kFile;
  if (name == "oci-image") return ResourceType::kOciImage;
  return std::nullopt;
}

namespace {

// One entry of `resources:`. Juju's default type is `file`, and a file resource must name the
// file resource-get hands the charm.
absl::StatusOr<ResourceSpec> ParseResource(const std::string& name, const YAML::Node& node) {
  ResourceSpec spec;
  spec.name = name;
  if (node && !node.IsNull() && !node.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: resource \"", name, "\" must be a map"));
  }
  if (node && node.IsMap()) {
    if (node["type"]) {
      const std::string type = node["type"].as<std::string>();
      auto parsed = ParseResourceType(type);
      if (!parsed) {
        return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: resource \"", name, "\" has unknown type \"",
                                                       type, "\" (want file or oci-image)"));
      }
      spec.type = *parsed;
    }
    if (node["filename"]) spec.filename = node["filename"].as<std::string>();
    if (node["description"]) spec.description = node["description"].as<std::string>();
    if (node["upstream-source"]) spec.upstream_source = node["upstream-source"].as<std::string>();
  }
  if (spec.type == ResourceType::kFile && spec.filename.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: resource \"", name, "\" has no filename"));
  }
  if (spec.filename.find('/') != std::string::npos || spec.filename == "." || spec.filename == "..") {
    // resource-get puts the file under the unit's resources directory by this name.
    return absl::InvalidArgumentError(
        absl::StrCat("metadata.yaml: resource \"", name, "\" has filename \"", spec.filename, "\" with a path in it"));
  }
  return spec;
}

}  // namespace

absl::StatusOr<Metadata> ParseMetadata(const std::string& yaml_text) {
  absl::StatusOr<YAML::Node> loaded = format::LoadYaml(yaml_text, CharmYamlBudget());
  if (!loaded.ok()) return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: ", loaded.status().message()));
  YAML::Node root = *loaded;
  if (!root.IsMap()) return absl::InvalidArgumentError("metadata.yaml: expected a map");
  Metadata meta;
  try {
    if (!root["name"] || root["name"].as<std::string>().empty()) {
      return absl::InvalidArgumentError("metadata.yaml: missing \"name\"");
    }
    meta.name = root["name"].as<std::string>();
    if (root["summary"]) meta.summary = root["summary"].as<std::string>();
    if (root["description"]) meta.description = root["description"].as<std::string>();
    if (root["subordinate"]) meta.subordinate = root["subordinate"].as<bool>();
    const std::pair<const char*, Role> kRoles[] = {
        {"provides", Role::kProvides}, {"requires", Role::kRequires}, {"peers", Role::kPeers}};
    for (const auto& [key, role] : kRoles) {
      YAML::Node section = root[key];
      if (!section || section.IsNull()) continue;
      if (!section.IsMap()) return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: \"", key, "\" must be a map"));
      for (const auto& kv : section) {
        Endpoint ep;
        ep.name = kv.first.as<std::string>();
        ep.role = role;
        if (kv.second.IsScalar()) {
          ep.interface = kv.second.as<std::string>();
        } else if (kv.second.IsMap()) {
          if (kv.second["interface"]) ep.interface = kv.second["interface"].as<std::string>();
          if (kv.second["limit"]) ep.limit = kv.second["limit"].as<int>();
          if (kv.second["scope"]) ep.scope = kv.second["scope"].as<std::string>();
          if (kv.second["optional"]) ep.optional = kv.second["optional"].as<bool>();
        }
        if (ep.interface.empty()) {
          return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: endpoint \"", ep.name, "\" has no interface"));
        }
        if (ep.scope != "global" && ep.scope != "container") {
          return absl::InvalidArgumentError(
              absl::StrCat("metadata.yaml: endpoint \"", ep.name, "\" has invalid scope \"", ep.scope, "\""));
        }
        if (ep.name == "juju" || ep.name.rfind("juju-", 0) == 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("metadata.yaml: endpoint name \"", ep.name, "\" is reserved"));
        }
        if (meta.endpoints.count(ep.name) != 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("metadata.yaml: endpoint \"", ep.name, "\" is declared more than once"));
        }
        meta.endpoints[ep.name] = ep;
      }
    }
    auto storage = ParseStorageSection(root["storage"]);
    if (!storage.ok()) return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: ", storage.status().message()));
    meta.storage = std::move(*storage);
    if (root["containers"] && root["containers"].IsMap()) {
      for (const auto& kv : root["containers"]) {
        ContainerSpec c;
        c.name = kv.first.as<std::string>();
        const YAML::Node& body = kv.second;
        if (body.IsMap()) {
          if (body["resource"]) c.resource = body["resource"].as<std::string>();
          if (body["uid"]) c.uid = body["uid"].as<int64_t>();
          if (body["gid"]) c.gid = body["gid"].as<int64_t>();
          if (body["mounts"] && body["mounts"].IsSequence()) {
            for (const YAML::Node& m : body["mounts"]) {
              if (!m.IsMap() || !m["storage"]) {
                return absl::InvalidArgumentError(
                    absl::StrCat("metadata.yaml: container \"", c.name, "\": a mount names no storage"));
              }
              ContainerMount mount{m["storage"].as<std::string>(), ""};
              if (m["location"]) mount.location = m["location"].as<std::string>();
              c.mounts.push_back(std::move(mount));
            }
          }
        }
        meta.container_names.push_back(c.name);
        meta.containers.push_back(std::move(c));
      }
    }
    if (YAML::Node user = root["charm-user"]; user && !user.IsNull()) {
      static const std::map<std::string, CharmUser> kUsers = {
          {"root", CharmUser::kRoot}, {"sudoer", CharmUser::kSudoer}, {"non-root", CharmUser::kNonRoot}};
      auto it = user.IsScalar() ? kUsers.find(user.as<std::string>()) : kUsers.end();
      if (it == kUsers.end()) {
        return absl::InvalidArgumentError(
            "metadata.yaml: \"charm-user\" must be one of root, sudoer, non-root");
      }
      meta.charm_user = it->second;
    }
    if (YAML::Node resources = root["resources"]; resources && !resources.IsNull()) {
      if (!resources.IsMap()) return absl::InvalidArgumentError("metadata.yaml: \"resources\" must be a map");
      for (const auto& kv : resources) {
        auto spec = ParseResource(kv.first.as<std::string>(), kv.second);
        if (!spec.ok()) return spec.status();
        meta.resources[spec->name] = std::move(*spec);
      }
    }
    if (root["extra-bindings"] && root["extra-bindings"].IsMap()) {
      for (const auto& kv : root["extra-bindings"]) meta.extra_bindings.push_back(kv.first.as<std::string>());
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("metadata.yaml: ", e.what()));
  }
  return meta;
}

absl::StatusOr<std::map<std::string, ActionSpec>> ParseActions(const std::string& yaml_text) {
  std::map<std::string, ActionSpec> actions;
  if (yaml_text.find_first_not_of(" \t\r\n") == std::string::npos) return actions;
  auto parsed = format::YamlToJson(yaml_text, format::YamlDialect::kJuju, CharmYamlBudget());
  if (!parsed.ok()) return absl::InvalidArgumentError(absl::StrCat("actions.yaml: ", parsed.status().message()));
  nlohmann::json root = *parsed;
  if (root.is_object() && root.contains("actions") && root.size() == 1 && root["actions"].is_object()) {
    root = root["actions"];
  }
  if (root.is_null()) return actions;
  if (!root.is_object()) return absl::InvalidArgumentError("actions.yaml: expected a map of actions");
  static const std::regex kName("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$");
  for (auto it = root.begin(); it != root.end(); ++it) {
    ActionSpec spec;
    spec.name = it.key();
    if (!std::regex_match(spec.name, kName) || spec.name == "juju" || spec.name.rfind("juju-", 0) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("actions.yaml: bad action name \"", spec.name, "\""));
    }
    const nlohmann::json& a = it.value();
    if (a.is_object()) {
      if (a.contains("description") && a["description"].is_string()) spec.description = a["description"];
      if (a.contains("params") && a["params"].is_object()) spec.params = a["params"];
      if (a.contains("required") && a["required"].is_array()) {
        for (const auto& r : a["required"]) {
          if (!r.is_string()) {
            return absl::InvalidArgumentError(
                absl::StrCat("actions.yaml: action \"", spec.name, "\": required lists parameter names, not ", r.dump()));
          }
          spec.required.push_back(r.get<std::string>());
        }
      }
      if (a.contains("additionalProperties") && a["additionalProperties"].is_boolean()) {
        spec.additional_properties = a["additionalProperties"];
      }
      if (a.contains("parallel") && a["parallel"].is_boolean()) spec.parallel = a["parallel"];
      if (a.contains("execution-group") && a["execution-group"].is_string()) {
        spec.execution_group = a["execution-group"];
      }
    }
    actions[spec.name] = spec;
  }
  return actions;
}

}  // namespace skein::charm
