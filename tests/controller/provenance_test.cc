// Who owns what (issue 13): a bundle deployment owns the applications it created and the options
// it set; `skein config` makes an option the user's. Bundle upgrades change only what a bundle
// set, and `--prune` removes only what the deployment created, so both rest on these records.

#include "controller/domain/bundle/bundle_service.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::application::ConfigOptionView;
using testing::DomainEnv;
using testing::MakeCharm;

constexpr char kConfig[] = R"(options:
  port: {type: int, default: 80}
  title: {type: string}
  debug: {type: boolean, default: false}
)";

domain::bundle::BundleDeploy Bundle() {
  domain::bundle::BundleDeploy d;
  d.model = "test";
  domain::application::DeployArgs a;
  a.application = "web";
  a.charm = testing::Uploaded(MakeCharm("name: web\n", kConfig));
  a.num_units = 1;
  a.charm_origin = "charmhub";
  a.channel = "1/stable";
  a.revision = 3;
  a.config = {{"port", "8080"}, {"title", "from the bundle"}};
  d.applications = {a};
  d.bundle_name = "site";
  d.bundle_yaml = "applications: {}\n";
  return d;
}

ConfigOptionView Option(DomainEnv& env, const std::string& app, const std::string& name) {
  auto view = env.apps->GetConfig("test", app);
  EXPECT_TRUE(view.ok()) << view.status();
  for (const ConfigOptionView& o : view->options) {
    if (o.name == name) return o;
  }
  ADD_FAILURE() << "no option " << name;
  return {};
}

TEST(ProvenanceTest, ABundleOwnsWhatItDeploysAndTheOptionsItSets) {
  DomainEnv env;
  domain::bundle::BundleService bundles(env.db.get());
  ASSERT_TRUE(bundles.Apply(Bundle()).ok());
  env.Deploy("by-hand", MakeCharm("name: by-hand\n", kConfig), 0);

  EXPECT_EQ(env.App("web").deployment, "site");
  EXPECT_EQ(env.App("by-hand").deployment, "");
  EXPECT_TRUE(Option(env, "web", "port").set_by_bundle);
  EXPECT_TRUE(Option(env, "web", "title").set_by_bundle);
  EXPECT_FALSE(Option(env, "web", "debug").set_by_bundle);  // a default: nobody set it
  EXPECT_EQ(Option(env, "web", "debug").source, "default");

  // Status says which deployment an application belongs to.
  auto status = env.status->ModelStatus("test");
  ASSERT_TRUE(status.ok()) << status.status();
  for (const auto& app : status->applications()) {
    EXPECT_EQ(app.deployment(), app.name() == "web" ? "site" : "") << app.name();
  }
}

TEST(ProvenanceTest, ConfigByHandMakesAnOptionTheUsersEvenWithTheBundlesValue) {
  DomainEnv env;
  domain::bundle::BundleService bundles(env.db.get());
  ASSERT_TRUE(bundles.Apply(Bundle()).ok());

  // The user sets title (to the bundle's own value) and debug; port stays the bundle's.
  ASSERT_TRUE(env.apps->SetConfig("test", "web", {{"title", "from the bundle"}, {"debug", "true"}}, {}).ok());
  EXPECT_TRUE(Option(env, "web", "port").set_by_bundle);
  EXPECT_FALSE(Option(env, "web", "title").set_by_bundle);
  EXPECT_EQ(Option(env, "web", "title").source, "user");
  EXPECT_FALSE(Option(env, "web", "debug").set_by_bundle);

  // A bundle's plan setting port again keeps it the bundle's; a reset by the user gives it back to
  // the default, and nobody owns it.
  ASSERT_TRUE(env.db->Write("plan-config", [&](domain::Tx& tx) {
    return domain::application::SetConfigInTx(tx, "test", "web", {{"port", "9090"}}, {},
                                              domain::application::ConfigSetter::kBundle);
  }).ok());
  EXPECT_EQ(Option(env, "web", "port").value_json, "9090");
  EXPECT_TRUE(Option(env, "web", "port").set_by_bundle);
  ASSERT_TRUE(env.apps->SetConfig("test", "web", {}, {"port"}).ok());
  EXPECT_EQ(Option(env, "web", "port").source, "default");
  EXPECT_FALSE(Option(env, "web", "port").set_by_bundle);

  // A failing set changes no owner either.
  EXPECT_FALSE(env.apps->SetConfig("test", "web", {{"title", "x"}, {"port", "not a number"}}, {}).ok());
  EXPECT_FALSE(Option(env, "web", "title").set_by_bundle);
  EXPECT_EQ(Option(env, "web", "title").value_json, "\"from the bundle\"");
}

}  // namespace
}  // namespace skein::controller
