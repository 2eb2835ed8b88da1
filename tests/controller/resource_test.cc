// ResourceService (controller/domain/resource): uploaded revisions of an application's charm
// resources, the listing `resources` shows and the unit-facing fetch of `resource-get`.

#include "controller/domain/resource/resource_service.h"

#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::resource::ResourceService;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::MakeCharm;

constexpr char kResourcefulMetadata[] =
    "name: stash\n"
    "resources:\n"
    "  payload:\n"
    "    type: file\n"
    "    filename: payload.txt\n"
    "    description: What the charm serves.\n"
    "  image:\n"
    "    type: oci-image\n";

class ResourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("stash", MakeCharm(kResourcefulMetadata), 2);
    env_.Deploy("app", MakeCharm(kAppMetadata), 1);
  }
  DomainEnv env_;
  ResourceService resources_{env_.db.get()};
};

TEST_F(ResourceTest, UploadsAreRevisionsAndUnitsReadTheLatest) {
  auto first = resources_.Upload("test", "stash", "payload", "one\n", false);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->revision, 1);
  EXPECT_EQ(first->size, 4);
  // SHA-384 of "one\n", as `sha384sum` prints it.
  EXPECT_EQ(first->fingerprint,
            "26ef118f2f89eef186c8fe55afa74b6e103e487be838239e6b3ab41c4f914a0bbb19566b92bb3d64e0ae0f894dbc3789");
  auto fetched = resources_.FetchForUnit(env_.UnitId("stash/1"), "payload");
  ASSERT_TRUE(fetched.ok()) << fetched.status();
  EXPECT_EQ(fetched->content, "one\n");
  EXPECT_EQ(fetched->info.spec.filename, "payload.txt");

  std::string binary("\0\x01\xff two", 7);
  auto second = resources_.Upload("test", "stash", "payload", binary, false);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->revision, 2);
  EXPECT_EQ(resources_.FetchForUnit(env_.UnitId("stash/0"), "payload")->content, binary);
  EXPECT_EQ(env_.Count("resources"), 2);
}

TEST_F(ResourceTest, ListShowsEveryDeclaredResourceUploadedOrNot) {
  ASSERT_TRUE(resources_.Upload("test", "stash", "image", "redis:7", false).ok());
  auto listing = resources_.List("test", "stash");
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_EQ(listing->charm_name, "stash");
  const auto& list = listing->resources;
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].spec.name, "image");
  EXPECT_EQ(list[0].spec.type, charm::ResourceType::kOciImage);
  EXPECT_EQ(list[0].revision, 1);
  EXPECT_EQ(list[1].spec.name, "payload");
  EXPECT_EQ(list[1].spec.description, "What the charm serves.");
  EXPECT_EQ(list[1].revision, 0);
  EXPECT_TRUE(resources_.List("test", "app")->resources.empty());
  EXPECT_TRUE(absl::IsNotFound(resources_.List("test", "nope").status()));
}

TEST_F(ResourceTest, RefusesUnknownNamesEmptyImagesAndOversizedFilesWritingNothing) {
  auto unknown = resources_.Upload("test", "stash", "nope", "x", false);
  EXPECT_TRUE(absl::IsInvalidArgument(unknown.status()));
  EXPECT_EQ(unknown.status().message(), "charm \"stash\" has no resource \"nope\"");
  auto empty_image = resources_.Upload("test", "stash", "image", "", false);
  EXPECT_TRUE(absl::IsInvalidArgument(empty_image.status()));
  std::string big(charm::kMaxResourceBytes + 1, 'x');
  auto oversized = resources_.Upload("test", "stash", "payload", big, false);
  EXPECT_TRUE(absl::IsInvalidArgument(oversized.status()));
  EXPECT_TRUE(absl::IsNotFound(resources_.Upload("test", "nope", "payload", "x", false).status()));
  EXPECT_EQ(env_.Count("resources"), 0);
}

TEST_F(ResourceTest, FetchSaysWhatIsMissing) {
  auto missing = resources_.FetchForUnit(env_.UnitId("stash/0"), "payload");
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(),
            "resource \"payload\" of application \"stash\" has not been uploaded; attach it with: juju "
            "attach-resource stash payload=<path>");
  auto undeclared = resources_.FetchForUnit(env_.UnitId("app/0"), "payload");
  EXPECT_TRUE(absl::IsNotFound(undeclared.status()));
  EXPECT_EQ(undeclared.status().message(), "charm \"app\" has no resource \"payload\"");
}

TEST_F(ResourceTest, AnUpgradingUploadMovesTheApplicationToItsNextCharmRevision) {
  const std::string before = env_.App("stash").charm_url;
  ASSERT_TRUE(resources_.Upload("test", "stash", "payload", "one", false).ok());
  EXPECT_EQ(env_.App("stash").charm_url, before);  // deploy's uploads: no upgrade-charm
  ASSERT_TRUE(resources_.Upload("test", "stash", "payload", "two", true).ok());
  const domain::AppRow after = env_.App("stash");
  EXPECT_NE(after.charm_url, before);
  EXPECT_EQ(after.charm_url.rfind("local:stash-", 0), 0u) << after.charm_url;
  EXPECT_EQ(after.charm_sha256, env_.App("stash").charm_sha256);
  // The resources stay with the application across its new charm revision.
  EXPECT_EQ(resources_.FetchForUnit(env_.UnitId("stash/0"), "payload")->content, "two");
}

TEST_F(ResourceTest, RemovingTheApplicationRemovesItsResources) {
  env_.Deploy("idle", MakeCharm(kResourcefulMetadata), 0);  // without units it goes at once
  ASSERT_TRUE(resources_.Upload("test", "idle", "payload", "one", false).ok());
  ASSERT_TRUE(resources_.Upload("test", "stash", "payload", "kept", false).ok());
  ASSERT_TRUE(env_.apps->RemoveApplications("test", {"idle"}).ok());
  EXPECT_EQ(env_.Count("resources"), 1);
  EXPECT_EQ(resources_.FetchForUnit(env_.UnitId("stash/0"), "payload")->content, "kept");
}

}  // namespace
}  // namespace skein::controller
