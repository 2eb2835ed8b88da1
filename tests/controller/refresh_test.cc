// `skein refresh --path` in the domain (application::RefreshInTx): a new local revision with
// config and relations kept, refusals that change nothing, and the units' snapshot moving to
// the new charm.

#include "controller/domain/application/application_service.h"
#include "controller/domain/hook/hook_service.h"
#include "controller/domain/status/status_service.h"
#include "controller/watch/snapshots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using testing::DomainEnv;
using testing::MakeCharm;
using testing::Uploaded;

constexpr char kConfig[] =
    "options:\n  port: {type: int, default: 80}\n  name: {type: string}\n  old: {type: string}\n";

domain::application::RefreshArgs Refresh(const std::string& app, const std::string& metadata,
                                         const std::string& config = "") {
  domain::application::RefreshArgs args;
  args.model = "test";
  args.application = app;
  args.charm = Uploaded(MakeCharm(metadata, config));
  return args;
}

TEST(RefreshTest, NewLocalRevisionKeepsConfigAndRelations) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(testing::kDbMetadata, kConfig), 2);
  env.Deploy("app", MakeCharm(testing::kAppMetadata), 1);
  ASSERT_TRUE(env.relations->Integrate("test", {"app:db", "db:db"}).ok());
  ASSERT_TRUE(env.apps->SetConfig("test", "db", {{"port", "5432"}, {"name", "x"}, {"old", "y"}}, {}).ok());
  const std::string old_sha = env.App("db").charm_sha256;
  const int64_t relations = env.Count("relations");

  // The new revision drops option `old`, changes `name` to an int, and adds a peer endpoint.
  std::string metadata = std::string(testing::kDbMetadata) + "  replicas:\n    interface: db-replicas\n";
  auto result = env.apps->Refresh(
      Refresh("db", metadata, "options:\n  port: {type: int, default: 80}\n  name: {type: int}\n"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->charm_url, "local:db-1");
  EXPECT_EQ(result->revision, 1);
  domain::AppRow app = env.App("db");
  EXPECT_EQ(app.charm_url, "local:db-1");
  EXPECT_NE(app.charm_sha256, old_sha);
  EXPECT_EQ(app.config, nlohmann::json({{"port", 5432}}));
  EXPECT_EQ(env.Count("relations"), relations + 1) << "the new peer endpoint has no relation";

  auto snapshot = watch::BuildUnitSnapshot(*env.db, env.UnitId("db/1"));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->snapshot.charm().url(), "local:db-1");
  EXPECT_EQ(snapshot->snapshot.charm().sha256(), app.charm_sha256);
  EXPECT_EQ(nlohmann::json::parse(snapshot->snapshot.config_json()), nlohmann::json({{"port", 5432}}));

  auto again = env.apps->Refresh(Refresh("db", metadata));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->charm_url, "local:db-2") << "every local refresh is a new revision";
}

TEST(RefreshTest, ForceUnitsReachesTheUnitsSnapshotUntilTheNextRefresh) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(testing::kDbMetadata, kConfig), 1);
  auto force_upgrade = [&] {
    auto snapshot = watch::BuildUnitSnapshot(*env.db, env.UnitId("db/0"));
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return snapshot.ok() && snapshot->snapshot.charm().force_upgrade();
  };
  EXPECT_FALSE(force_upgrade());
  domain::application::RefreshArgs forced = Refresh("db", testing::kDbMetadata, kConfig);
  forced.force_units = true;
  ASSERT_TRUE(env.apps->Refresh(forced).ok());
  EXPECT_TRUE(force_upgrade());
  EXPECT_TRUE(env.App("db").force_charm_upgrade);
  // Each refresh says again whether it forces: a plain one after it does not.
  ASSERT_TRUE(env.apps->Refresh(Refresh("db", testing::kDbMetadata, kConfig)).ok());
  EXPECT_FALSE(force_upgrade());
}

