// The one hook-name table (lib/charm/hooks.h): every kind has Juju's hook name, the names read
// back to their kinds, and relation hooks carry their endpoint.

#include "lib/charm/hooks.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace skein::charm {
namespace {

constexpr HookKind kAll[] = {
    HookKind::kInstall,          HookKind::kStart,          HookKind::kConfigChanged,
    HookKind::kUpgradeCharm,     HookKind::kStop,           HookKind::kRemove,
    HookKind::kUpdateStatus,     HookKind::kLeaderElected,  HookKind::kLeaderSettingsChanged,
    HookKind::kRelationCreated,  HookKind::kRelationJoined, HookKind::kRelationChanged,
    HookKind::kRelationDeparted, HookKind::kRelationBroken,  HookKind::kStorageAttached,
    HookKind::kStorageDetaching, HookKind::kSecretChanged,  HookKind::kSecretRemove,
    HookKind::kSecretRotate,     HookKind::kSecretExpired,  HookKind::kPebbleReady,
    HookKind::kPebbleCustomNotice, HookKind::kPebbleCheckFailed, HookKind::kPebbleCheckRecovered,
};

TEST(HooksTest, NamesAreJujus) {
  EXPECT_EQ(HookName(HookKind::kInstall), "install");
  EXPECT_EQ(HookName(HookKind::kConfigChanged), "config-changed");
  EXPECT_EQ(HookName(HookKind::kUpgradeCharm), "upgrade-charm");
  EXPECT_EQ(HookName(HookKind::kUpdateStatus), "update-status");
  EXPECT_EQ(HookName(HookKind::kLeaderSettingsChanged), "leader-settings-changed");
  EXPECT_EQ(HookName(HookKind::kRelationJoined, "db"), "db-relation-joined");
  EXPECT_EQ(HookName(HookKind::kPebbleCustomNotice, "web"), "web-pebble-custom-notice");
  EXPECT_EQ(HookName(HookKind::kPebbleCheckFailed, "web"), "web-pebble-check-failed");
  EXPECT_EQ(HookName(HookKind::kRelationBroken, "ingress-auth"), "ingress-auth-relation-broken");
  EXPECT_EQ(HookName(HookKind::kStart, "ignored"), "start");
  EXPECT_EQ(HookName(HookKind::kStorageAttached, "data"), "data-storage-attached");
  EXPECT_EQ(HookName(HookKind::kStorageDetaching, "cache-dir"), "cache-dir-storage-detaching");
  // Secret hooks are not prefixed (juju-semantics §1.1).
  EXPECT_EQ(HookName(HookKind::kSecretChanged, "ignored"), "secret-changed");
  EXPECT_EQ(HookName(HookKind::kSecretRemove), "secret-remove");
  EXPECT_EQ(HookName(HookKind::kSecretRotate), "secret-rotate");
  EXPECT_EQ(HookName(HookKind::kSecretExpired), "secret-expired");
  EXPECT_TRUE(IsSecretHook(HookKind::kSecretExpired));
  EXPECT_FALSE(IsSecretHook(HookKind::kStorageAttached));
}

TEST(HooksTest, EveryKindHasItsOwnNameAndReadsBack) {
  std::set<std::string> seen;
  for (HookKind kind : kAll) {
    std::string_view name = HookKindName(kind);
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(seen.insert(std::string(name)).second) << name;
    EXPECT_EQ(HookKindFromName(name), kind) << name;
    auto parsed = ParseHookName(HookName(kind, "db"));
    ASSERT_TRUE(parsed.has_value()) << name;
    EXPECT_EQ(parsed->kind, kind);
    EXPECT_EQ(parsed->endpoint, IsPrefixedHook(kind) ? "db" : "");
  }
}

TEST(HooksTest, ParsesRelationHooksByTheirEndpoint) {
  EXPECT_EQ(ParseHookName("db-relation-changed"), (ParsedHookName{HookKind::kRelationChanged, "db"}));
  // An endpoint may itself look like a hook or contain `-relation-`.
  EXPECT_EQ(ParseHookName("install-relation-joined"), (ParsedHookName{HookKind::kRelationJoined, "install"}));
  EXPECT_EQ(ParseHookName("a-relation-b-relation-departed"),
            (ParsedHookName{HookKind::kRelationDeparted, "a-relation-b"}));
  EXPECT_EQ(ParseHookName("data-storage-attached"), (ParsedHookName{HookKind::kStorageAttached, "data"}));
  EXPECT_EQ(ParseHookName("logs-storage-detaching"), (ParsedHookName{HookKind::kStorageDetaching, "logs"}));
  EXPECT_EQ(ParseHookName("web-pebble-ready"), (ParsedHookName{HookKind::kPebbleReady, "web"}));
  EXPECT_EQ(ParseHookName("web-pebble-check-recovered"), (ParsedHookName{HookKind::kPebbleCheckRecovered, "web"}));
  EXPECT_FALSE(IsRelationHook(HookKind::kStorageAttached));
}

TEST(HooksTest, RefusesWhatItHasNoKindFor) {
  for (const char* name : {"", "relation-joined", "-relation-joined", "db-relation-joinedx", "Install",
                           "-storage-attached", "db-secret-changed", "-pebble-ready", "pebble-ready",
                           "actions/backup", "db_relation_joined"}) {
    EXPECT_FALSE(ParseHookName(name).has_value()) << name;
  }
  EXPECT_FALSE(HookKindFromName("db-relation-joined").has_value());
  EXPECT_FALSE(HookKindFromName("").has_value());
}

}  // namespace
}  // namespace skein::charm
