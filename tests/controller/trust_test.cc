// `skein trust` / `deploy --trust` / `config app trust=...`: the application config Juju keeps
// beside the charm's settings, and what the units see of it.

#include "controller/domain/application/application_service.h"
#include "controller/watch/snapshots.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using testing::DomainEnv;
using testing::MakeCharm;

constexpr char kPortOption[] = "options:\n  port:\n    type: int\n    default: 80\n    description: Port.\n";

bool UnitSeesTrust(DomainEnv& env, const std::string& unit) {
  auto view = watch::BuildUnitSnapshot(*env.db, env.UnitId(unit));
  EXPECT_TRUE(view.ok()) << view.status();
  return view.ok() && view->snapshot.trusted();
}

bool ConfigShowsTrust(DomainEnv& env, const std::string& app) {
  auto view = env.apps->GetConfig("test", app);
  EXPECT_TRUE(view.ok()) << view.status();
  return view.ok() && view->trust;
}

TEST(TrustTest, DeployWithTrustThenRemoveItAndTheUnitsSeeEachChange) {
  DomainEnv env;
  domain::application::DeployArgs args;
  args.model = "test";
  args.application = "web";
  args.charm = testing::Uploaded(MakeCharm("name: web\n", kPortOption));
  args.num_units = 1;
  args.trust = true;
  ASSERT_TRUE(env.apps->Deploy(args).ok());
  EXPECT_TRUE(ConfigShowsTrust(env, "web"));
  EXPECT_TRUE(UnitSeesTrust(env, "web/0"));

  ASSERT_TRUE(env.apps->SetTrust("test", "web", false).ok());
  EXPECT_FALSE(ConfigShowsTrust(env, "web"));
  EXPECT_FALSE(UnitSeesTrust(env, "web/0"));
  EXPECT_EQ(env.apps->SetTrust("test", "nope", true).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(env.apps->SetTrust("nope", "web", true).code(), absl::StatusCode::kNotFound);
}

TEST(TrustTest, ConfigSetsAndResetsTrustBesideTheCharmSettingsAtomically) {
  DomainEnv env;
  env.Deploy("web", MakeCharm("name: web\n", kPortOption), 1);
  EXPECT_FALSE(ConfigShowsTrust(env, "web"));
  ASSERT_TRUE(env.apps->SetConfig("test", "web", {{"trust", "true"}, {"port", "8080"}}, {}).ok());
  EXPECT_TRUE(ConfigShowsTrust(env, "web"));
  EXPECT_TRUE(UnitSeesTrust(env, "web/0"));
  EXPECT_EQ(env.App("web").config, nlohmann::json::parse(R"({"port":8080})"));

  // A bad value anywhere in the request changes nothing, trust included.
  absl::Status bad = env.apps->SetConfig("test", "web", {{"trust", "false"}, {"port", "x"}}, {});
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ConfigShowsTrust(env, "web"));
  bad = env.apps->SetConfig("test", "web", {{"trust", "maybe"}}, {});
  EXPECT_EQ(bad.message(), "trust: expected bool, got string(\"maybe\")");
  bad = env.apps->SetConfig("test", "web", {{"trust", "false"}}, {"trust"});
  EXPECT_EQ(bad.message(), "key \"trust\" cannot be both set and reset in the same command");
  EXPECT_TRUE(ConfigShowsTrust(env, "web"));

  ASSERT_TRUE(env.apps->SetConfig("test", "web", {}, {"trust"}).ok());
  EXPECT_FALSE(ConfigShowsTrust(env, "web"));
  EXPECT_FALSE(UnitSeesTrust(env, "web/0"));
}

TEST(TrustTest, ACharmOptionNamedTrustStaysTheCharms) {
  DomainEnv env;
  env.Deploy("odd", MakeCharm("name: odd\n", "options:\n  trust:\n    type: string\n    description: Its own.\n"), 1);
  ASSERT_TRUE(env.apps->SetConfig("test", "odd", {{"trust", "maybe"}}, {}).ok());
  EXPECT_EQ(env.App("odd").config, nlohmann::json::parse(R"({"trust":"maybe"})"));
  EXPECT_FALSE(ConfigShowsTrust(env, "odd"));
}

}  // namespace
}  // namespace skein::controller
