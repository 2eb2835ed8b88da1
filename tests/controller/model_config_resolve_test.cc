// Model config (defaults, validation, reset, unit snapshots) and `resolved` on the controller
// (juju-semantics §1.7-§1.8).

#include "controller/domain/model/model_config.h"
#include "controller/watch/snapshots.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using domain::model::ModelConfigEntry;
using domain::model::ModelConfigService;
using domain::unit::StatusTarget;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::MakeCharm;

std::map<std::string, std::pair<std::string, std::string>> AsMap(const std::vector<ModelConfigEntry>& entries) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  for (const auto& e : entries) out[e.key] = {e.value, e.source};
  return out;
}

TEST(ModelConfigTest, DefaultsThenSetThenReset) {
  DomainEnv env;
  ModelConfigService config(env.db.get());
  auto got = config.Get("test");
  ASSERT_TRUE(got.ok()) << got.status();
  auto m = AsMap(*got);
  EXPECT_EQ(m["automatically-retry-hooks"], std::make_pair(std::string("true"), std::string("default")));
  EXPECT_EQ(m["update-status-hook-interval"], std::make_pair(std::string("5m"), std::string("default")));

  ASSERT_TRUE(config.Set("test", {{"automatically-retry-hooks", "False"}, {"update-status-hook-interval", "10m"},
                                  {"my-key", "anything"}}, {}).ok());
  m = AsMap(*config.Get("test"));
  EXPECT_EQ(m["automatically-retry-hooks"], std::make_pair(std::string("false"), std::string("model")));
  EXPECT_EQ(m["update-status-hook-interval"], std::make_pair(std::string("10m"), std::string("model")));
  EXPECT_EQ(m["my-key"], std::make_pair(std::string("anything"), std::string("model")));

  ASSERT_TRUE(config.Set("test", {}, {"automatically-retry-hooks", "my-key"}).ok());
  m = AsMap(*config.Get("test"));
  EXPECT_EQ(m["automatically-retry-hooks"], std::make_pair(std::string("true"), std::string("default")));
  EXPECT_EQ(m.count("my-key"), 0u);
  // The other model is untouched.
  EXPECT_EQ(AsMap(*config.Get("controller"))["update-status-hook-interval"].second, "default");
}

TEST(ModelConfigTest, ValidationUsesJujusRulesAndChangesNothingOnError) {
  DomainEnv env;
  ModelConfigService config(env.db.get());
  auto s = config.Set("test", {{"automatically-retry-hooks", "maybe"}}, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.message()), "automatically-retry-hooks: expected bool, got string(\"maybe\")");
  s = config.Set("test", {{"update-status-hook-interval", "500ms"}, {"my-key", "x"}}, {});
  EXPECT_EQ(std::string(s.message()), "update status hook frequency 500ms cannot be less than 1s");
  s = config.Set("test", {{"update-status-hook-interval", "2h"}}, {});
  EXPECT_EQ(std::string(s.message()), "update status hook frequency 2h cannot be greater than 1h0m0s");
  s = config.Set("test", {{"update-status-hook-interval", "soon"}}, {});
  EXPECT_EQ(std::string(s.message()), "update-status-hook-interval: time: invalid duration \"soon\"");
  EXPECT_EQ(AsMap(*config.Get("test")).count("my-key"), 0u);
  EXPECT_TRUE(config.Set("test", {{"update-status-hook-interval", "1s"}}, {}).ok());
  EXPECT_TRUE(config.Set("test", {{"update-status-hook-interval", "10s"}}, {}).ok());
  EXPECT_EQ(AsMap(*config.Get("test"))["update-status-hook-interval"], std::make_pair(std::string("10s"), std::string("model")));
  EXPECT_TRUE(config.Set("test", {{"update-status-hook-interval", "60m"}}, {}).ok());
  EXPECT_EQ(config.Set("nope", {{"a", "b"}}, {}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(config.Get("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(ModelConfigTest, UnitSnapshotsCarryTheModelConfig) {
  DomainEnv env;
  env.Deploy("app", MakeCharm(kAppMetadata), 1);
  ModelConfigService config(env.db.get());
  ASSERT_TRUE(config.Set("test", {{"update-status-hook-interval", "7m"}}, {}).ok());
  auto view = watch::BuildUnitSnapshot(*env.db, env.UnitId("app/0"));
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->snapshot.model_config().at("update-status-hook-interval"), "7m");
  EXPECT_EQ(view->snapshot.model_config().at("automatically-retry-hooks"), "true");
}

TEST(ResolveTest, OnlyUnitsInErrorCanBeResolved) {
  DomainEnv env;
  env.Deploy("app", MakeCharm(kAppMetadata), 2);
  auto r = env.units->ResolveUnits("test", {"app/0"}, false, false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(r.status().message()), "unit \"app/0\" is not in an error state");
  r = env.units->ResolveUnits("test", {"app/9"}, false, false);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(r.status().message()), "unit \"app/9\" not found");

  ASSERT_TRUE(env.units->SetStatus(env.UnitId("app/1"), StatusTarget::kAgent,
                                   {"error", "hook failed: \"install\"", R"({"hook":"install"})", ""}).ok());
  r = env.units->ResolveUnits("test", {"app/1"}, /*no_retry=*/true, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, std::vector<std::string>{"app/1"});
  auto view = watch::BuildUnitSnapshot(*env.db, env.UnitId("app/1"));
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->snapshot.resolve_mode(), "no-retry");
  EXPECT_EQ(view->snapshot.resolve_serial(), 1);

  // A newer request replaces the mode and bumps the serial; clearing an old serial keeps it.
  r = env.units->ResolveUnits("test", {}, /*no_retry=*/false, /*all=*/true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, std::vector<std::string>{"app/1"});
  ASSERT_TRUE(env.units->ClearResolved(env.UnitId("app/1"), 1).ok());
  view = watch::BuildUnitSnapshot(*env.db, env.UnitId("app/1"));
  EXPECT_EQ(view->snapshot.resolve_mode(), "retry");
  EXPECT_EQ(view->snapshot.resolve_serial(), 2);
  ASSERT_TRUE(env.units->ClearResolved(env.UnitId("app/1"), 2).ok());
  view = watch::BuildUnitSnapshot(*env.db, env.UnitId("app/1"));
  EXPECT_EQ(view->snapshot.resolve_mode(), "");
}

}  // namespace
}  // namespace skein::controller
