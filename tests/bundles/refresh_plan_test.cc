// `skein refresh` as a plan (bundles/refresh_plan.h): which charm the flags choose, Juju's
// refusals (already up-to-date, a relation the new revision breaks, a track off the declared
// upgrade path) with the texts a user reads, and the walk of istio-pilot's upgrade path in the
// embedded store, one refresh and one wait per track.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bundles/refresh_plan.h"
#include "bundles/store.h"
#include "gtest/gtest.h"
#include "tests/bundles/plan_test_util.h"

namespace skein::bundles {
namespace {

using charm::Role;
using testing::Ep;
using testing::Lines;
using testing::StoreCharm;

ModelApplication Running(const std::string& name, const std::string& charm, const std::string& channel,
                         int64_t revision) {
  return ModelApplication{
      .name = name, .charm = charm, .charm_origin = "charmhub", .channel = channel, .revision = revision, .num_units = 1};
}

TEST(RefreshTargetTest, FollowsJujusResolution) {
  const ModelApplication app = Running("kfp-api", "kfp-api", "2.0/stable", 1234);
  // No flags: the newest revision of the tracked channel.
  auto plain = RefreshTarget(app, {});
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->charm, "kfp-api");
  EXPECT_EQ(plain->channel, "2.0/stable");
  EXPECT_FALSE(plain->revision.has_value());
  // --channel switches the tracked channel.
  auto channel = RefreshTarget(app, {.channel = "2.2/stable"});
  ASSERT_TRUE(channel.ok());
  EXPECT_EQ(channel->channel, "2.2/stable");
  EXPECT_FALSE(channel->revision.has_value());
  // --revision pins a revision and keeps the channel, or takes --channel's.
  auto pinned = RefreshTarget(app, {.revision = 1100});
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->channel, "2.0/stable");
  EXPECT_EQ(pinned->revision, 1100);
  EXPECT_EQ(RefreshTarget(app, {.channel = "2.2/edge", .revision = 7})->channel, "2.2/edge");
  // --switch names another charm, in the tracked channel unless --channel says otherwise.
  auto switched = RefreshTarget(app, {.switch_to = "kfp-api-ng"});
  ASSERT_TRUE(switched.ok());
  EXPECT_EQ(switched->charm, "kfp-api-ng");
  EXPECT_EQ(switched->channel, "2.0/stable");
  // --path is a local charm.
  auto local = RefreshTarget(app, {.path = "/src/kfp-api"});
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->charm_path, "/src/kfp-api");
}

TEST(RefreshTargetTest, RefusesFlagsJujuRefuses) {
  const ModelApplication app = Running("kfp-api", "kfp-api", "2.0/stable", 1234);
  EXPECT_EQ(RefreshTarget(app, {.revision = 3, .switch_to = "x"}).status().message(),
            "--switch and --revision are mutually exclusive");
  EXPECT_EQ(RefreshTarget(app, {.revision = 3, .path = "/x"}).status().message(),
            "--path and --revision are mutually exclusive");
  EXPECT_EQ(RefreshTarget(app, {.switch_to = "x", .path = "/x"}).status().message(),
            "--switch and --path are mutually exclusive");
  ModelApplication local = app;
  local.charm_origin = "local";
  local.channel = "";
  EXPECT_EQ(RefreshTarget(local, {}).status().message(), "upgrading a local charm requires either --path or --switch");
  EXPECT_TRUE(RefreshTarget(local, {.path = "/x"}).ok());
}

// web (1/stable rev 5) related to db; web's track 2 (rev 7) turns `secrets` round and drops
// nothing else; track 3 (rev 9) drops `db`.
class RefreshPlanTest : public ::testing::Test {
 protected:
  RefreshPlanTest() {
    model_.applications = {Running("web", "web", "1/stable", 5), Running("db", "db", "1/stable", 10),
                           Running("dispatcher", "dispatcher", "1/stable", 93)};
    model_.relations = {ModelRelation{"db:database", "web:db", "mysql"},
                        ModelRelation{"web:secrets", "dispatcher:secrets", "secrets"}};
  }

  ResolvedCharm Web(const std::string& channel, int64_t revision) {
    if (channel == "1/stable") {
      return StoreCharm("web", channel, revision,
                        {Ep("db", Role::kRequires, "mysql"), Ep("secrets", Role::kProvides, "secrets")});
    }
    if (channel == "2/stable") {
      return StoreCharm("web", channel, revision,
                        {Ep("db", Role::kRequires, "mysql"), Ep("secrets", Role::kRequires, "kubernetes_manifest")});
    }
    return StoreCharm("web", channel, revision, {Ep("secrets", Role::kProvides, "secrets")});
  }

