#pragma once

// The one table of charm hook names (Juju's charm/hooks package): the hooks skein runs, as a
// typed kind, and the conversion between a kind and the name a charm's hooks/ file, JUJU_HOOK_NAME
// and `juju debug-log` use. Relation hooks are named after their endpoint
// (`db-relation-joined`), storage hooks after their storage (`data-storage-attached`); every
// other hook has one fixed name. The unit agent (its persisted
// state and the names it runs hooks under), the relation state machine and the C++ charm SDK's
// events all name hooks through here.

#include <optional>
#include <string>
#include <string_view>

namespace skein::charm {

enum class HookKind {
  kInstall,
  kStart,
  kConfigChanged,
  kUpgradeCharm,
  kStop,
  kRemove,
  kUpdateStatus,
  kLeaderElected,
  kLeaderSettingsChanged,
  kRelationCreated,
  kRelationJoined,
  kRelationChanged,
  kRelationDeparted,
  kRelationBroken,
  kStorageAttached,
  kStorageDetaching,
  kSecretChanged,
  kSecretRemove,
  kSecretRotate,
  kSecretExpired,
  // Workload hooks of sidecar charms, named after their container (`web-pebble-ready`): its
  // Pebble answers for the first time since it (re)started, a custom notice arrived, a check
  // reached its failure threshold or recovered from it (Juju 3.6).
  kPebbleReady,
  kPebbleCustomNotice,
  kPebbleCheckFailed,
  kPebbleCheckRecovered,
};

// True for the five `<endpoint>-relation-*` kinds.
bool IsRelationHook(HookKind kind);
// True for `<storage>-storage-attached` and `<storage>-storage-detaching`.
bool IsStorageHook(HookKind kind);
// True for `secret-changed`, `secret-remove`, `secret-rotate` and `secret-expired`.
bool IsSecretHook(HookKind kind);
// The four `<container>-pebble-*` kinds.
bool IsWorkloadHook(HookKind kind);
// Relation, storage and workload hooks: their names start with an endpoint, storage or
// container name.
bool IsPrefixedHook(HookKind kind);

// The kind's name without an endpoint: `install`, `leader-settings-changed`, `relation-joined`
// (a view of a string literal, so data() is NUL-terminated).
std::string_view HookKindName(HookKind kind);

// The kind with exactly this name (as HookKindName gives it), or nullopt.
std::optional<HookKind> HookKindFromName(std::string_view name);

// A hook's full name: HookKindName for unit hooks, `<endpoint>-relation-joined` for relation
// hooks, `<storage>-storage-attached` for storage hooks, `<container>-pebble-ready` for workload
// hooks (`endpoint` names the storage or container then; it is ignored for the others).
std::string HookName(HookKind kind, std::string_view endpoint = {});

struct ParsedHookName {
  HookKind kind;
  // relation hooks: the endpoint; storage hooks: the storage name; workload hooks: the container
  std::string endpoint;
  bool operator==(const ParsedHookName&) const = default;
};

// Reads a full hook name back: `install` → kInstall, `db-relation-joined` → kRelationJoined on
// `db`, `data-storage-attached` → kStorageAttached on `data`, `web-pebble-ready` → kPebbleReady
// on `web`. nullopt for what is not a hook (actions), for a prefixed hook without its prefix
// (`-relation-joined`) and for a prefix on a hook that has none (`db-secret-changed`).
std::optional<ParsedHookName> ParseHookName(std::string_view hook_name);

}  // namespace skein::charm
