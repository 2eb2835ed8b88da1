#include "controller/domain/application/application_service.h"

#include <time.h>

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::DomainEnv;
using testing::MakeCharm;
using testing::TestCharm;

constexpr char kTypedConfig[] =
    "options:\n  port:\n    type: int\n    default: 80\n    description: Port.\n"
    "  name:\n    type: string\n    description: No default.\n"
    "  debug:\n    type: boolean\n    default: false\n";

domain::application::DeployArgs Args(const std::string& app, v1::CharmArchive charm, int units) {
  domain::application::DeployArgs args;
  args.model = "test";
  args.application = app;
  args.charm = testing::Uploaded(charm);
  args.num_units = units;
  return args;
}

TEST(DeployTest, CreatesUnitsLeaderAndPeerRelation) {
  DomainEnv env;
  auto result = env.apps->Deploy(Args("", TestCharm("kv-provider"), 2));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->application, "kv-provider");
  EXPECT_EQ(result->charm_url, "local:kv-provider-0");
  EXPECT_THAT(result->units, ElementsAre("kv-provider/0", "kv-provider/1"));

  domain::UnitRow u = env.Unit("kv-provider/1");
  EXPECT_EQ(u.machine_id, "0");
  EXPECT_EQ(u.workload.status, "waiting");
  EXPECT_EQ(u.workload.message, "agent initialising");
  EXPECT_EQ(u.agent.status, "allocating");
  EXPECT_EQ(env.Leader("kv-provider"), "kv-provider/0");

  // One peer relation (id 0), both units in scope with pre-populated bags.
  EXPECT_EQ(env.Count("relations"), 1);
  EXPECT_EQ(env.Count("relations", "relation_id = 0 AND is_peer = 1 AND key = 'kv-provider:replicas'"), 1);
  EXPECT_EQ(env.Count("relation_scopes"), 2);
  EXPECT_EQ(env.Count("relation_settings", "owner = 'kv-provider/1' AND key = 'ingress-address' AND value = '127.0.0.1'"),
            1);
  EXPECT_EQ(env.Count("relation_settings", "owner = 'kv-provider/1' AND key = 'egress-subnets' AND value = '127.0.0.1/32'"),
            1);
}

TEST(DeployTest, LocalRevisionsCountUpPerCharmName) {
  DomainEnv env;
  auto first = env.apps->Deploy(Args("one", TestCharm("kv-provider"), 0));
  auto second = env.apps->Deploy(Args("two", TestCharm("kv-provider"), 0));
  auto other = env.apps->Deploy(Args("", TestCharm("kv-requirer"), 0));
  ASSERT_TRUE(first.ok() && second.ok() && other.ok());
  EXPECT_EQ(first->charm_url, "local:kv-provider-0");
  EXPECT_EQ(second->charm_url, "local:kv-provider-1");
  EXPECT_EQ(other->charm_url, "local:kv-requirer-0");
}

TEST(DeployTest, RefusesAnExistingApplication) {
  DomainEnv env;
  env.Deploy("kv", TestCharm("kv-provider"), 1);
  auto again = env.apps->Deploy(Args("kv", TestCharm("kv-provider"), 1));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(), "application \"kv\" already exists");
}

TEST(DeployTest, BadConfigWritesNothing) {
  DomainEnv env;
  auto args = Args("web", MakeCharm("name: web\n", kTypedConfig), 2);
  args.config = {{"port", "8080"}, {"nope", "x"}};
  auto unknown = env.apps->Deploy(args);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status().message(), "unknown option \"nope\"");

  args.config = {{"port", "eighty"}};
  auto bad_type = env.apps->Deploy(args);
  EXPECT_EQ(bad_type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_type.status().message()), HasSubstr("expected int"));

  EXPECT_EQ(env.Count("applications"), 0);
  EXPECT_EQ(env.Count("units"), 0);
  EXPECT_EQ(env.Count("charms"), 0);

  args.config = {{"port", "8080"}, {"debug", "true"}};
  ASSERT_TRUE(env.apps->Deploy(args).ok());
  auto config = env.apps->GetConfig("test", "web");
  ASSERT_TRUE(config.ok());
  ASSERT_EQ(config->options.size(), 3u);
  EXPECT_EQ(config->options[0].name, "debug");
  EXPECT_EQ(config->options[0].value_json, "true");
  EXPECT_EQ(config->options[0].source, "user");
  EXPECT_EQ(config->options[1].name, "name");
  EXPECT_EQ(config->options[1].source, "unset");
  EXPECT_EQ(config->options[2].name, "port");
  EXPECT_EQ(config->options[2].value_json, "8080");
  EXPECT_EQ(config->options[2].default_json, "80");
}