  ModelDescription model_;
  CharmSource source_{[](const Application& app) -> absl::StatusOr<ResolvedCharm> {
                        return absl::NotFoundError(absl::StrCat("unexpected resolve of ", app.charm));
                      },
                      nullptr};
};

TEST_F(RefreshPlanTest, ANewRevisionIsAnUploadAndARefresh) {
  auto plan = MakeRefreshPlan(model_, "web", Web("1/stable", 6), source_, {.config = {{"size", "4"}}});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Lines(*plan),
            (std::vector<std::string>{
                "addCharm-0: upload charm web from charm-hub from channel 1/stable with architecture=amd64",
                "upgradeCharm-1 <- addCharm-0: upgrade web from charm-hub using charm web from channel 1/stable, "
                "revision 6 (now 1/stable, revision 5)"}));
  const auto& refresh = std::get<RefreshApplication>(plan->changes[1].args);
  EXPECT_EQ(refresh.config, (std::map<std::string, std::string>{{"size", "4"}}));
  EXPECT_TRUE(plan->OfKind(ChangeKind::kWait).empty());
  // Applied, the application runs revision 6 with the user's size; refreshing again is a no-op.
  ASSERT_TRUE(testing::ApplyPlan(*plan, model_).ok());
  const ModelApplication* web = testing::FindApplication(model_, "web");
  EXPECT_EQ(web->revision, 6);
  EXPECT_EQ(web->options.at("size"), 4);
  EXPECT_EQ(MakeRefreshPlan(model_, "web", Web("1/stable", 6), source_).status().message(),
            "charm \"web\": already up-to-date");
}

TEST_F(RefreshPlanTest, TheRunningRevisionIsAlreadyUpToDateInAnyChannel) {
  for (const char* channel : {"1/stable", "1/edge", "2/stable"}) {
    ResolvedCharm same = Web("1/stable", 5);
    same.channel = channel;
    auto plan = MakeRefreshPlan(model_, "web", same, source_);
    EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition) << channel;
    EXPECT_EQ(plan.status().message(), "charm \"web\": already up-to-date") << channel;
  }
  // --force does not make a no-op a refresh.
  EXPECT_FALSE(MakeRefreshPlan(model_, "web", Web("1/stable", 5), source_, {.force = true}).ok());
}

TEST_F(RefreshPlanTest, ALocalCharmAlwaysRefreshes) {
  ResolvedCharm local = Web("1/stable", 0);
  local.origin = "local";
  local.channel = "";
  for (int round = 0; round < 2; ++round) {
    auto plan = MakeRefreshPlan(model_, "web", local, source_);
    ASSERT_TRUE(plan.ok()) << "round " << round << ": " << plan.status();
    EXPECT_EQ(Lines(*plan), (std::vector<std::string>{"addCharm-0: upload charm web from local",
                                                      "upgradeCharm-1 <- addCharm-0: upgrade web from local using "
                                                      "charm web"}));
    ASSERT_TRUE(testing::ApplyPlan(*plan, model_).ok());
    EXPECT_EQ(testing::FindApplication(model_, "web")->charm_origin, "local");
  }
}

TEST_F(RefreshPlanTest, ARevisionThatBreaksLiveRelationsIsRefusedNamingEach) {
  // Each refusal names every relation the new revision breaks and the command that removes it.
  auto turned = MakeRefreshPlan(model_, "web", Web("2/stable", 7), source_);
  EXPECT_EQ(turned.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(turned.status().message(),
            "cannot refresh application \"web\" to charm \"web\" revision 7: it would break 1 live relation; remove "
            "each first, or refresh with --force to remove them as part of the refresh:\n"
            "  skein remove-relation web:secrets dispatcher:secrets  (web:secrets becomes requires, interface "
            "kubernetes_manifest)");

  model_.relations.push_back(ModelRelation{"db:database", "web:db-replica", "mysql"});
  auto dropped = MakeRefreshPlan(model_, "web", Web("3/stable", 9), source_);
  EXPECT_EQ(dropped.status().message(),
            "cannot refresh application \"web\" to charm \"web\" revision 9: it would break 2 live relations; remove "
            "each first, or refresh with --force to remove them as part of the refresh:\n"
            "  skein remove-relation db:database web:db  (web has no \"db\" endpoint any more)\n"
            "  skein remove-relation db:database web:db-replica  (web has no \"db-replica\" endpoint any more)");
  // The same, as data.
  auto broken = RelationsBrokenBy(model_, "web", Web("3/stable", 9).metadata);
  ASSERT_EQ(broken.size(), 2u);
  EXPECT_EQ(broken[0].why, BrokenRelation::Why::kEndpointGone);
  EXPECT_EQ(broken[0].endpoint, "web:db");
}

TEST_F(RefreshPlanTest, ForceRemovesTheBrokenRelationsBeforeTheRefresh) {
  auto plan = MakeRefreshPlan(model_, "web", Web("2/stable", 7), source_, {.force = true});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Lines(*plan),
            (std::vector<std::string>{
                "removeRelation-0: remove relation web:secrets - dispatcher:secrets (refreshing web breaks it)",
                "addCharm-1: upload charm web from charm-hub from channel 2/stable with architecture=amd64",
                "upgradeCharm-2 <- removeRelation-0,addCharm-1: upgrade web from charm-hub using charm web from "
                "channel 2/stable, revision 7 (now 1/stable, revision 5)"}));
  EXPECT_TRUE(std::get<RefreshApplication>(plan->changes[2].args).force);
  ASSERT_TRUE(testing::ApplyPlan(*plan, model_).ok());
  ASSERT_EQ(model_.relations.size(), 1u);
  EXPECT_EQ(model_.relations[0].requirer, "web:db");
}

