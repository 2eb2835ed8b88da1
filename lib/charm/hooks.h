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
};

// True for the five `<endpoint>-relation-*` kinds.
bool IsRelationHook(HookKind kind);
// True for `<storage>-storage-attached` and `<storage>-storage-detaching`.
bool IsStorageHook(HookKind kind);
// True for `secret-changed`, `secret-remove`, `secret-rotate` and `secret-expired`.
bool IsSecretHook(HookKind kind);
// Relation and storage hooks: their names start with an endpoint or storage name.
bool IsPrefixedHook(HookKind kind);

// The kind's name without an endpoint: `install`, `leader-settings-changed`, `relation-joined`
// (a view of a string literal, so data() is NUL-terminated).
std::string_view HookKindName(HookKind kind);

// The kind with exactly this name (as HookKindName gives it), or nullopt.
std::optional<HookKind> HookKindFromName(std::string_view name);

// A hook's full name: HookKindName for unit hooks, `<endpoint>-relation-joined` for relation
// hooks, `<storage>-storage-attached` for storage hooks (`endpoint` names the storage then; it is
// ignored for the others).
std::string HookName(HookKind kind, std::string_view endpoint = {});

struct ParsedHookName {
  HookKind kind;
  std::string endpoint;  // relation hooks: the endpoint; storage hooks: the storage name
  bool operator==(const ParsedHookName&) const = default;
};

// Reads a full hook name back: `install` → kInstall, `db-relation-joined` → kRelationJoined on
// `db`, `data-storage-attached` → kStorageAttached on `data`. nullopt for hooks skein has no
// kind for (secrets, pebble, actions) and for a prefixed hook without its prefix
// (`-relation-joined`).
std::optional<ParsedHookName> ParseHookName(std::string_view hook_name);

}  // namespace skein::charm
