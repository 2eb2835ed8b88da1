// The Kubeflow release chain in the embedded store (1.7 -> 1.8 -> 1.9 -> 1.10 -> 1.11) and
// MLflow 2.22: every release the upstream repositories publish is served with the upstream
// content, every application of every release resolves its charm, and istio-pilot and
// istio-gateway declare the track-by-track upgrade path the Charmed Kubeflow guides require.

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/bundles/bundle_test_util.h"

namespace skein::bundles {
namespace {

namespace fs = std::filesystem;

using testing::OpenStore;

// The releases of the chain as (bundle, channel); every risk the upstream repositories carry.
const std::vector<std::pair<std::string, std::string>>& ChainReleases() {
  static const auto* releases = new std::vector<std::pair<std::string, std::string>>{
      {"kubeflow", "1.7/stable"},     {"kubeflow", "1.7/beta"},     {"kubeflow", "1.7/edge"},
      {"kubeflow", "1.8/stable"},     {"kubeflow", "1.8/beta"},     {"kubeflow", "1.8/edge"},
      {"kubeflow", "1.9/stable"},     {"kubeflow", "1.9/edge"},     {"kubeflow", "1.10/stable"},
      {"kubeflow", "1.10/candidate"}, {"kubeflow", "1.10/edge"},    {"kubeflow", "1.11/stable"},
      {"kubeflow", "1.11/candidate"}, {"kubeflow", "1.11/beta"},    {"kubeflow", "1.11/edge"},
      {"mlflow", "2.22/stable"},      {"mlflow", "2.22/edge"}};
  return *releases;
}

TEST(StoreReleasesTest, NewReleasesHaveTheirOwnChannelsAndStoreNumbers) {
  auto store = OpenStore();
  // 1.10 has no beta in upstream; 1.10/beta falls back to 1.10/candidate like Charmhub does.
  for (const auto& [channel, served_from] : std::vector<std::pair<std::string, std::string>>{
           {"1.10/stable", "1.10/stable"}, {"1.10/candidate", "1.10/candidate"}, {"1.10/beta", "1.10/candidate"},
           {"1.10/edge", "1.10/edge"}, {"1.11/stable", "1.11/stable"}, {"1.11/candidate", "1.11/candidate"},
           {"1.11/beta", "1.11/beta"}, {"1.11/edge", "1.11/edge"}}) {
    auto r = store->ResolveBundle("kubeflow", channel, std::nullopt);
    ASSERT_TRUE(r.ok()) << channel << ": " << r.status();
    EXPECT_EQ(r->served_from, served_from);
    // No Charmhub channel map for these releases is known: the numbers are the store's own.
    EXPECT_EQ(r->revision_source, "skein") << channel;
    EXPECT_GT(r->revision, 9000) << channel;
  }
  // The older releases keep Charmhub's real numbers, and the bundle as a whole says it mixes.
  EXPECT_EQ(store->ResolveBundle("kubeflow", "1.9/stable", std::nullopt)->revision_source, "charmhub");
  EXPECT_EQ((*store->Info("kubeflow"))["revision-source"], "mixed");
  auto stable = store->ResolveBundle("kubeflow", "1.11/stable", std::nullopt);
  auto edge = store->ResolveBundle("kubeflow", "1.11/edge", std::nullopt);
  EXPECT_NE(stable->revision, edge->revision);
  EXPECT_NE(stable->content, edge->content);
}

// Every application of every release in the chain resolves in the store, as `skein deploy
// <bundle> --channel C` and `skein info <charm>` need, and the release plans.
TEST(StoreReleasesTest, EveryApplicationOfEveryReleaseResolves) {
  auto store = OpenStore();
  for (const auto& [name, channel] : ChainReleases()) {
    auto release = store->ResolveBundle(name, channel, std::nullopt);
    ASSERT_TRUE(release.ok()) << name << " " << channel << ": " << release.status();
    auto bundle = ParseBundle(SourceFile{release->content, "/"}, {});
    ASSERT_TRUE(bundle.ok()) << channel << ": " << bundle.status();
    for (const auto& [app_name, app] : bundle->applications) {
      auto charm = store->ResolveCharm(app.charm, app.channel, app.revision);
      ASSERT_TRUE(charm.ok()) << name << " " << channel << " " << app_name << ": " << charm.status();
      // The application tracks the channel the bundle names.
      EXPECT_EQ(charm->channel, app.channel) << channel << " " << app_name;
      EXPECT_TRUE(store->Info(app.charm).ok()) << app.charm;
    }
    CharmResolver resolve = [&](const Application& app) { return store->ResolveCharm(app.charm, app.channel, app.revision); };
    auto plan = MakePlan(*bundle, resolve, ModelDescription{});
    ASSERT_TRUE(plan.ok()) << name << " " << channel << ": " << plan.status();
    if (name == "kubeflow" && channel.rfind("1.1", 0) == 0) {
      EXPECT_EQ(plan->OfKind(ChangeKind::kDeployApplication).size(), 37u) << channel;
      EXPECT_EQ(plan->OfKind(ChangeKind::kAddRelation).size(), 35u) << channel;
    }
  }
}

// The store serves what upstream publishes: applications with their charm, channel, scale,
// trust, constraints and options, and the relations in the same order.
TEST(StoreReleasesTest, ReleasesMatchTheUpstreamBundles) {
  const fs::path root = fs::path(SKEIN_SHARED_DIR) / "upstream";
  if (!fs::is_directory(root)) GTEST_SKIP() << "../shared/upstream is absent: no upstream bundles to compare";
  auto store = OpenStore();
  for (const auto& [name, channel] : ChainReleases()) {
    std::string file = channel;
    file[file.find('/')] = '-';
    const fs::path upstream_path = root / absl::StrCat(name, "-", file, ".bundle.yaml");
    ASSERT_TRUE(fs::exists(upstream_path)) << upstream_path;
    auto upstream = ParseBundle(testing::ReadSource(upstream_path.string()), {});
    ASSERT_TRUE(upstream.ok()) << upstream_path << ": " << upstream.status();
    auto release = store->ResolveBundle(name, channel, std::nullopt);
    ASSERT_TRUE(release.ok()) << release.status();
    auto ours = ParseBundle(SourceFile{release->content, "/"}, {});
    ASSERT_TRUE(ours.ok()) << ours.status();
    ASSERT_EQ(ours->applications.size(), upstream->applications.size()) << channel;
    for (const auto& [app_name, want] : upstream->applications) {
      ASSERT_TRUE(ours->applications.count(app_name)) << channel << " lacks " << app_name;
      const Application& got = ours->applications.at(app_name);
      EXPECT_EQ(got.charm, want.charm) << channel << " " << app_name;
      EXPECT_EQ(got.channel, want.channel) << channel << " " << app_name;
      EXPECT_EQ(got.num_units, want.num_units) << channel << " " << app_name;
      EXPECT_EQ(got.trust, want.trust) << channel << " " << app_name;
      EXPECT_EQ(got.constraints, want.constraints) << channel << " " << app_name;
      EXPECT_EQ(got.base, want.base) << channel << " " << app_name;
      EXPECT_EQ(got.options, want.options) << channel << " " << app_name;
    }
    ASSERT_EQ(ours->relations.size(), upstream->relations.size()) << channel;
    for (size_t i = 0; i < ours->relations.size(); ++i) {
      EXPECT_EQ(ours->relations[i].first.String(), upstream->relations[i].first.String()) << channel << " #" << i;
      EXPECT_EQ(ours->relations[i].second.String(), upstream->relations[i].second.String()) << channel << " #" << i;
    }
  }
}

TEST(StoreUpgradePathTest, IstioCharmsStepThroughEveryTrack) {
  auto store = OpenStore();
  for (const char* charm : {"istio-pilot", "istio-gateway"}) {
    auto path = store->UpgradePathOf(charm);
    ASSERT_TRUE(path.ok()) << path.status();
    ASSERT_TRUE(path->has_value()) << charm << " declares no upgrade path";
    const UpgradePath& p = **path;
    ASSERT_EQ(p.tracks.size(), 13u) << charm;
    EXPECT_EQ(p.tracks.front(), "1.16");
    EXPECT_EQ(p.tracks.back(), "1.28");
    // Every track of the path has a release the walk can refresh to.
    for (const auto& track : p.tracks) {
      auto c = store->ResolveCharm(charm, track + "/stable", std::nullopt);
      EXPECT_TRUE(c.ok()) << charm << " " << track << ": " << c.status();
    }
    // 1.9 -> 1.10 -> 1.11 of Kubeflow moves Istio 1.22 -> 1.24 -> 1.28.
    EXPECT_EQ(*p.Steps(charm, "1.22", "1.24"), (std::vector<std::string>{"1.23", "1.24"}));
    EXPECT_EQ(*p.Steps(charm, "1.24", "1.28"), (std::vector<std::string>{"1.25", "1.26", "1.27", "1.28"}));
    EXPECT_TRUE(p.Steps(charm, "1.22", "1.22")->empty());
    EXPECT_EQ(p.Steps(charm, "1.24", "1.17").status().code(), absl::StatusCode::kFailedPrecondition);
  }
  auto path = **store->UpgradePathOf("istio-pilot");
  EXPECT_EQ(path.Steps("istio-pilot", "1.24", "1.17").status().message(),
            "charm \"istio-pilot\" cannot go from track 1.24 down to 1.17: its upgrade path is 1.16 -> 1.17 -> 1.18 -> "
            "1.19 -> 1.20 -> 1.21 -> 1.22 -> 1.23 -> 1.24 -> 1.25 -> 1.26 -> 1.27 -> 1.28");
  EXPECT_EQ(path.Steps("istio-pilot", "1.28", "2.0").status().message(),
            "charm \"istio-pilot\" upgrades only along its upgrade path 1.16 -> 1.17 -> 1.18 -> 1.19 -> 1.20 -> 1.21 -> "
            "1.22 -> 1.23 -> 1.24 -> 1.25 -> 1.26 -> 1.27 -> 1.28; track 2.0 is not on it");
  // Two tracks the path does not mention: the path has nothing to say.
  EXPECT_EQ(*path.Steps("istio-pilot", "2.0", "2.1"), std::vector<std::string>{"2.1"});
  // A charm without a declared path.
  auto none = store->UpgradePathOf("dex-auth");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(store->UpgradePathOf("nope").status().code(), absl::StatusCode::kNotFound);
}

// A malformed path in a local store directory stops the store from opening, naming the file.
TEST(StoreUpgradePathTest, MalformedPathsAreRefusedWithTheFileAndTheReason) {
  const std::string header =
      "name: x\nchannels:\n  1.0/stable: {revision: 1}\n  1.1/stable: {revision: 2}\n"
      "revisions:\n  1: {source: skein}\n  2: {source: skein}\n";
  for (const auto& [path, why] : std::vector<std::pair<std::string, std::string>>{
           {"'1.0'", "upgrade-path must be a list of at least two of the charm's tracks, oldest first"},
           {"['1.0']", "upgrade-path must be a list of at least two of the charm's tracks, oldest first"},
           {"['1.0', {a: b}]", "upgrade-path must be a list of at least two of the charm's tracks, oldest first"},
           {"['1.0', '1.2']", "upgrade-path names track \"1.2\", which has no channel in this file"},
           {"['1.0', '1.1', '1.0']", "upgrade-path names track \"1.0\" twice"},
           {"['1.0', '1.1']\nupgrade-path-reversible: maybe", "upgrade-path-reversible must be true or false"}}) {
    const std::string dir = ::testing::TempDir() + "/skein-upgrade-path-test";
    fs::remove_all(dir);
    fs::create_directories(dir + "/charms");
    std::ofstream(dir + "/charms/x.yaml") << header << "upgrade-path: " << path << "\n";
    auto store = Store::Open({dir});
    ASSERT_FALSE(store.ok()) << path;
    EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(store.status().message(), "store file charms/x.yaml: " + why) << path;
    fs::remove_all(dir);
  }
  // A well-formed one opens.
  const std::string dir = ::testing::TempDir() + "/skein-upgrade-path-ok";
  fs::create_directories(dir + "/charms");
  std::ofstream(dir + "/charms/x.yaml") << header << "upgrade-path: ['1.0', '1.1']\n";
  auto store = OpenStore({dir});
  ASSERT_NE(store, nullptr);
  EXPECT_EQ((**store->UpgradePathOf("x")).tracks, (std::vector<std::string>{"1.0", "1.1"}));
  EXPECT_FALSE((**store->UpgradePathOf("x")).Steps("x", "1.1", "1.0").ok());
  // A reversible one goes back down one track at a time.
  std::ofstream(dir + "/charms/x.yaml") << header << "upgrade-path: ['1.0', '1.1']\nupgrade-path-reversible: true\n";
  auto reversible = OpenStore({dir});
  ASSERT_NE(reversible, nullptr);
  EXPECT_EQ(*(**reversible->UpgradePathOf("x")).Steps("x", "1.1", "1.0"), std::vector<std::string>{"1.0"});
  EXPECT_EQ(*UpgradePath({{"1", "2", "3", "4"}, true}).Steps("x", "4", "1"), (std::vector<std::string>{"3", "2", "1"}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace skein::bundles