TEST_F(RefreshPlanTest, ConfigIsCheckedAgainstTheNewRevision) {
  auto plan = MakeRefreshPlan(model_, "web", Web("1/stable", 6), source_, {.config = {{"colour", "red"}}});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.status().message(), "application \"web\": unknown option \"colour\"");
  EXPECT_EQ(MakeRefreshPlan(model_, "nope", Web("1/stable", 6), source_).status().message(),
            "application \"nope\" not found");
}

// istio-pilot in the embedded store declares the path 1.16 -> 1.17 -> ... -> 1.28.
class IstioRefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open({});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    source_.resolve = [this](const Application& app) {
      return store_->ResolveCharm(app.charm, app.channel, app.revision);
    };
    source_.upgrade_path = [this](const std::string& charm) { return store_->UpgradePathOf(charm); };
    auto running = store_->ResolveCharm("istio-pilot", "1.17/stable", std::nullopt);
    ASSERT_TRUE(running.ok()) << running.status();
    model_.applications.push_back(Running("istio-pilot", "istio-pilot", "1.17/stable", running->revision));
  }

  absl::StatusOr<Plan> RefreshTo(const RefreshFlags& flags, RefreshOptions options = {}) {
    auto target = RefreshTarget(model_.applications[0], flags);
    if (!target.ok()) return target.status();
    auto charm = source_.resolve(*target);
    if (!charm.ok()) return charm.status();
    return MakeRefreshPlan(model_, "istio-pilot", *charm, source_, options);
  }

  std::unique_ptr<Store> store_;
  CharmSource source_;
  ModelDescription model_;
};

TEST_F(IstioRefreshTest, ACrossTrackRefreshWalksTheUpgradePathOneTrackAndOneWaitAtATime) {
  auto plan = RefreshTo({.channel = "1.20/stable"});
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(testing::CheckOrder(*plan).ok());
  std::vector<std::string> tracks;
  std::string previous_wait;
  for (const Change* c : plan->OfKind(ChangeKind::kRefreshApplication)) {
    const auto& r = std::get<RefreshApplication>(c->args);
    tracks.push_back(r.channel);
    // Each step starts after the previous one settled.
    if (!previous_wait.empty()) {
      EXPECT_NE(std::find(c->depends_on.begin(), c->depends_on.end(), previous_wait), c->depends_on.end()) << c->id;
    }
    // The next change waits for this refresh.
    const Change& wait = plan->changes[c - plan->changes.data() + 1];
    ASSERT_EQ(wait.kind(), ChangeKind::kWait) << c->id;
    EXPECT_EQ(wait.depends_on, std::vector<std::string>{c->id});
    EXPECT_EQ(std::get<WaitForApplications>(wait.args).applications, std::vector<std::string>{"istio-pilot"});
    previous_wait = wait.id;
  }
  EXPECT_EQ(tracks, (std::vector<std::string>{"1.18/stable", "1.19/stable", "1.20/stable"}));
  // Each refresh starts where the previous one left the application.
  const auto refreshes = plan->OfKind(ChangeKind::kRefreshApplication);
  EXPECT_EQ(std::get<RefreshApplication>(refreshes[1]->args).from_channel, "1.18/stable");
  EXPECT_EQ(std::get<RefreshApplication>(refreshes[1]->args).from_revision,
            std::get<RefreshApplication>(refreshes[0]->args).revision);
  // Applied, the application runs 1.20's revision and the same refresh has nothing to do.
  ASSERT_TRUE(testing::ApplyPlan(*plan, model_).ok());
  EXPECT_EQ(model_.applications[0].channel, "1.20/stable");
  EXPECT_EQ(model_.applications[0].revision, store_->ResolveCharm("istio-pilot", "1.20/stable", std::nullopt)->revision);
  EXPECT_EQ(RefreshTo({}).status().message(), "charm \"istio-pilot\": already up-to-date");
}

