#include "agents/unit/hook/environment.h"

#include "absl/strings/str_cat.h"

namespace skein::agent {

std::map<std::string, std::string> HookEnvironment(const UnitEnvironment& unit, const std::string& hook_name,
                                                   const std::string& context_id,
                                                   const std::optional<HookRelationEnv>& relation,
                                                   const std::optional<HookStorageEnv>& storage,
                                                   const std::optional<HookSecretEnv>& secret,
                                                   const std::optional<HookWorkloadEnv>& workload) {
  std::map<std::string, std::string> env = {
      {"JUJU_CHARM_DIR", unit.charm_dir},
      {"CHARM_DIR", unit.charm_dir},
      {"JUJU_CONTEXT_ID", context_id},
      {"JUJU_HOOK_NAME", hook_name},
      {"JUJU_DISPATCH_PATH", "hooks/" + hook_name},
      {"JUJU_AGENT_SOCKET_ADDRESS", unit.agent_socket},
      {"JUJU_AGENT_SOCKET_NETWORK", "unix"},
      {"JUJU_UNIT_NAME", unit.unit},
      {"JUJU_MODEL_UUID", unit.model_uuid},
      {"JUJU_MODEL_NAME", unit.model_name},
      {"JUJU_API_ADDRESSES", unit.api_addresses},
      {"JUJU_MACHINE_ID", unit.machine_id},
      {"JUJU_PRINCIPAL_UNIT", unit.principal_unit},
      {"JUJU_AVAILABILITY_ZONE", unit.availability_zone},
      {"JUJU_VERSION", kJujuVersion},
      {"CLOUD_API_VERSION", ""},
      // Model proxy settings (none in skein yet); Juju exports these even when empty. The
      // legacy lower/upper-case proxy variables are exported only when set, so not at all.
      {"JUJU_CHARM_HTTP_PROXY", ""},
      {"JUJU_CHARM_HTTPS_PROXY", ""},
      {"JUJU_CHARM_FTP_PROXY", ""},
      {"JUJU_CHARM_NO_PROXY", ""},
      {"PATH", unit.agent_path.empty() ? unit.tools_dir : absl::StrCat(unit.tools_dir, ":", unit.agent_path)},
      {"LANG", "C.UTF-8"},
      {"TERM", "tmux-256color"},
      {"DEBIAN_FRONTEND", "noninteractive"},
      {"APT_LISTCHANGES_FRONTEND", "none"},
  };
  for (const auto& [name, value] : unit.substrate_env) env.emplace(name, value);
  if (relation) {
    env["JUJU_RELATION"] = relation->endpoint;
    env["JUJU_RELATION_ID"] = absl::StrCat(relation->endpoint, ":", relation->relation_id);
    env["JUJU_REMOTE_APP"] = relation->remote_application;
    env["JUJU_REMOTE_UNIT"] = relation->remote_unit;
    if (!relation->departing_unit.empty()) env["JUJU_DEPARTING_UNIT"] = relation->departing_unit;
  }
  if (storage) {
    env["JUJU_STORAGE_ID"] = storage->id;
    env["JUJU_STORAGE_LOCATION"] = storage->location;
    env["JUJU_STORAGE_KIND"] = storage->kind;
  }
  if (secret) {
    env["JUJU_SECRET_ID"] = secret->uri;
    env["JUJU_SECRET_LABEL"] = secret->label;
    if (secret->revision > 0) env["JUJU_SECRET_REVISION"] = absl::StrCat(secret->revision);
  }
  if (workload) {
    env["JUJU_WORKLOAD_NAME"] = workload->name;
    if (!workload->notice_id.empty()) {
      env["JUJU_NOTICE_ID"] = workload->notice_id;
      env["JUJU_NOTICE_TYPE"] = workload->notice_type;
      env["JUJU_NOTICE_KEY"] = workload->notice_key;
    }
    if (!workload->check_name.empty()) env["JUJU_PEBBLE_CHECK_NAME"] = workload->check_name;
  }
  return env;
}

}  // namespace skein::agent
