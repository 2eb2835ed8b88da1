// SecretService (controller/domain/secret): charm secrets with owners, revisions, readers and
// grants; user secrets; content sealed with the controller's key.

#include "controller/domain/secret/secret_service.h"

#include <sys/stat.h>

#include <regex>

#include "controller/domain/core/sql.h"
#include "controller/domain/hook/hook_service.h"
#include "controller/domain/secret/cipher.h"
#include "controller/domain/secret/secret_hooks.h"
#include "controller/domain/secret/secret_id.h"
#include "gtest/gtest.h"
#include "lib/base/time.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::secret::OwnerKind;
using domain::secret::SecretCipher;
using domain::secret::SecretContent;
using domain::secret::SecretRef;
using domain::secret::SecretService;
using domain::secret::SecretUpdate;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

SecretUpdate WithContent(SecretContent content) {
  SecretUpdate u;
  u.content = std::move(content);
  return u;
}

class SecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", MakeCharm(kDbMetadata), 2);
    env_.Deploy("app", MakeCharm(kAppMetadata), 1);
    env_.Deploy("other", MakeCharm(kAppMetadata), 1);
    ASSERT_TRUE(env_.relations->Integrate("test", {"app", "db"}).ok());
    ASSERT_EQ(env_.Leader("db"), "db/0");
  }
  int64_t RelationId() {
    int64_t id = -1;
    EXPECT_TRUE(env_.db->Read([&](domain::Tx& tx) {
                      for (const auto& r : domain::RelationsOfApp(tx, env_.App("db").id)) {
                        if (!r.is_peer) id = r.relation_id;
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return id;
  }
  // An application-owned secret of db, added by its leader.
  std::string AddDbSecret(SecretContent content = {{"password", "hunter2"}}) {
    auto id = secrets_.AddOwned(env_.UnitId("db/0"), OwnerKind::kApplication, WithContent(std::move(content)));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or("");
  }
  absl::StatusOr<domain::secret::RevealedContent> Get(const std::string& unit, const std::string& uri,
                                                      bool peek = false, bool refresh = false) {
    return secrets_.GetContent(env_.UnitId(unit), SecretRef{uri, ""}, peek, refresh);
  }

  DomainEnv env_;
  SecretService secrets_{env_.db.get(), SecretCipher::Ephemeral()};
};

TEST_F(SecretTest, AddGivesAnXidAndOnlyTheLeaderAddsApplicationSecrets) {
  std::string id = AddDbSecret();
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-v]{20}"))) << id;
  EXPECT_NE(AddDbSecret(), id);
  auto follower = secrets_.AddOwned(env_.UnitId("db/1"), OwnerKind::kApplication, WithContent({{"key", "v"}}));
  EXPECT_TRUE(absl::IsPermissionDenied(follower.status()));
  EXPECT_EQ(follower.status().message(), "this unit is not the leader");
  // A follower owns its own unit secrets.
  EXPECT_TRUE(secrets_.AddOwned(env_.UnitId("db/1"), OwnerKind::kUnit, WithContent({{"key", "v"}})).ok());
  auto bad_key = secrets_.AddOwned(env_.UnitId("db/0"), OwnerKind::kUnit, WithContent({{"Ab", "v"}}));
  EXPECT_TRUE(absl::IsInvalidArgument(bad_key.status())) << bad_key.status();
  EXPECT_TRUE(absl::IsInvalidArgument(secrets_.AddOwned(env_.UnitId("db/0"), OwnerKind::kUnit, {}).status()));
}

TEST_F(SecretTest, ContentIsSealedAtRestAndAnotherKeyCannotOpenIt) {
  std::string id = AddDbSecret({{"password", "very-distinctive-plaintext"}});
  EXPECT_EQ(env_.Count("secret_revisions"), 1);
  EXPECT_EQ(env_.Count("secret_revisions", "CAST(sealed AS TEXT) LIKE '%distinctive%'"), 0);
  EXPECT_EQ(env_.Count("secret_revisions", "length(nonce) = 12"), 1);
  SecretService other_key(env_.db.get(), SecretCipher::Ephemeral());
  auto read = other_key.GetContent(env_.UnitId("db/0"), SecretRef{"secret:" + id, ""}, false, false);
  EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
  auto own = Get("db/0", "secret:" + id);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->content, (SecretContent{{"password", "very-distinctive-plaintext"}}));
}

TEST_F(SecretTest, ReadersNeedAGrantOverTheRelationAndLoseItOnRevoke) {
  std::string uri = "secret:" + AddDbSecret();
  EXPECT_TRUE(absl::IsPermissionDenied(Get("app/0", uri).status()));
  // Units of the owning application read it; so does the unit after the grant.
  EXPECT_TRUE(Get("db/1", uri).ok());
  const int64_t rel = RelationId();
  auto not_leader = secrets_.Grant(env_.UnitId("db/1"), uri, rel, "");
  EXPECT_EQ(not_leader.message(), "this unit is not the leader");
  auto wrong_unit = secrets_.Grant(env_.UnitId("db/0"), uri, rel, "other/0");
  EXPECT_TRUE(absl::IsInvalidArgument(wrong_unit)) << wrong_unit;
  ASSERT_TRUE(secrets_.Grant(env_.UnitId("db/0"), uri, rel, "").ok());
  auto read = Get("app/0", uri);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->content.at("password"), "hunter2");
  EXPECT_EQ(read->revision, 1);
  auto outsider = Get("other/0", uri);
  EXPECT_TRUE(absl::IsPermissionDenied(outsider.status()));
  EXPECT_EQ(outsider.status().message(), "permission denied");
  // A relation the owner is not in.
  EXPECT_TRUE(absl::IsNotFound(secrets_.Grant(env_.UnitId("db/0"), uri, 99, "")));
  ASSERT_TRUE(secrets_.Revoke(env_.UnitId("db/0"), uri, rel, "").ok());
  EXPECT_TRUE(absl::IsPermissionDenied(Get("app/0", uri).status()));
}