TEST_F(IstioRefreshTest, AStepWithinATrackHasNoWait) {
  auto plan = RefreshTo({.channel = "1.18/stable"});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->changes.size(), 2u) << FormatPlan(*plan, "plan:");
  EXPECT_TRUE(plan->OfKind(ChangeKind::kWait).empty());
}

TEST_F(IstioRefreshTest, ADowngradeOrATrackOffThePathIsRefusedWithThePath) {
  model_.applications[0].channel = "1.22/stable";
  model_.applications[0].revision = store_->ResolveCharm("istio-pilot", "1.22/stable", std::nullopt)->revision;
  auto down = RefreshTo({.channel = "1.17/stable"});
  EXPECT_EQ(down.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(down.status().message(),
            "charm \"istio-pilot\" cannot go from track 1.22 down to 1.17: its upgrade path is 1.16 -> 1.17 -> 1.18 -> "
            "1.19 -> 1.20 -> 1.21 -> 1.22 -> 1.23 -> 1.24 -> 1.25 -> 1.26 -> 1.27 -> 1.28");
  // --force goes straight there, in one refresh.
  auto forced = RefreshTo({.channel = "1.17/stable"}, {.force = true});
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(forced->OfKind(ChangeKind::kRefreshApplication).size(), 1u);
  EXPECT_TRUE(forced->OfKind(ChangeKind::kWait).empty());

  // A track the path does not reach: an application tracking one is refused back onto it.
  model_.applications[0].channel = "latest/stable";
  auto off = RefreshTo({.channel = "1.24/stable"});
  EXPECT_EQ(off.status().message(),
            "charm \"istio-pilot\" upgrades only along its upgrade path 1.16 -> 1.17 -> 1.18 -> 1.19 -> 1.20 -> 1.21 -> "
            "1.22 -> 1.23 -> 1.24 -> 1.25 -> 1.26 -> 1.27 -> 1.28; track latest is not on it");
}

TEST(DowngradeOfTest, ComparesByPathThenTrackVersionThenRevision) {
  auto down = [](const std::string& from_channel, int64_t from_revision, const std::string& channel, int64_t revision,
                 std::optional<UpgradePath> path = std::nullopt) {
    ResolvedCharm target = StoreCharm("kfp-api", channel, revision, {});
    return DowngradeOf(Running("kfp-api", "kfp-api", from_channel, from_revision), target, path).has_value();
  };
  // Within a track, by revision.
  EXPECT_TRUE(down("2.0/stable", 1234, "2.0/stable", 1100));
  EXPECT_FALSE(down("2.0/stable", 1100, "2.0/stable", 1234));
  // Between version tracks, by version, whatever the revisions (a backport to an older track
  // has a newer revision).
  EXPECT_TRUE(down("2.2/stable", 1000, "2.0/stable", 1100));
  EXPECT_FALSE(down("2.0/stable", 1100, "2.2/stable", 1000));
  EXPECT_TRUE(down("ckf-1.9/stable", 10, "ckf-1.8/stable", 20));
  EXPECT_FALSE(down("1.9/stable", 10, "1.10/stable", 5));
  // Tracks that do not compare: by revision.
  EXPECT_TRUE(down("latest/stable", 10, "1.0/stable", 5));
  EXPECT_FALSE(down("1.14/stable", 1, "ckf-1.9/stable", 2));
  // Along a declared path, by the path (the store numbers istio-pilot 1.22 as revision 3 and 1.21 as 7).
  const UpgradePath path{{"1.21", "1.22", "1.23"}};
  EXPECT_FALSE(down("1.21/stable", 7, "1.22/stable", 3, path));
  EXPECT_TRUE(down("1.22/stable", 3, "1.21/stable", 7, path));
  // Another charm (--switch) or a local charm is not a downgrade.
  ResolvedCharm other = StoreCharm("kfp-api-ng", "2.0/stable", 1, {});
  EXPECT_FALSE(DowngradeOf(Running("kfp-api", "kfp-api", "2.0/stable", 1234), other, std::nullopt).has_value());
}

TEST_F(RefreshPlanTest, ARefreshToAnOlderRevisionWarns) {
  auto plan = MakeRefreshPlan(model_, "web", Web("1/stable", 4), source_);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->downgrades.size(), 1u);
  EXPECT_EQ(DescribeDowngrade(plan->downgrades[0]), "warning: downgrade web from revision 5 (1/stable) to 4 (1/stable)");
}

}  // namespace
}  // namespace skein::bundles
