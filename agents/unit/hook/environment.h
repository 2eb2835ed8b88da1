#pragma once

// The environment of a hook process: exactly the variables of juju-semantics §2.4, nothing
// inherited from the agent except its PATH (after the tools dir).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace skein::agent {

// What stays the same for every hook of a unit.
struct UnitEnvironment {
  std::string charm_dir;       // <agent-dir>/charm
  std::string agent_socket;    // <runtime dir>/agent.socket (lib/base/runtime_dir.h)
  std::string tools_dir;       // <agent-dir>/tools
  std::string unit;            // `app/0`
  std::string model_uuid;
  std::string model_name;
  std::string api_addresses;   // space-separated host:port
  std::string machine_id;
  std::string principal_unit;  // subordinates only
  std::string availability_zone;
  std::string agent_path;      // the agent's own PATH, appended after the tools dir
  // `<agents dir>/<model-uuid>`: the model's storage directories live under it
  // (lib/base/paths.h StorageDir).
  std::string model_dir;
  // What the unit's substrate adds to every hook: on a Kubernetes model KUBERNETES_SERVICE_HOST,
  // KUBERNETES_SERVICE_PORT and KUBECONFIG (agents/unit/serviceaccount/token_keeper.h); empty
  // elsewhere.
  std::map<std::string, std::string> substrate_env;
};

struct HookRelationEnv {
  std::string endpoint;
  int64_t relation_id = 0;
  std::string remote_application;
  std::string remote_unit;     // may be empty (created, broken, app-level changed)
  std::string departing_unit;  // set for -departed only
};

// Storage hooks (juju-semantics §2.4): the instance, its directory and its kind.
struct HookStorageEnv {
  std::string id;        // `data/0`
  std::string location;  // the directory
  std::string kind;      // filesystem | block
};

struct HookSecretEnv {
  std::string uri;       // `secret:<id>`
  std::string label;     // may be empty
  int64_t revision = 0;  // 0: not set (secret-rotate)
};

// Workload hooks of sidecar charms (juju-semantics §2.4): the container, and the notice or the
// check the hook is about (empty: not set).
struct HookWorkloadEnv {
  std::string name;  // JUJU_WORKLOAD_NAME
  std::string notice_id;
  std::string notice_type;
  std::string notice_key;
  std::string check_name;
};

// The Juju version skein reports to charms (ops gates features on it).
inline constexpr char kJujuVersion[] = "3.6.11";

std::map<std::string, std::string> HookEnvironment(const UnitEnvironment& unit, const std::string& hook_name,
                                                   const std::string& context_id,
                                                   const std::optional<HookRelationEnv>& relation,
                                                   const std::optional<HookStorageEnv>& storage = std::nullopt,
                                                   const std::optional<HookSecretEnv>& secret = std::nullopt,
                                                   const std::optional<HookWorkloadEnv>& workload = std::nullopt);

}  // namespace skein::agent
