#pragma once

// Charm metadata (`metadata.yaml`, juju-semantics §9.1) and actions (`actions.yaml`, §9.3).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/charm/storage_spec.h"
#include "nlohmann/json.hpp"

namespace skein::format {
struct YamlBudget;  // lib/format/yaml_budget.h
}  // namespace skein::format

namespace skein::charm {

enum class Role { kProvides, kRequires, kPeers };
std::string RoleName(Role role);  // "provides" | "requires" | "peers"
// The role RoleName spells `name`; nullopt for anything else. For roles that arrive as text
// (the agent's UnitSnapshot, database rows).
std::optional<Role> ParseRole(const std::string& name);

struct Endpoint {
  std::string name;
  Role role = Role::kProvides;
  std::string interface;
  int limit = 0;                 // 0 = unlimited
  std::string scope = "global";  // global | container
  bool optional = false;
};

// `charm-user` in metadata.yaml (Juju 3.6): the user the charm's code runs as. On a machine skein
// runs every unit under its own unprivileged uid unless its charm asks for root; `sudoer` gets
// no sudo rights and runs like `non-root` (README, "Privilege separation").
enum class CharmUser { kUnspecified, kRoot, kSudoer, kNonRoot };

// A resource the charm declares (`resources:` in metadata.yaml, juju-semantics §9.1): a file the
// operator uploads (`deploy --resource`, `attach-resource`) and the charm reads with
// `resource-get`, or an OCI image, stored by its reference.
enum class ResourceType { kFile, kOciImage };
std::string ResourceTypeName(ResourceType type);  // "file" | "oci-image"
// The type ResourceTypeName spells `name`; nullopt for anything else.
std::optional<ResourceType> ParseResourceType(const std::string& name);

// The largest resource revision skein stores: it travels in one request and sits in one row of
// the controller's database.
inline constexpr size_t kMaxResourceBytes = size_t{32} << 20;

struct ResourceSpec {
  std::string name;
  ResourceType type = ResourceType::kFile;
  std::string filename;  // file resources: the name resource-get gives the file
  std::string description;
  // oci-image resources: the image a local charm names for itself, used until one is given with
  // `--resource` or attach-resource.
  std::string upstream_source;
};

// A workload container of a sidecar charm (`containers:` in metadata.yaml): the oci-image
// resource its image comes from, where storage is mounted in it, and the uid/gid it runs as.
struct ContainerMount {
  std::string storage;
  std::string location;
};
struct ContainerSpec {
  std::string name;
  std::string resource;  // "" when the container names none (then `bases:`, which skein lacks)
  std::vector<ContainerMount> mounts;
  std::optional<int64_t> uid;
  std::optional<int64_t> gid;
};

struct Metadata {
  std::string name;
  CharmUser charm_user = CharmUser::kUnspecified;
  std::string summary;
  std::string description;
  bool subordinate = false;
  std::map<std::string, Endpoint> endpoints;  // by endpoint name, across the three roles
  std::vector<StorageSpec> storage;  // in the order metadata.yaml declares them
  std::vector<std::string> container_names;
  std::vector<ContainerSpec> containers;  // the same containers, in metadata.yaml's order
  std::vector<std::string> extra_bindings;
  std::map<std::string, ResourceSpec> resources;  // by resource name

  const Endpoint* FindEndpoint(const std::string& name) const;
  const StorageSpec* FindStorage(const std::string& name) const;
};

// The YAML budget of a charm's metadata.yaml, config.yaml and actions.yaml: the default one, with
// text up to limits::kCharmYaml.
format::YamlBudget CharmYamlBudget();

// Parses metadata.yaml text. InvalidArgument with a message naming the field on error, e.g.
// `metadata.yaml: missing "name"`, `metadata.yaml: endpoint "db" has no interface`,
// `metadata.yaml: endpoint "x" is declared more than once`, a bad `storage` entry
// (ParseStorageSection), e.g. `metadata.yaml: storage "data": missing "type" (filesystem or block)`,
// `metadata.yaml: resource "r" has unknown type "t" (want file or oci-image)`,
// `metadata.yaml: resource "r" has no filename`.
absl::StatusOr<Metadata> ParseMetadata(const std::string& yaml_text);

struct ActionSpec {
  std::string name;
  std::string description = "No description";
  nlohmann::json params = nlohmann::json::object();  // JSON-schema "properties"
  std::vector<std::string> required;
  bool additional_properties = true;
  bool parallel = false;
  std::string execution_group;
};

// Parses actions.yaml text (empty text = no actions).
absl::StatusOr<std::map<std::string, ActionSpec>> ParseActions(const std::string& yaml_text);

}  // namespace skein::charm
