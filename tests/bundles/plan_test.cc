// The planner's rules (bundles/plan.h) on small hand-made bundles and charms: what is deployed,
// refreshed (by channel and by revision), configured, scaled, related, and what is removed or
// left in place, with the ids each change depends on.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bundles/bundle.h"
#include "bundles/plan.h"
#include "gtest/gtest.h"
#include "tests/bundles/plan_test_util.h"

namespace skein::bundles {
namespace {

using testing::Ep;
using testing::Lines;
using testing::StoreCharm;

using charm::Role;

// Two releases of each charm: db and web keep their endpoints; `dispatcher` turns its
// `secrets` endpoint from requires (interface secrets) into provides (kubernetes_manifest) in
// track 2, and web follows it.
class PlanTest : public ::testing::Test {
 protected:
  PlanTest() {
    for (const auto& [channel, revision] : std::vector<std::pair<std::string, int64_t>>{{"1/stable", 10}, {"2/stable", 20}}) {
      Add(StoreCharm("db", channel, revision, {Ep("database", Role::kProvides, "mysql")}));
    }
    Add(StoreCharm("web", "1/stable", 5,
              {Ep("db", Role::kRequires, "mysql"), Ep("secrets", Role::kProvides, "secrets")}));
    Add(StoreCharm("web", "2/stable", 7,
              {Ep("db", Role::kRequires, "mysql"), Ep("secrets", Role::kRequires, "kubernetes_manifest")}));
    Add(StoreCharm("dispatcher", "1/stable", 93, {Ep("secrets", Role::kRequires, "secrets")}));
    Add(StoreCharm("dispatcher", "2/stable", 182, {Ep("secrets", Role::kProvides, "kubernetes_manifest")}));
    resolve_ = [this](const Application& app) -> absl::StatusOr<ResolvedCharm> {
      auto it = charms_.find(app.charm + " " + app.channel);
      if (!app.charm_path.empty()) {
        // A local charm: its archive is whatever `local_archive_` says it is now.
        ResolvedCharm c = StoreCharm("db", "", 0, {Ep("database", Role::kProvides, "mysql")});
        c.origin = "local";
        c.archive_sha256 = local_archive_;
        return c;
      }
      if (it == charms_.end()) return absl::NotFoundError(absl::StrCat("no charm ", app.charm, " ", app.channel));
      ResolvedCharm c = it->second;
      if (app.revision) c.revision = *app.revision;  // a pinned revision of the same release
      return c;
    };
  }

  void Add(const ResolvedCharm& c) { charms_[c.name + " " + c.channel] = c; }

  Bundle Parse(const std::string& yaml) {
    auto bundle = ParseBundle(SourceFile{yaml, "/"}, {});
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    return bundle.ok() ? *bundle : Bundle{};
  }

  // The model as `yaml` leaves an empty one.
  ModelDescription Deployed(const std::string& yaml) {
    ModelDescription model;
    auto plan = MakePlan(Parse(yaml), resolve_, model);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (plan.ok()) {
      EXPECT_TRUE(testing::ApplyPlan(*plan, model).ok());
    }
    return model;
  }

  Plan MustPlan(const std::string& yaml, const ModelDescription& model, PlanOptions options = {}) {
    auto plan = MakePlan(Parse(yaml), resolve_, model, options);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return Plan{};
    EXPECT_TRUE(testing::CheckOrder(*plan).ok()) << testing::CheckOrder(*plan);
    return *plan;
  }