TEST(DeployTest, RejectsBadNamesAndCharms) {
  DomainEnv env;
  auto bad_name = env.apps->Deploy(Args("Bad_Name", TestCharm("kv-provider"), 1));
  EXPECT_EQ(bad_name.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_name.status().message(), "invalid application name \"Bad_Name\"");
  auto no_model = Args("x", TestCharm("kv-provider"), 1);
  no_model.model = "nope";
  EXPECT_EQ(env.apps->Deploy(no_model).status().message(), "model \"nope\" not found");
  EXPECT_EQ(env.Count("applications"), 0);
}

TEST(ConfigTest, SetAndResetFollowTheSchema) {
  DomainEnv env;
  env.Deploy("web", MakeCharm("name: web\n", kTypedConfig), 1);
  auto unknown = env.apps->SetConfig("test", "web", {{"nope", "1"}}, {});
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.message(), "unknown option \"nope\"");
  EXPECT_EQ(env.apps->SetConfig("test", "web", {}, {"nope"}).message(), "unknown option \"nope\"");
  EXPECT_EQ(env.apps->SetConfig("test", "web", {{"port", "x"}}, {}).code(), absl::StatusCode::kInvalidArgument);

  ASSERT_TRUE(env.apps->SetConfig("test", "web", {{"port", "8080"}, {"name", "n"}}, {}).ok());
  EXPECT_EQ(env.App("web").config, nlohmann::json::parse(R"({"port":8080,"name":"n"})"));
  ASSERT_TRUE(env.apps->SetConfig("test", "web", {}, {"port"}).ok());
  auto view = env.apps->GetConfig("test", "web");
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(view->options[2].value_json, "80");
  EXPECT_EQ(view->options[2].source, "default");
}

TEST(AddUnitTest, NumbersAreNeverReusedAndNewUnitsEnterScopes) {
  DomainEnv env;
  env.Deploy("kv", TestCharm("kv-provider"), 2);
  ASSERT_TRUE(env.apps->RemoveUnits("test", {"kv/1"}).ok());
  ASSERT_TRUE(env.units->MarkUnitDead(env.UnitId("kv/1")).ok());
  auto added = env.apps->AddUnit("test", "kv", 2);
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_THAT(*added, ElementsAre("kv/2", "kv/3"));
  EXPECT_EQ(env.Count("relation_scopes"), 3);  // kv/0, kv/2, kv/3 in the peer relation
  EXPECT_EQ(env.Count("relation_settings", "owner = 'kv/3' AND key = 'private-address'"), 1);
  EXPECT_EQ(env.apps->AddUnit("test", "kv", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env.apps->AddUnit("test", "nope", 1).status().message(), "application \"nope\" not found");
}

TEST(AddUnitTest, MoreUnitsThanOneRequestMayAddAreRefusedAndNothingIsWritten) {
  DomainEnv env;
  env.Deploy("kv", TestCharm("kv-provider"), 1);
  const int64_t units = env.Count("units");
  for (int n : {1001, 1000000, 2147483647}) {
    auto refused = env.apps->AddUnit("test", "kv", n);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.status().message(),
              absl::StrCat("cannot add ", n, " units in one request: the limit is 1000 units per request; add more "
                           "with several add-unit requests"));
  }
  domain::application::DeployArgs deploy;
  deploy.model = "test";
  deploy.application = "big";
  deploy.charm = testing::Uploaded(TestCharm("kv-provider"));
  deploy.num_units = 2147483647;
  EXPECT_EQ(env.apps->Deploy(deploy).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(env.Count("units"), units);
  EXPECT_EQ(env.Count("applications"), 1);
  EXPECT_EQ(env.App("kv").next_unit_number, 1);
}

// The limit is chosen so that a request at the limit is one short transaction. The time it takes
// is printed for the README; it is not asserted (figures belong to benchmarks).
TEST(AddUnitTest, AddingTheLargestLegalNumberOfUnitsIsOneShortTransaction) {
  DomainEnv env;
  env.Deploy("kv-provider", TestCharm("kv-provider"), 1);
  env.Deploy("kv-requirer", TestCharm("kv-requirer"), 1);
  ASSERT_TRUE(env.relations->Integrate("test", {"kv-provider", "kv-requirer"}).ok());
  auto start = std::chrono::steady_clock::now();
  timespec cpu0{}, cpu1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
  auto added = env.apps->AddUnit("test", "kv-provider", 1000);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  const long cpu_ms = (cpu1.tv_sec - cpu0.tv_sec) * 1000 + (cpu1.tv_nsec - cpu0.tv_nsec) / 1000000;
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->size(), 1000u);
  EXPECT_EQ(added->back(), "kv-provider/1000");
  std::cout << "add-unit of 1000 units (peer and regular relation scopes entered) took " << took.count()
            << " ms (" << cpu_ms << " ms of CPU)\n";
  ::testing::Test::RecordProperty("add_unit_1000_ms", static_cast<int>(took.count()));
  // Every new unit entered both relations.
  EXPECT_EQ(env.Count("relation_scopes", "unit_id IN (SELECT id FROM units WHERE name LIKE 'kv-provider/%')"), 2002);
}

}  // namespace
}  // namespace skein::controller