TEST(RefreshTest, RefusalsChangeNothing) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(testing::kDbMetadata), 1);
  env.Deploy("app", MakeCharm(testing::kAppMetadata), 1);
  ASSERT_TRUE(env.relations->Integrate("test", {"app:db", "db:db"}).ok());
  const int64_t charms = env.Count("charms");

  auto breaks = env.apps->Refresh(Refresh("db", "name: db\npeers:\n  cluster:\n    interface: db-peers\n"));
  EXPECT_EQ(breaks.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(breaks.status().message(),
            "cannot upgrade application \"db\" to charm \"local:db-1\": would break relation \"app:db db:db\" (remove it "
            "first with: skein remove-relation app:db db:db), or refresh with --force");
  auto other_interface = env.apps->Refresh(
      Refresh("db", "name: db\nprovides:\n  db:\n    interface: pgsql\npeers:\n  cluster:\n    interface: db-peers\n"));
  EXPECT_EQ(other_interface.status().code(), absl::StatusCode::kFailedPrecondition);
  auto renamed = env.apps->Refresh(Refresh("db", "name: other\n"));
  EXPECT_EQ(renamed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(renamed.status().message()),
              ::testing::StartsWith("cannot refresh \"db\" to \"other\": the application runs charm \"db\""));
  EXPECT_EQ(env.apps->Refresh(Refresh("nope", "name: nope\n")).status().message(), "application \"nope\" not found");
  EXPECT_EQ(env.Count("charms"), charms);
  EXPECT_EQ(env.App("db").charm_url, "local:db-0");

  // The same charm without a relation on that endpoint may drop it.
  env.Deploy("solo", MakeCharm(testing::kAppMetadata), 1);
  auto dropped = env.apps->Refresh(Refresh("solo", "name: app\n"));
  ASSERT_TRUE(dropped.ok()) << dropped.status();
  // Revisions count per charm name in the model: `app` deployed local:app-0 and solo local:app-1.
  EXPECT_EQ(dropped->charm_url, "local:app-2");
}

const v1::UnitStatus* FindUnitStatus(const v1::ModelStatus& status, const std::string& unit) {
  for (const auto& app : status.applications()) {
    for (const auto& u : app.units()) {
      if (u.name() == unit) return &u;
    }
  }
  return nullptr;
}

// The charm each unit runs is what its agent reports with its hook commits; status shows it, its
// revision, and a skipped upgrade-charm until a later one succeeds.
TEST(RefreshTest, UnitsReportTheCharmTheyRunAndASkippedUpgradeUntilOneSucceeds) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(testing::kDbMetadata, kConfig), 1);
  auto commit = [&](int64_t seq, const std::string& url, bool skipped) {
    domain::hook::HookCommit c;
    c.commit_seq = seq;
    c.charm_url = url;
    c.upgrade_charm_skipped = skipped;
    return env.hooks->Commit(env.UnitId("db/0"), c);
  };
  auto unit_status = [&]() {
    auto status = env.status->ModelStatus("test");
    EXPECT_TRUE(status.ok()) << status.status();
    const v1::UnitStatus* u = status.ok() ? FindUnitStatus(*status, "db/0") : nullptr;
    return u != nullptr ? *u : v1::UnitStatus{};
  };
  EXPECT_EQ(unit_status().charm_url(), "") << "nothing reported before the first hook commit";

  ASSERT_TRUE(commit(1, "local:db-0", false).ok());  // install
  EXPECT_EQ(env.Unit("db/0").charm_url, "local:db-0");
  EXPECT_EQ(unit_status().charm_url(), "local:db-0");
  EXPECT_EQ(unit_status().charm_rev(), 0);

  ASSERT_TRUE(env.apps->Refresh(Refresh("db", testing::kDbMetadata, kConfig)).ok());
  // The unit still runs revision 0 until it reports the new one.
  EXPECT_EQ(unit_status().charm_url(), "local:db-0");
  // upgrade-charm failed and was resolved with --no-retry: config-changed reports the skip.
  ASSERT_TRUE(commit(2, "local:db-1", true).ok());
  EXPECT_TRUE(env.Unit("db/0").upgrade_charm_skipped);
  EXPECT_EQ(unit_status().charm_url(), "local:db-1");
  EXPECT_EQ(unit_status().charm_rev(), 1);
  EXPECT_TRUE(unit_status().upgrade_charm_skipped());
  // An agent that reports no charm (an older agent) changes neither.
  ASSERT_TRUE(commit(3, "", false).ok());
  EXPECT_TRUE(unit_status().upgrade_charm_skipped());
  // A refused commit changes nothing either.
  domain::hook::HookCommit refused;
  refused.commit_seq = 4;
  refused.charm_url = "local:db-1";
  refused.state_set = {{std::string(1024 * 1024, 'k'), "v"}};
  EXPECT_FALSE(env.hooks->Commit(env.UnitId("db/0"), refused).ok());
  EXPECT_TRUE(unit_status().upgrade_charm_skipped());

  ASSERT_TRUE(env.apps->Refresh(Refresh("db", testing::kDbMetadata, kConfig)).ok());
  ASSERT_TRUE(commit(5, "local:db-2", false).ok());  // a successful upgrade-charm
  EXPECT_FALSE(unit_status().upgrade_charm_skipped());
  EXPECT_EQ(unit_status().charm_rev(), 2);
}

}  // namespace
}  // namespace skein::controller

