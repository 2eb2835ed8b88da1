// BundleService (controller/domain/bundle): a bundle's plan is applied in one transaction and
// recorded as the next revision of that bundle's deployment; any failing step leaves the model
// as it was.

#include "controller/domain/bundle/bundle_service.h"

#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::bundle::BundleDeploy;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

domain::application::DeployArgs App(const std::string& name, const std::string& metadata, int units) {
  domain::application::DeployArgs a;
  a.application = name;
  a.charm = testing::Uploaded(MakeCharm(metadata));
  a.num_units = units;
  a.charm_origin = "charmhub";
  a.channel = "1.0/stable";
  a.revision = 7;
  return a;
}

BundleDeploy Plan() {
  BundleDeploy d;
  d.model = "test";
  d.applications = {App("db", kDbMetadata, 2), App("app", kAppMetadata, 1)};
  d.relations = {{"app:db", "db:db"}};
  d.bundle_name = "demo";
  d.channel = "1.0/stable";
  d.store_revision = 12;
  d.bundle_yaml = "applications: {}\n";
  return d;
}

TEST(BundleDeployTest, AppliesEverythingAndRecordsRevisions) {
  DomainEnv env;
  domain::bundle::BundleService bundles(env.db.get());
  auto first = bundles.Apply(Plan());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(env.Count("applications"), 2);
  EXPECT_EQ(env.Count("units"), 3);
  EXPECT_EQ(env.Count("relations", "id IN (SELECT relation_id FROM relation_endpoints WHERE endpoint = 'db')"), 1);
  EXPECT_EQ(env.App("db").channel, "1.0/stable");
  EXPECT_EQ(env.App("db").charm_url, "ch:db-7");
  EXPECT_EQ(env.Count("bundle_deployments", "bundle = 'demo' AND revision = 1 AND store_revision = 12"), 1);

  // A later deploy of the same bundle (e.g. what a new release adds) is revision 2.
  BundleDeploy more;
  more.model = "test";
  more.applications = {App("app2", kAppMetadata, 1)};
  more.relations = {{"app2:db", "db:db"}};
  more.bundle_name = "demo";
  more.bundle_yaml = "applications: {}\n";
  EXPECT_EQ(*bundles.Apply(more), 2);
}

TEST(BundleDeployTest, AFailingStepLeavesTheModelAsItWas) {
  DomainEnv env;
  domain::bundle::BundleService bundles(env.db.get());
  BundleDeploy bad = Plan();
  bad.relations.push_back({"app:nope", "db:db"});
  auto failed = bundles.Apply(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message().substr(0, 30), "add relation app:nope - db:db:");
  EXPECT_EQ(env.Count("applications"), 0);
  EXPECT_EQ(env.Count("units"), 0);
  EXPECT_EQ(env.Count("relations"), 0);
  EXPECT_EQ(env.Count("bundle_deployments"), 0);

  BundleDeploy clash = Plan();
  clash.applications.push_back(App("db", kDbMetadata, 1));
  failed = bundles.Apply(clash);
  EXPECT_EQ(failed.status().message(), "deploy application \"db\": application \"db\" already exists");
  EXPECT_EQ(env.Count("applications"), 0);
}

TEST(BundleDeployTest, AllTheApplicationsTogetherCountAgainstOneRequestsUnitLimit) {
  DomainEnv env;
  domain::bundle::BundleService bundles(env.db.get());
  BundleDeploy big = Plan();
  big.applications = {App("db", kDbMetadata, 600), App("app", kAppMetadata, 600)};
  auto refused = bundles.Apply(big);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.status().message(),
            "cannot add 1200 units in one request: the limit is 1000 units per request; add more with several "
            "add-unit requests");
  big.applications = {App("db", kDbMetadata, 2147483647)};
  EXPECT_EQ(bundles.Apply(big).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env.Count("applications"), 0);
  EXPECT_EQ(env.Count("units"), 0);
  EXPECT_EQ(env.Count("bundle_deployments"), 0);
}

}  // namespace
}  // namespace skein::controller