  std::map<std::string, ResolvedCharm> charms_;
  std::string local_archive_ = "1111";
  CharmResolver resolve_;
};

ModelApplication& FindApplicationIn(ModelDescription& model, const std::string& name) {
  ModelApplication* a = testing::FindApplication(model, name);
  EXPECT_NE(a, nullptr) << name;
  static ModelApplication none;
  return a != nullptr ? *a : none;
}

std::vector<std::string> KeptLines(const Plan& plan) {
  std::vector<std::string> out;
  for (const Kept& k : plan.kept) out.push_back(DescribeKept(k));
  return out;
}

// A bundle of db and web, related, with db's entry as given.
std::string WithDb(const std::string& db) {
  return absl::StrCat("applications:\n  db: ", db,
                      "\n  web: {charm: web, channel: 1/stable, num_units: 2}\nrelations:\n- [web, db]\n");
}

const std::string kV1 = WithDb("{charm: db, channel: 1/stable, num_units: 1, options: {size: 3}}");

TEST_F(PlanTest, AFreshDeployUploadsDeploysThenRelates) {
  // A second application of the db charm shares its upload.
  Plan fresh = MustPlan(R"(
applications:
  db: {charm: db, channel: 1/stable, num_units: 1, options: {size: 3}}
  replica: {charm: db, channel: 1/stable, num_units: 1}
  web: {charm: web, channel: 1/stable, num_units: 2}
relations:
- [web, db]
)",
                        {});
  EXPECT_EQ(Lines(fresh), (std::vector<std::string>{
                              "addCharm-0: upload charm db from charm-hub from channel 1/stable with architecture=amd64",
                              "deploy-1 <- addCharm-0: deploy application db from charm-hub with 1 unit with 1/stable",
                              "deploy-2 <- addCharm-0: deploy application replica from charm-hub with 1 unit with "
                              "1/stable using db",
                              "addCharm-3: upload charm web from charm-hub from channel 1/stable with architecture=amd64",
                              "deploy-4 <- addCharm-3: deploy application web from charm-hub with 2 units with 1/stable",
                              "addRelation-5 <- deploy-4,deploy-1: add relation web:db - db:database",
                          }));
  const auto& deploy = std::get<DeployApplication>(fresh.changes[1].args);
  EXPECT_EQ(deploy.options, (std::map<std::string, std::string>{{"size", "3"}}));
  EXPECT_EQ(deploy.revision, 10);
  EXPECT_TRUE(fresh.kept.empty());
}

TEST_F(PlanTest, TheSameBundleAgainHasNothingToDo) {
  ModelDescription model = Deployed(kV1);
  Plan plan = MustPlan(kV1, model);
  EXPECT_TRUE(plan.changes.empty()) << FormatPlan(plan, "unexpected:");
  EXPECT_TRUE(plan.kept.empty());
}

// The two changes that move db from 1/stable to 2/stable.
std::vector<std::string> DbToTrack2() {
  return {"addCharm-0: upload charm db from charm-hub from channel 2/stable with architecture=amd64",
          "upgradeCharm-1 <- addCharm-0: upgrade db from charm-hub using charm db from channel 2/stable, revision 20 "
          "(now 1/stable, revision 10)"};
}

TEST_F(PlanTest, ANewChannelIsARefresh) {
  ModelDescription model = Deployed(kV1);
  Plan plan = MustPlan(WithDb("{charm: db, channel: 2/stable, num_units: 1, options: {size: 3}}"),
                       model);
  EXPECT_EQ(Lines(plan), DbToTrack2());
  const auto& refresh = std::get<RefreshApplication>(plan.changes[1].args);
  EXPECT_EQ(refresh.from_channel, "1/stable");
  EXPECT_EQ(refresh.channel, "2/stable");
  EXPECT_EQ(refresh.revision, 20);
}

TEST_F(PlanTest, ANewRevisionInTheSameChannelIsARefresh) {
  ModelDescription model = Deployed(kV1);
  Plan plan = MustPlan(WithDb("{charm: db, channel: 1/stable, revision: 12, num_units: 1, options: {size: 3}}"),
                       model);
  ASSERT_EQ(plan.OfKind(ChangeKind::kRefreshApplication).size(), 1u) << FormatPlan(plan, "plan:");
  const auto& refresh = std::get<RefreshApplication>(plan.OfKind(ChangeKind::kRefreshApplication)[0]->args);
  EXPECT_EQ(refresh.application, "db");
  EXPECT_EQ(refresh.from_revision, 10);
  EXPECT_EQ(refresh.revision, 12);
  EXPECT_EQ(refresh.channel, "1/stable");

  // The channel now serves a newer revision than the model runs: that is a refresh too.
  testing::FindApplication(model, "db")->revision = 9;
  Plan newer = MustPlan(kV1, model);
  ASSERT_EQ(newer.OfKind(ChangeKind::kRefreshApplication).size(), 1u) << FormatPlan(newer, "plan:");
  EXPECT_EQ(std::get<RefreshApplication>(newer.OfKind(ChangeKind::kRefreshApplication)[0]->args).revision, 10);
}

TEST_F(PlanTest, ALocalCharmIsRefreshedWhenItsArchiveChanged) {
  const std::string yaml = "applications:\n  db: {charm: ./db, num_units: 1}\n";
  ModelDescription model = Deployed(yaml);
  ASSERT_EQ(FindApplicationIn(model, "db").charm_sha256, "1111");
  Plan same = MustPlan(yaml, model);
  EXPECT_TRUE(same.changes.empty()) << FormatPlan(same, "unexpected:");

  // The charm directory changed: its packed archive differs, so it is uploaded and refreshed.
  local_archive_ = "2222";
  Plan changed = MustPlan(yaml, model);
  EXPECT_EQ(Lines(changed), (std::vector<std::string>{
                                "addCharm-0: upload charm db from local",
                                "upgradeCharm-1 <- addCharm-0: upgrade db from local using charm db",
                            }));
  ASSERT_TRUE(testing::ApplyPlan(changed, model).ok());
  EXPECT_TRUE(MustPlan(yaml, model).changes.empty());

  // A model view without the digest (an older controller) cannot tell: the charm is left alone.
  FindApplicationIn(model, "db").charm_sha256.clear();
  local_archive_ = "3333";
  EXPECT_TRUE(MustPlan(yaml, model).changes.empty());
}

TEST_F(PlanTest, HandSetConfigIsKeptAndListed) {
  ModelDescription model = Deployed(kV1);
  ModelApplication* db = testing::FindApplication(model, "db");
  db->options["size"] = 4;
  db->hand_set_options.insert("size");
  Plan plan = MustPlan(kV1, model);  // the bundle still says size=3
  EXPECT_TRUE(plan.changes.empty()) << FormatPlan(plan, "unexpected:");
  EXPECT_EQ(KeptLines(plan),
            (std::vector<std::string>{R"(keep option size="4" of db: set by hand (the bundle has "3"))"}));
  const auto& kept = std::get<KeptOption>(plan.kept[0]);
  EXPECT_EQ(kept.application, "db");
  EXPECT_EQ(kept.key, "size");
}

TEST_F(PlanTest, ConfigTheDeploymentSetIsUpdatedAfterTheRefresh) {
  ModelDescription model = Deployed(kV1);
  Plan plan = MustPlan(WithDb("{charm: db, channel: 2/stable, num_units: 1, options: {size: 5, mode: safe}}"),
                       model);
  std::vector<std::string> expected = DbToTrack2();
  expected.push_back(R"(setOptions-2 <- upgradeCharm-1: set application options for db: mode="safe", size="5")");
  EXPECT_EQ(Lines(plan), expected);
  EXPECT_TRUE(plan.kept.empty());
}

TEST_F(PlanTest, MoreUnitsAreAdded) {
  ModelDescription model = Deployed(kV1);
  Plan plan = MustPlan(WithDb("{charm: db, channel: 1/stable, num_units: 3, options: {size: 3}}"),
                       model);
  EXPECT_EQ(Lines(plan), (std::vector<std::string>{"addUnit-0: scale db to 3 units"}));
  EXPECT_EQ(std::get<AddUnits>(plan.changes[0].args).count, 2);
}

TEST_F(PlanTest, AnApplicationWithAnotherCharmIsAnError) {
  ModelDescription model = Deployed(kV1);
  auto plan = MakePlan(Parse(R"(
applications:
  db: {charm: web, channel: 1/stable}
)"),
                       resolve_, model);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(plan.status().message(), R"(application "db" already exists with charm "db", not "web")");
}

// The model has a relation and an application of this deployment the next revision dropped, and
// an application somebody else deployed.
ModelDescription WithLeftovers(ModelDescription model) {
  model.applications.push_back(ModelApplication{
      .name = "old", .charm = "db", .charm_origin = "charmhub", .channel = "1/stable", .revision = 10, .managed = true});
  model.applications.push_back(ModelApplication{
      .name = "theirs", .charm = "db", .charm_origin = "charmhub", .channel = "1/stable", .revision = 10});
  model.relations.push_back(ModelRelation{"old:database", "web:db", "mysql"});
  model.relations.push_back(ModelRelation{"theirs:database", "web:db", "mysql"});
  return model;
}

// kV1 without its relation.
const std::string kV2 =
    "applications:\n  db: {charm: db, channel: 1/stable, num_units: 1, options: {size: 3}}\n"
    "  web: {charm: web, channel: 1/stable, num_units: 2}\n";

TEST_F(PlanTest, WithoutPruneWhatTheBundleDroppedIsListedAndLeft) {
  ModelDescription model = WithLeftovers(Deployed(kV1));
  Plan plan = MustPlan(kV2, model);
  EXPECT_TRUE(plan.changes.empty()) << FormatPlan(plan, "unexpected:");
  EXPECT_EQ(KeptLines(plan), (std::vector<std::string>{
                                 "leave relation db:database - web:db in place: not in the bundle (--prune removes it)",
                                 "leave application old in place: not in the bundle (--prune removes it)",
                                 "leave application theirs alone: not deployed by this bundle",
                             }));
}

TEST_F(PlanTest, WithPruneWhatTheBundleDroppedIsRemovedButNotOthersApplications) {
  ModelDescription model = WithLeftovers(Deployed(kV1));
  Plan plan = MustPlan(kV2, model, PlanOptions{.prune = true});
  EXPECT_EQ(Lines(plan), (std::vector<std::string>{"removeRelation-0: remove relation db:database - web:db",
                                                   "removeApplication-1: remove application old"}));
  EXPECT_EQ(KeptLines(plan), (std::vector<std::string>{"leave application theirs alone: not deployed by this bundle"}));
  ASSERT_TRUE(testing::ApplyPlan(plan, model).ok());
  EXPECT_EQ(testing::FindApplication(model, "old"), nullptr);
  ASSERT_NE(testing::FindApplication(model, "theirs"), nullptr);
  // The other deployment's relation stays.
  ASSERT_EQ(model.relations.size(), 1u);
  EXPECT_EQ(model.relations[0].provider, "theirs:database");
}

// web and dispatcher both swap the direction of `secrets`: the live relation is removed before
// the first refresh that breaks it and added again after both refreshes.
// web and dispatcher on one track, related by `secrets`.
std::string OnTrack(const std::string& track) {
  return absl::StrCat("applications:\n  web: {charm: web, channel: ", track, "/stable, num_units: 1}\n",
                      "  dispatcher: {charm: dispatcher, channel: ", track, "/stable, num_units: 1}\n",
                      "relations:\n- [web:secrets, dispatcher:secrets]\n");
}

TEST_F(PlanTest, ARelationTheNewRevisionBreaksIsRemovedFirstAndAddedAgain) {
  ModelDescription model = Deployed(OnTrack("1"));
  ASSERT_EQ(model.relations.size(), 1u);
  EXPECT_EQ(model.relations[0].provider, "web:secrets");
  Plan plan = MustPlan(OnTrack("2"), model);
  EXPECT_EQ(Lines(plan),
            (std::vector<std::string>{
                "removeRelation-0: remove relation web:secrets - dispatcher:secrets (refreshing web breaks it)",
                "addCharm-1: upload charm dispatcher from charm-hub from channel 2/stable with architecture=amd64",
                "upgradeCharm-2 <- addCharm-1,removeRelation-0: upgrade dispatcher from charm-hub using charm "
                "dispatcher from channel 2/stable, revision 182 (now 1/stable, revision 93)",
                "addCharm-3: upload charm web from charm-hub from channel 2/stable with architecture=amd64",
                "upgradeCharm-4 <- addCharm-3,removeRelation-0: upgrade web from charm-hub using charm web from "
                "channel 2/stable, revision 7 (now 1/stable, revision 5)",
                // The relation is added again once both run their new revision.
                "wait-5 <- upgradeCharm-2,upgradeCharm-4: wait for dispatcher, web to settle",
                "addRelation-6 <- removeRelation-0,wait-5: add relation web:secrets - dispatcher:secrets",
            }));
  // Applied, the relation runs the other way.
  ASSERT_TRUE(testing::ApplyPlan(plan, model).ok());
  ASSERT_EQ(model.relations.size(), 1u);
  EXPECT_EQ(model.relations[0].provider, "dispatcher:secrets");
  EXPECT_EQ(model.relations[0].interface, "kubernetes_manifest");
  EXPECT_TRUE(MustPlan(OnTrack("2"), model).changes.empty());
}

// db declares the upgrade path 1 -> 2 -> 3 and web needs nothing of it: a bundle moving db from
// track 1 to 3 refreshes it to 2, waits, refreshes it to 3, waits; web's relation to db, new in
// the bundle, is added once every refreshed application settled.
TEST_F(PlanTest, ABundleUpgradeWalksADeclaredUpgradePathOneTrackAtATime) {
  Add(StoreCharm("db", "3/stable", 30, {Ep("database", Role::kProvides, "mysql")}));
  PlanOptions options;
  options.upgrade_path = [](const std::string& charm) -> absl::StatusOr<std::optional<UpgradePath>> {
    if (charm != "db") return std::nullopt;
    return UpgradePath{{"1", "2", "3"}};
  };
  ModelDescription model = Deployed(kV2);
  Plan plan = MustPlan(WithDb("{charm: db, channel: 3/stable, num_units: 1, options: {size: 3}}"), model, options);
  EXPECT_EQ(Lines(plan),
            (std::vector<std::string>{
                "addCharm-0: upload charm db from charm-hub from channel 2/stable with architecture=amd64",
                "upgradeCharm-1 <- addCharm-0: upgrade db from charm-hub using charm db from channel 2/stable, "
                "revision 20 (now 1/stable, revision 10)",
                "wait-2 <- upgradeCharm-1: wait for db to settle",
                "addCharm-3: upload charm db from charm-hub from channel 3/stable with architecture=amd64",
                "upgradeCharm-4 <- addCharm-3,wait-2: upgrade db from charm-hub using charm db from channel 3/stable, "
                "revision 30 (now 2/stable, revision 20)",
                "wait-5 <- upgradeCharm-4: wait for db to settle",
                "addRelation-6 <- wait-5: add relation web:db - db:database",
            }));
  ASSERT_TRUE(testing::ApplyPlan(plan, model).ok());
  EXPECT_EQ(testing::FindApplication(model, "db")->revision, 30);

  // Back down the path is refused with the path to take, unless forced (one refresh straight down).
  auto down = MakePlan(Parse(kV1), resolve_, model, options);
  EXPECT_EQ(down.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(down.status().message(),
            "application \"db\": charm \"db\" cannot go from track 3 down to 1: its upgrade path is 1 -> 2 -> 3");
  options.force = true;
  Plan forced = MustPlan(kV1, model, options);
  EXPECT_EQ(forced.OfKind(ChangeKind::kRefreshApplication).size(), 1u) << FormatPlan(forced, "plan:");
  EXPECT_TRUE(forced.OfKind(ChangeKind::kWait).empty());
}

// Planning a model back to an older bundle (a rollback) refreshes each application down, lists
// each downgrade as a warning, and walks a declared upgrade path down only where the store says
// the path is reversible.
TEST_F(PlanTest, ARollbackWarnsForEachDowngradeAndWalksAReversiblePathDown) {
  Add(StoreCharm("db", "3/stable", 30, {Ep("database", Role::kProvides, "mysql")}));
  PlanOptions options;
  options.upgrade_path = [](const std::string& charm) -> absl::StatusOr<std::optional<UpgradePath>> {
    if (charm != "db") return std::nullopt;
    return UpgradePath{{"1", "2", "3"}, /*reversible=*/true};
  };
  const std::string newer = "applications:\n  db: {charm: db, channel: 3/stable, num_units: 1}\n"
                            "  web: {charm: web, channel: 2/stable, num_units: 1}\nrelations:\n- [web, db]\n";
  const std::string older = "applications:\n  db: {charm: db, channel: 1/stable, num_units: 1}\n"
                            "  web: {charm: web, channel: 1/stable, num_units: 1}\nrelations:\n- [web, db]\n";
  ModelDescription model = Deployed(newer);
  Plan plan = MustPlan(older, model, options);
  EXPECT_EQ(FormatPlan(plan, "Changes to roll back:"),
            "warning: downgrade db from revision 30 (3/stable) to 10 (1/stable)\n"
            "warning: downgrade web from revision 7 (2/stable) to 5 (1/stable)\n"
            "Changes to roll back:\n"
            "- upload charm db from charm-hub from channel 2/stable with architecture=amd64\n"
            "- upgrade db from charm-hub using charm db from channel 2/stable, revision 20 (now 3/stable, revision 30)\n"
            "- wait for db to settle\n"
            "- upload charm db from charm-hub from channel 1/stable with architecture=amd64\n"
            "- upgrade db from charm-hub using charm db from channel 1/stable, revision 10 (now 2/stable, revision 20)\n"
            "- wait for db to settle\n"
            "- upload charm web from charm-hub from channel 1/stable with architecture=amd64\n"
            "- upgrade web from charm-hub using charm web from channel 1/stable, revision 5 (now 2/stable, revision 7)\n");
  ASSERT_EQ(plan.downgrades.size(), 2u);
  EXPECT_EQ(plan.downgrades[0].application, "db");
  EXPECT_EQ(plan.downgrades[0].from_revision, 30);
  EXPECT_EQ(plan.downgrades[0].revision, 10);
  ASSERT_TRUE(testing::ApplyPlan(plan, model).ok());
  EXPECT_TRUE(MustPlan(older, model, options).changes.empty());
  // Forward again: no warnings.
  EXPECT_TRUE(MustPlan(newer, model, options).downgrades.empty());
}

}  // namespace
}  // namespace skein::bundles
