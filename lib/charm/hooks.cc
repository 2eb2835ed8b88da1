#include "lib/charm/hooks.h"

#include <array>
#include <utility>

namespace skein::charm {
namespace {

constexpr std::array<std::pair<HookKind, std::string_view>, 24> kHookNames = {{
    {HookKind::kInstall, "install"},
    {HookKind::kStart, "start"},
    {HookKind::kConfigChanged, "config-changed"},
    {HookKind::kUpgradeCharm, "upgrade-charm"},
    {HookKind::kStop, "stop"},
    {HookKind::kRemove, "remove"},
    {HookKind::kUpdateStatus, "update-status"},
    {HookKind::kLeaderElected, "leader-elected"},
    {HookKind::kLeaderSettingsChanged, "leader-settings-changed"},
    {HookKind::kRelationCreated, "relation-created"},
    {HookKind::kRelationJoined, "relation-joined"},
    {HookKind::kRelationChanged, "relation-changed"},
    {HookKind::kRelationDeparted, "relation-departed"},
    {HookKind::kRelationBroken, "relation-broken"},
    {HookKind::kStorageAttached, "storage-attached"},
    {HookKind::kStorageDetaching, "storage-detaching"},
    {HookKind::kSecretChanged, "secret-changed"},
    {HookKind::kSecretRemove, "secret-remove"},
    {HookKind::kSecretRotate, "secret-rotate"},
    {HookKind::kSecretExpired, "secret-expired"},
    {HookKind::kPebbleReady, "pebble-ready"},
    {HookKind::kPebbleCustomNotice, "pebble-custom-notice"},
    {HookKind::kPebbleCheckFailed, "pebble-check-failed"},
    {HookKind::kPebbleCheckRecovered, "pebble-check-recovered"},
}};

}  // namespace

bool IsRelationHook(HookKind kind) {
  switch (kind) {
    case HookKind::kRelationCreated:
    case HookKind::kRelationJoined:
    case HookKind::kRelationChanged:
    case HookKind::kRelationDeparted:
    case HookKind::kRelationBroken:
      return true;
    default:
      return false;
  }
}

bool IsStorageHook(HookKind kind) {
  return kind == HookKind::kStorageAttached || kind == HookKind::kStorageDetaching;
}

bool IsSecretHook(HookKind kind) {
  return kind == HookKind::kSecretChanged || kind == HookKind::kSecretRemove || kind == HookKind::kSecretRotate ||
         kind == HookKind::kSecretExpired;
}

bool IsWorkloadHook(HookKind kind) {
  return kind == HookKind::kPebbleReady || kind == HookKind::kPebbleCustomNotice ||
         kind == HookKind::kPebbleCheckFailed || kind == HookKind::kPebbleCheckRecovered;
}

bool IsPrefixedHook(HookKind kind) { return IsRelationHook(kind) || IsStorageHook(kind) || IsWorkloadHook(kind); }

std::string_view HookKindName(HookKind kind) {
  for (const auto& [k, name] : kHookNames) {
    if (k == kind) return name;
  }
  return "unknown";  // unreachable while the table lists every kind (tested)
}

std::optional<HookKind> HookKindFromName(std::string_view name) {
  for (const auto& [kind, n] : kHookNames) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::string HookName(HookKind kind, std::string_view endpoint) {
  if (!IsPrefixedHook(kind)) return std::string(HookKindName(kind));
  std::string name(endpoint);
  return name.append("-").append(HookKindName(kind));
}

std::optional<ParsedHookName> ParseHookName(std::string_view hook_name) {
  for (const auto& [kind, name] : kHookNames) {
    if (!IsPrefixedHook(kind)) {
      if (hook_name == name) return ParsedHookName{kind, ""};
      continue;
    }
    // `<endpoint>-relation-joined`, `<storage>-storage-attached`, `<container>-pebble-ready`: the
    // prefix is never empty.
    if (hook_name.size() < name.size() + 2 || hook_name.substr(hook_name.size() - name.size()) != name ||
        hook_name[hook_name.size() - name.size() - 1] != '-') {
      continue;
    }
    return ParsedHookName{kind, std::string(hook_name.substr(0, hook_name.size() - name.size() - 1))};
  }
  return std::nullopt;
}

}  // namespace skein::charm