TEST_F(SecretTest, ReadersTrackARevisionPeekAndRefreshAndSeeSecretChangedDue) {
  std::string id = AddDbSecret();
  std::string uri = "secret:" + id;
  ASSERT_TRUE(secrets_.Grant(env_.UnitId("db/0"), uri, RelationId(), "").ok());
  ASSERT_EQ(Get("app/0", uri)->revision, 1);
  // Setting the same content adds no revision.
  ASSERT_TRUE(secrets_.UpdateOwned(env_.UnitId("db/0"), {uri, ""}, WithContent({{"password", "hunter2"}})).ok());
  EXPECT_EQ(env_.Count("secret_revisions"), 1);
  ASSERT_TRUE(secrets_.UpdateOwned(env_.UnitId("db/0"), {uri, ""}, WithContent({{"password", "s3cret"}})).ok());
  auto changed = [&] {
    std::vector<domain::secret::ChangedSecret> out;
    EXPECT_TRUE(env_.db->Read([&](domain::Tx& tx) {
                      out = domain::secret::ChangedForConsumer(tx, env_.App("app").model_id, "app/0");
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  };
  ASSERT_EQ(changed().size(), 1u);
  EXPECT_EQ(changed()[0].id, id);
  EXPECT_EQ(changed()[0].revision, 2);
  auto tracked = Get("app/0", uri);
  EXPECT_EQ(tracked->revision, 1);
  EXPECT_EQ(tracked->content.at("password"), "hunter2");
  auto peeked = Get("app/0", uri, /*peek=*/true);
  EXPECT_EQ(peeked->content.at("password"), "s3cret");
  EXPECT_EQ(Get("app/0", uri)->revision, 1);  // peek did not move it
  EXPECT_EQ(Get("app/0", uri, false, /*refresh=*/true)->content.at("password"), "s3cret");
  EXPECT_EQ(Get("app/0", uri)->revision, 2);
  EXPECT_TRUE(changed().empty());
  EXPECT_TRUE(absl::IsInvalidArgument(Get("app/0", uri, true, true).status()));
  // The owner always reads the latest.
  EXPECT_EQ(Get("db/1", uri)->revision, 2);
}

TEST_F(SecretTest, LabelsNameSecretsForOwnersAndReaders) {
  SecretUpdate add = WithContent({{"token", "abc"}});
  add.label = "db-token";
  auto id = secrets_.AddOwned(env_.UnitId("db/0"), OwnerKind::kApplication, add);
  ASSERT_TRUE(id.ok());
  auto again = secrets_.AddOwned(env_.UnitId("db/0"), OwnerKind::kApplication, add);
  EXPECT_TRUE(absl::IsAlreadyExists(again.status()));
  EXPECT_EQ(again.status().message(), "secret with label \"db-token\" already exists");
  // Every unit of the owner finds it by label.
  EXPECT_EQ(secrets_.GetContent(env_.UnitId("db/1"), {"", "db-token"}, false, false)->content.at("token"), "abc");
  ASSERT_TRUE(secrets_.Grant(env_.UnitId("db/0"), "secret:" + *id, RelationId(), "").ok());
  auto missing = secrets_.GetContent(env_.UnitId("app/0"), {"", "creds"}, false, false);
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(), "secret \"creds\" not found");
  // The reader labels it by reading with URI and label, then reads by label alone.
  ASSERT_TRUE(secrets_.GetContent(env_.UnitId("app/0"), {"secret:" + *id, "creds"}, false, false).ok());
  EXPECT_EQ(secrets_.GetContent(env_.UnitId("app/0"), {"", "creds"}, false, false)->content.at("token"), "abc");
  auto info = secrets_.Info(env_.UnitId("db/0"), {"", "db-token"});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->id, *id);
  EXPECT_EQ(info->owner_kind, OwnerKind::kApplication);
  ASSERT_EQ(info->access.size(), 1u);
  EXPECT_EQ(info->access[0].target, "application-app");
  // Info is for owners.
  EXPECT_TRUE(absl::IsNotFound(secrets_.Info(env_.UnitId("app/0"), {"secret:" + *id, ""}).status()));
}

TEST_F(SecretTest, RemoveTakesARevisionOrTheWholeSecretAndIdsListWhatTheUnitOwns) {
  std::string uri = "secret:" + AddDbSecret();
  ASSERT_TRUE(secrets_.UpdateOwned(env_.UnitId("db/0"), {uri, ""}, WithContent({{"password", "two"}})).ok());
  auto unit_owned = secrets_.AddOwned(env_.UnitId("db/1"), OwnerKind::kUnit, WithContent({{"key", "v"}}));
  EXPECT_EQ(*secrets_.OwnedIds(env_.UnitId("db/0")), std::vector<std::string>{uri});
  EXPECT_EQ(secrets_.OwnedIds(env_.UnitId("db/1"))->size(), 2u);
  EXPECT_TRUE(absl::IsNotFound(secrets_.RemoveOwned(env_.UnitId("db/0"), uri, 7)));
  ASSERT_TRUE(secrets_.RemoveOwned(env_.UnitId("db/0"), uri, 1).ok());
  EXPECT_EQ(Get("db/0", uri)->content.at("password"), "two");
  EXPECT_TRUE(absl::IsPermissionDenied(secrets_.RemoveOwned(env_.UnitId("db/0"), "secret:" + *unit_owned, {})));
  ASSERT_TRUE(secrets_.RemoveOwned(env_.UnitId("db/0"), uri, {}).ok());
  auto gone = Get("db/0", uri);
  EXPECT_TRUE(absl::IsNotFound(gone.status()));
  EXPECT_EQ(gone.status().message(), "secret \"" + uri + "\" not found");
  EXPECT_EQ(env_.Count("secret_revisions"), 1);  // the unit-owned secret's
}

TEST_F(SecretTest, UserSecretsAreNamedUpdatedGrantedToApplicationsAndShown) {
  auto id = secrets_.AddUserSecret("test", "creds", "the db login", {{"username", "admin"}});
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_TRUE(absl::IsAlreadyExists(secrets_.AddUserSecret("test", "creds", "", {{"username", "x"}}).status()));
  std::string uri = "secret:" + *id;
  EXPECT_TRUE(absl::IsPermissionDenied(Get("app/0", uri).status()));
  ASSERT_TRUE(secrets_.GrantUserSecret("test", "creds", {"app"}).ok());
  EXPECT_TRUE(absl::IsNotFound(secrets_.GrantUserSecret("test", "creds", {"nope"})));
  EXPECT_EQ(Get("app/0", uri)->content.at("username"), "admin");
  SecretService::UserUpdate update;
  update.content = SecretContent{{"username", "root"}};
  update.name = "login";
  ASSERT_TRUE(secrets_.UpdateUserSecret("test", uri, update).ok());
  auto shown = secrets_.Show("test", "login", true, {});
  ASSERT_TRUE(shown.ok()) << shown.status();
  EXPECT_EQ(shown->metadata.latest_revision, 2);
  EXPECT_EQ(shown->metadata.owner_kind, OwnerKind::kModel);
  EXPECT_EQ(shown->metadata.description, "the db login");
  EXPECT_EQ(shown->metadata.revisions.size(), 2u);
  EXPECT_EQ(shown->metadata.created, "2026-01-01T00:00:00Z");
  ASSERT_EQ(shown->metadata.access.size(), 1u);
  EXPECT_EQ(shown->metadata.access[0].scope.rfind("model-", 0), 0u);
  EXPECT_EQ(shown->content->content.at("username"), "root");
  EXPECT_EQ(secrets_.Show("test", uri, true, 1)->content->content.at("username"), "admin");
  AddDbSecret();
  EXPECT_EQ(secrets_.List("test", "")->size(), 2u);
  EXPECT_EQ(secrets_.List("test", "model")->size(), 1u);
  EXPECT_EQ(secrets_.List("test", "application-db")->size(), 1u);
  EXPECT_EQ(secrets_.List("test", "db")->size(), 1u);
  // A charm's secret is not the user's to change.
  auto charm_secret = secrets_.List("test", "db")->at(0).id;
  EXPECT_TRUE(absl::IsFailedPrecondition(secrets_.RemoveUserSecret("test", charm_secret, {})));
  ASSERT_TRUE(secrets_.RevokeUserSecret("test", "login", {"app"}).ok());
  EXPECT_TRUE(absl::IsPermissionDenied(Get("app/0", uri).status()));
  ASSERT_TRUE(secrets_.RemoveUserSecret("test", "login", {}).ok());
  EXPECT_TRUE(absl::IsNotFound(secrets_.Show("test", uri, false, {}).status()));
  EXPECT_TRUE(absl::IsNotFound(secrets_.List("nope", "").status()));
}

// The secret hooks a unit's snapshot lists (secret_hooks.h).
domain::secret::UnitSecretHooks HooksOf(DomainEnv& env, const std::string& unit) {
  domain::secret::UnitSecretHooks out;
  domain::UnitRow u = env.Unit(unit);
  domain::AppRow app = env.App(unit.substr(0, unit.find('/')));
  EXPECT_TRUE(env.db->Read([&](domain::Tx& tx) {
                    out = domain::secret::SecretHooksForUnit(tx, u, app);
                    return absl::OkStatus();
                  })
                  .ok());
  return out;
}

TEST_F(SecretTest, HookEventsGoToReadersAndToTheManagingOwnerAndARotationMovesOnAfterItsHook) {
  SecretUpdate add = WithContent({{"password", "one"}});
  add.label = "db-pass";
  add.rotate = domain::secret::RotatePolicy::kHourly;
  auto id = secrets_.AddOwned(env_.UnitId("db/0"), OwnerKind::kApplication, add);
  ASSERT_TRUE(id.ok()) << id.status();
  const std::string uri = "secret:" + *id;
  ASSERT_TRUE(secrets_.Grant(env_.UnitId("db/0"), uri, RelationId(), "").ok());
  ASSERT_EQ(Get("app/0", uri)->revision, 1);

  // The leader manages the application's secret: its rotation is the leader's, due an hour after
  // it was added (the clock starts at 2026-01-01T00:00:00Z).
  auto leader = HooksOf(env_, "db/0");
  ASSERT_EQ(leader.rotate.size(), 1u);
  EXPECT_EQ(leader.rotate[0].uri, uri);
  EXPECT_EQ(leader.rotate[0].label, "db-pass");
  EXPECT_EQ(FormatRfc3339(leader.rotate[0].due), "2026-01-01T01:00:00Z");
  EXPECT_TRUE(HooksOf(env_, "db/1").rotate.empty()) << "a follower does not rotate the application's secret";
  EXPECT_TRUE(leader.obsolete.empty());
  EXPECT_TRUE(HooksOf(env_, "app/0").changed.empty());

  // A new revision: the reader's secret-changed; revision 1 is still read, so nothing to remove.
  ASSERT_TRUE(secrets_.UpdateOwned(env_.UnitId("db/0"), {uri, ""}, WithContent({{"password", "two"}})).ok());
  auto reader = HooksOf(env_, "app/0");
  ASSERT_EQ(reader.changed.size(), 1u);
  EXPECT_EQ(reader.changed[0].uri, uri);
  EXPECT_EQ(reader.changed[0].revision, 2);
  EXPECT_TRUE(HooksOf(env_, "db/0").obsolete.empty());
  EXPECT_TRUE(HooksOf(env_, "db/0").changed.empty()) << "owners read the latest";

  // The reader moves to revision 2: revision 1 is obsolete, the owner's secret-remove.
  ASSERT_EQ(Get("app/0", uri, false, /*refresh=*/true)->revision, 2);
  EXPECT_TRUE(HooksOf(env_, "app/0").changed.empty());
  auto obsolete = HooksOf(env_, "db/0").obsolete;
  ASSERT_EQ(obsolete.size(), 1u);
  EXPECT_EQ(obsolete[0].revision, 1);
  EXPECT_TRUE(HooksOf(env_, "db/1").obsolete.empty());
  ASSERT_TRUE(secrets_.RemoveOwned(env_.UnitId("db/0"), uri, 1).ok());
  EXPECT_TRUE(HooksOf(env_, "db/0").obsolete.empty());

  // An expiry on the latest revision.
  SecretUpdate expire;
  expire.expire = "30m";
  ASSERT_TRUE(secrets_.UpdateOwned(env_.UnitId("db/0"), {uri, ""}, expire).ok());
  auto expiring = HooksOf(env_, "db/0").expired;
  ASSERT_EQ(expiring.size(), 1u);
  EXPECT_EQ(expiring[0].revision, 2);
  EXPECT_EQ(FormatRfc3339(expiring[0].due), "2026-01-01T00:30:00Z");

  // The rotate hook's commit schedules the next rotation from the commit's time.
  env_.clock.Advance(std::chrono::hours(2));
  domain::hook::HookCommit commit;
  commit.commit_seq = 1;
  commit.secrets_rotated = {uri};
  ASSERT_TRUE(env_.hooks->Commit(env_.UnitId("db/0"), commit).ok());
  EXPECT_EQ(FormatRfc3339(HooksOf(env_, "db/0").rotate[0].due), "2026-01-01T03:00:00Z");
  // A secret gone meanwhile does not fail the commit.
  commit.commit_seq = 2;
  commit.secrets_rotated = {"secret:aaaaaaaaaaaaaaaaaaaa"};
  EXPECT_TRUE(env_.hooks->Commit(env_.UnitId("db/0"), commit).ok());
}

TEST(SecretIdTest, UrisInEveryFormNameTheBareId) {
  const std::string id = domain::secret::NewSecretId(std::chrono::system_clock::now());
  for (const std::string& uri : {id, "secret:" + id, "secret://0a1b2c3d-0000-4000-8000-000000000000/" + id}) {
    auto parsed = domain::secret::ParseSecretUri(uri);
    ASSERT_TRUE(parsed.ok()) << uri;
    EXPECT_EQ(parsed->id, id);
  }
  auto bad = domain::secret::ParseSecretUri("secret:nope");
  EXPECT_EQ(bad.status().message(), "secret \"secret:nope\" not found");
}

TEST(SecretKeyFileTest, CreatedOnceWithMode0600AndReadBackTheSame) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/secrets.key";
  auto first = domain::secret::LoadOrCreateKeyFile(path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(*domain::secret::LoadOrCreateKeyFile(path), *first);
  auto cipher = SecretCipher::FromKey(*first);
  ASSERT_TRUE(cipher.ok());
  auto sealed = cipher->Seal("abc");
  EXPECT_EQ(*cipher->Open(sealed), "abc");
  sealed.ciphertext[0] ^= 1;
  EXPECT_TRUE(absl::IsDataLoss(cipher->Open(sealed).status()));
}

}  // namespace
}  // namespace skein::controller