namespace skein::controller {
namespace {

TEST(RefreshTest, StoreRevisionKeepsUserConfigDropsRemovedOptionsAndSetsConfigInTheSameTransaction) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(testing::kDbMetadata, kConfig), 1);
  ASSERT_TRUE(env.apps->SetConfig("test", "db", {{"port", "5432"}, {"old", "y"}}, {}).ok());
  domain::application::RefreshArgs args =
      Refresh("db", testing::kDbMetadata, "options:\n  port: {type: int, default: 80}\n  name: {type: string}\n"
                                          "  fresh: {type: int, default: 3}\n");
  args.charm_origin = "charmhub";
  args.channel = "2.0/stable";
  args.revision = 42;
  args.config = {{"name", "set-with-refresh"}};
  auto result = env.apps->Refresh(args);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->charm_url, "ch:db-42");
  domain::AppRow app = env.App("db");
  EXPECT_EQ(app.charm_url, "ch:db-42");
  EXPECT_EQ(app.charm_origin, "charmhub");
  EXPECT_EQ(app.channel, "2.0/stable");
  // The hand-set port survives, `old` is gone with its option, the new default is not stored.
  EXPECT_EQ(app.config, nlohmann::json({{"port", 5432}, {"name", "set-with-refresh"}}));
  auto view = env.apps->GetConfig("test", "db");
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->options.size(), 3u);
  EXPECT_EQ(view->options[0].name, "fresh");
  EXPECT_EQ(view->options[0].source, "default");

  // The same revision on the same channel again is Juju's refusal.
  args.config.clear();
  auto again = env.apps->Refresh(args);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.status().message(), "charm \"db\": already up-to-date");

  // A config value the new charm refuses rolls the whole refresh back.
  args.revision = 43;
  args.config = {{"port", "not-a-number"}};
  EXPECT_FALSE(env.apps->Refresh(args).ok());
  EXPECT_EQ(env.App("db").charm_url, "ch:db-42");
}

TEST(RefreshTest, ForceSkipsTheEndpointCheckAndTheRefusalNamesEachRelationWithItsRemoval) {
  DomainEnv env;
  env.Deploy("db", MakeCharm(testing::kDbMetadata), 1);
  env.Deploy("app", MakeCharm(testing::kAppMetadata), 1);
  env.Deploy("app2", MakeCharm(testing::kAppMetadata), 1);
  ASSERT_TRUE(env.relations->Integrate("test", {"app:db", "db:db"}).ok());
  ASSERT_TRUE(env.relations->Integrate("test", {"app2:db", "db:db"}).ok());
  domain::application::RefreshArgs args = Refresh("db", "name: db\npeers:\n  cluster:\n    interface: db-peers\n");
  auto refused = env.apps->Refresh(args);
  EXPECT_EQ(refused.status().message(),
            "cannot upgrade application \"db\" to charm \"local:db-1\": would break relation \"app:db db:db\" (remove "
            "it first with: skein remove-relation app:db db:db), would break relation \"app2:db db:db\" (remove it "
            "first with: skein remove-relation app2:db db:db), or refresh with --force");
  args.force = true;
  auto forced = env.apps->Refresh(args);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(env.App("db").charm_url, "local:db-1");
  EXPECT_EQ(env.Count("relations", "id IN (SELECT relation_id FROM relation_endpoints WHERE endpoint = 'db')"), 2)
      << "--force keeps the relations as they are";
}

}  // namespace
}  // namespace skein::controller
