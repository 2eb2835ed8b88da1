// The embedded store: channel maps with Charmhub's real numbers where known, risk fallback
// inside a track, closed channels listing the open ones, revisions, charm definitions that
// differ between revisions, and local store directories searched first.

#include "bundles/store.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "lib/base/channel.h"
#include "tests/bundles/bundle_test_util.h"

namespace skein::bundles {
namespace {

using testing::OpenStore;

TEST(ChannelTest, ParsesAndNormalisesLikeJuju) {
  EXPECT_EQ(ParseChannel("1.9/stable")->String(), "1.9/stable");
  EXPECT_EQ(ParseChannel("edge")->String(), "edge");
  EXPECT_EQ(ParseChannel("edge")->track, "");
  EXPECT_EQ(ParseChannel("3")->String(), "3/stable");
  EXPECT_EQ(ParseChannel("stable/fix-1")->branch, "fix-1");
  EXPECT_EQ(ParseChannel("2.0/candidate/fix-123")->String(), "2.0/candidate/fix-123");
  EXPECT_EQ(ParseChannel("a/b/c/d").status().message(), "channel is malformed and has too many components \"a/b/c/d\"");
  EXPECT_EQ(ParseChannel("1.9/stabel").status().message(), "risk in channel \"1.9/stabel\" not valid");
  EXPECT_EQ(ParseChannel("/stable").status().message(), "track in channel \"/stable\" not valid");
  EXPECT_EQ(ParseChannel("1.9/stable/").status().message(), "branch in channel \"1.9/stable/\" not valid");
  EXPECT_FALSE(ParseChannel("").ok());
}

TEST(StoreTest, KubeflowChannelsUpTo19HaveCharmhubsRevisions) {
  auto store = OpenStore();
  for (const auto& [channel, revision] : std::vector<std::pair<std::string, int64_t>>{
           {"1.9/stable", 432}, {"1.9/edge", 431}, {"1.9/beta", 420}, {"1.8/stable", 414}, {"1.8/beta", 411},
           {"1.8/edge", 413}, {"1.7/stable", 409}, {"1.7/beta", 408}, {"1.7/edge", 407}, {"latest/edge", 423},
           {"latest/beta", 430}, {"latest/candidate", 294}}) {
    auto r = store->ResolveBundle("kubeflow", channel, std::nullopt);
    ASSERT_TRUE(r.ok()) << channel << ": " << r.status();
    EXPECT_EQ(r->revision, revision) << channel;
    EXPECT_EQ(r->revision_source, "charmhub");
  }
}

TEST(StoreTest, ClosedRiskFallsBackInItsTrackAndTracksNever) {
  auto store = OpenStore();
  // 1.9/candidate is closed: served by the next less risky risk, 1.9/stable.
  auto candidate = store->ResolveBundle("kubeflow", "1.9/candidate", std::nullopt);
  ASSERT_TRUE(candidate.ok()) << candidate.status();
  EXPECT_EQ(candidate->revision, 432);
  EXPECT_EQ(candidate->channel, "1.9/candidate");  // still tracked
  EXPECT_EQ(candidate->served_from, "1.9/stable");
  // A branch falls back to its track/risk.
  EXPECT_EQ(store->ResolveBundle("kubeflow", "1.8/stable/hotfix", std::nullopt)->revision, 414);
  // latest/stable is closed and nothing less risky exists: an error listing the open channels.
  auto closed = store->ResolveBundle("kubeflow", "latest/stable", std::nullopt);
  EXPECT_EQ(closed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(closed.status().message(),
            "bundle \"kubeflow\" has no release in channel \"latest/stable\"; channels with a release: "
            "latest/candidate, latest/beta, latest/edge, 1.11/stable, 1.11/candidate, 1.11/beta, 1.11/edge, "
            "1.10/stable, 1.10/candidate, 1.10/edge, 1.9/stable, 1.9/beta, 1.9/edge, 1.8/stable, 1.8/beta, "
            "1.8/edge, 1.7/stable, 1.7/beta, 1.7/edge");
  // No channel = the default track (latest), stable: closed too.
  EXPECT_EQ(store->ResolveBundle("kubeflow", "", std::nullopt).status().code(), absl::StatusCode::kNotFound);
  // A track that does not exist never falls back to another track.
  EXPECT_EQ(store->ResolveBundle("kubeflow", "1.6/stable", std::nullopt).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->ResolveBundle("kubeflow", "1.9/stabel", std::nullopt).status().message(),
            "risk in channel \"1.9/stabel\" not valid");
  EXPECT_EQ(store->ResolveBundle("nope", "", std::nullopt).status().message(),
            "cannot resolve charm or bundle \"nope\": charm or bundle not found");
}

TEST(StoreTest, RevisionsPinAndUnknownRevisionsFail) {
  auto store = OpenStore();
  EXPECT_EQ(store->ResolveBundle("kubeflow", "1.9/stable", 414)->revision, 414);
  EXPECT_EQ(store->ResolveBundle("kubeflow", "1.9/stable", 1).status().message(), "bundle \"kubeflow\" has no revision 1");
}

TEST(StoreTest, MlflowServerEndpointsDifferBetweenRevisions) {
  auto store = OpenStore();
  auto old = store->ResolveCharm("mlflow-server", "2.1/stable", std::nullopt);
  ASSERT_TRUE(old.ok()) << old.status();
  auto now = store->ResolveCharm("mlflow-server", "2.15/stable", std::nullopt);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_EQ(old->metadata.FindEndpoint("secrets")->role, charm::Role::kProvides);
  EXPECT_EQ(now->metadata.FindEndpoint("secrets")->role, charm::Role::kRequires);
  EXPECT_EQ(now->metadata.FindEndpoint("secrets")->interface, "kubernetes_manifest");
  EXPECT_EQ(now->config.count("mlflow_port"), 1u);
  // The charm names the built-in charm skein-agent runs; an agent without it says so.
  EXPECT_EQ(now->files.at("skein-builtin"), "mlflow-server\n");
  EXPECT_NE(now->files.at("dispatch").find("charm code not available in this build"), std::string::npos);
  // resource-dispatcher carries Charmhub's real numbers.
  EXPECT_EQ(store->ResolveCharm("resource-dispatcher", "2.0/stable", std::nullopt)->revision, 182);
  EXPECT_EQ(store->ResolveCharm("resource-dispatcher", "1.0/stable", std::nullopt)->revision, 93);
  EXPECT_EQ((*store->Info("resource-dispatcher"))["revision-source"], "charmhub");
  EXPECT_EQ((*store->Info("mlflow-server"))["revision-source"], "skein");
}

TEST(StoreTest, KubeflowReleasesPlanWithTheCatalogsCounts) {
  auto store = OpenStore();
  for (const auto& [channel, apps, relations] : std::vector<std::tuple<std::string, size_t, size_t>>{
           {"1.7/stable", 35, 23}, {"1.8/stable", 38, 32}, {"1.9/stable", 37, 35}, {"1.9/edge", 37, 35}}) {
    auto release = store->ResolveBundle("kubeflow", channel, std::nullopt);
    ASSERT_TRUE(release.ok()) << release.status();
    auto bundle = ParseBundle(SourceFile{release->content, "/"}, {});
    ASSERT_TRUE(bundle.ok()) << channel << ": " << bundle.status();
    CharmResolver resolve = [&](const Application& app) { return store->ResolveCharm(app.charm, app.channel, app.revision); };
    auto plan = MakePlan(*bundle, resolve, ModelDescription{});
    ASSERT_TRUE(plan.ok()) << channel << ": " << plan.status();
    EXPECT_EQ(plan->OfKind(ChangeKind::kDeployApplication).size(), apps) << channel;
    EXPECT_EQ(plan->OfKind(ChangeKind::kAddRelation).size(), relations) << channel;
    EXPECT_EQ(plan->relations.size(), relations) << channel;
  }
}

TEST(StoreTest, LocalStoreDirectoriesComeFirst) {
  const std::string dir = ::testing::TempDir() + "/skein-store-test";
  std::filesystem::create_directories(dir + "/charms");
  std::ofstream(dir + "/charms/mlflow-server.yaml") << "name: mlflow-server\n"
                                                      "channels:\n  9.9/stable: {revision: 7}\n"
                                                      "revisions:\n  7: {source: skein, metadata: {provides: {x: {interface: y}}}}\n";
  auto store = OpenStore({dir});
  auto c = store->ResolveCharm("mlflow-server", "9.9/stable", std::nullopt);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->revision, 7);
  EXPECT_EQ(store->ResolveCharm("mlflow-server", "2.15/stable", std::nullopt).status().code(),
            absl::StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace skein::bundles
