// A model's life after add-model (issue 15): destroy-model until the model is gone and its name is
// free again, --force for units whose agents do not answer, add-model with config, show-model's
// details and the model's constraints.

#include "controller/domain/model/model_lifecycle.h"

#include "controller/domain/model/model_config.h"
#include "controller/watch/snapshots.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/controller/test_util.h"

namespace skein::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing::DomainEnv;
using testing::kAppMetadata;
using testing::kDbMetadata;
using testing::MakeCharm;

class ModelLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Deploy("db", MakeCharm(kDbMetadata), 2);  // peer relation 0
    env_.Deploy("app", MakeCharm(kAppMetadata), 1);
    ASSERT_TRUE(env_.relations->Integrate("test", {"app", "db"}).ok());  // relation 1
  }
  bool ModelExists(const std::string& name) { return env_.Count("models", "name = '" + name + "'") == 1; }
  void Dead(const std::string& unit) {
    absl::Status s = env_.units->MarkUnitDead(env_.UnitId(unit));
    ASSERT_TRUE(s.ok()) << unit << ": " << s;
  }

  DomainEnv env_;
  domain::presence::AgentPresence presence_{env_.clock, std::chrono::seconds(10), nullptr};
  domain::model::ModelLifecycleService lifecycle_{env_.db.get(), &presence_};
};

TEST_F(ModelLifecycleTest, DestroyMarksEverythingDyingAndTheModelGoesWithItsLastUnit) {
  auto result = lifecycle_.DestroyModel("test", {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->applications, UnorderedElementsAre("app", "db"));
  EXPECT_THAT(result->units, UnorderedElementsAre("app/0", "db/0", "db/1"));
  EXPECT_FALSE(result->removed);
  // Every unit is dying, so its agent runs the dying hooks; the relations wait for their scopes.
  for (const std::string unit : {"app/0", "db/0", "db/1"}) EXPECT_EQ(env_.Unit(unit).life, domain::Life::kDying);
  // Their agents learn why: the model goes (the SDK's removal reason, RemovalReasonOf).
  auto snapshot = watch::BuildUnitSnapshot(*env_.db, env_.UnitId("app/0"));
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->snapshot.model_life(), v1::LIFE_DYING);
  EXPECT_EQ(env_.App("app").life, domain::Life::kDying);
  EXPECT_EQ(env_.Count("relations", "life = 1"), 2);
  auto details = lifecycle_.Details("test");
  ASSERT_TRUE(details.ok()) << details.status();
  EXPECT_EQ(details->life, domain::Life::kDying);

  // Nothing new goes into a dying model.
  EXPECT_EQ(env_.apps->AddUnit("test", "db", 1).status().message(), "model \"test\" is being destroyed");
  domain::application::DeployArgs deploy;
  deploy.model = "test";
  deploy.application = "late";
  deploy.charm = testing::Uploaded(MakeCharm(kAppMetadata));
  EXPECT_EQ(env_.apps->Deploy(deploy).status().message(), "model \"test\" is being destroyed");
  EXPECT_EQ(env_.relations->Integrate("test", {"app", "db"}).status().message(), "model \"test\" is being destroyed");
  EXPECT_EQ(env_.Count("applications", "name = 'late'"), 0);

  // Destroying again while it dies changes nothing and is no error (a retried command).
  ASSERT_TRUE(lifecycle_.DestroyModel("test", {}).ok());
  Dead("app/0");
  Dead("db/0");
  EXPECT_TRUE(ModelExists("test")) << "a unit is still running its hooks";
  Dead("db/1");
  EXPECT_FALSE(ModelExists("test"));
  EXPECT_EQ(env_.Count("applications"), 0);
  EXPECT_EQ(env_.Count("relations"), 0);
  EXPECT_EQ(env_.Count("charms"), 0);
  EXPECT_EQ(lifecycle_.Details("test").status().code(), absl::StatusCode::kNotFound);

  // The name is free again, and the new model starts empty.
  auto again = lifecycle_.CreateModel("test", {});
  ASSERT_TRUE(again.ok()) << again.status();
  auto fresh = lifecycle_.Details("test");
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(fresh->life, domain::Life::kAlive);
  EXPECT_EQ(fresh->application_count, 0);
  EXPECT_TRUE(fresh->machines.empty());
}

TEST_F(ModelLifecycleTest, AnEmptyModelGoesAtOnceAndTheControllerModelStays) {
  ASSERT_TRUE(lifecycle_.CreateModel("empty", {}).ok());
  auto result = lifecycle_.DestroyModel("empty", {});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->removed);
  EXPECT_FALSE(ModelExists("empty"));

  auto controller = lifecycle_.DestroyModel("controller", {.force = true});
  EXPECT_EQ(controller.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(controller.status().message(), HasSubstr("cannot destroy the controller model"));
  EXPECT_TRUE(ModelExists("controller"));
  EXPECT_EQ(lifecycle_.DestroyModel("nope", {}).status().message(), "model \"nope\" not found");
}

TEST_F(ModelLifecycleTest, ForceRemovesUnitsWhoseAgentsDoNotAnswerThenRemoveNowTheRest) {
  presence_.StreamOpened(domain::UnitKey(env_.UnitId("db/0")));
  auto forced = lifecycle_.DestroyModel("test", {.force = true});
  ASSERT_TRUE(forced.ok()) << forced.status();
  // Only db/0's agent answers: it stays to run its hooks, the others are gone without theirs.
  EXPECT_EQ(env_.Count("units"), 1);
  EXPECT_EQ(env_.Unit("db/0").life, domain::Life::kDying);
  EXPECT_EQ(env_.Count("units", "application_id = " + std::to_string(env_.App("app").id)), 0);
  // app has no unit left, but stays while db/0 is in their relation's scope (its -broken is to come).
  EXPECT_EQ(env_.Count("applications"), 2);
  EXPECT_TRUE(ModelExists("test"));

  auto now = lifecycle_.DestroyModel("test", {.force = true, .remove_now = true});
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_TRUE(now->removed);
  EXPECT_FALSE(ModelExists("test"));
  EXPECT_EQ(env_.Count("units"), 0);
}

TEST_F(ModelLifecycleTest, CreateModelAppliesConfigAtOnceOrCreatesNothing) {
  auto bad = lifecycle_.CreateModel("bad", {{"automatically-retry-hooks", "maybe"}});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("automatically-retry-hooks"));
  EXPECT_FALSE(ModelExists("bad"));

  ASSERT_TRUE(lifecycle_.CreateModel("good", {{"automatically-retry-hooks", "False"}, {"custom", "x"}}).ok());
  domain::model::ModelConfigService config(env_.db.get());
  auto entries = config.Get("good");
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::map<std::string, std::pair<std::string, std::string>> by_key;
  for (const auto& e : *entries) by_key[e.key] = {e.value, e.source};
  EXPECT_EQ(by_key["automatically-retry-hooks"], std::make_pair(std::string("false"), std::string("model")));
  EXPECT_EQ(by_key["custom"], std::make_pair(std::string("x"), std::string("model")));

  auto twice = lifecycle_.CreateModel("good", {});
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(twice.status().message(), "model \"good\" already exists");
  EXPECT_EQ(lifecycle_.CreateModel("Bad_Name", {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ModelLifecycleTest, DetailsNameTheMachinesAndTheController) {
  auto details = lifecycle_.Details("test");
  ASSERT_TRUE(details.ok()) << details.status();
  EXPECT_EQ(details->summary.name(), "test");
  EXPECT_EQ(details->summary.status().current(), "available");
  EXPECT_THAT(details->machines, ElementsAre("0"));
  EXPECT_EQ(details->application_count, 2);
  auto controller = env_.models->Controller();
  ASSERT_TRUE(controller.ok());
  EXPECT_EQ(details->controller_uuid, controller->uuid);
}

TEST_F(ModelLifecycleTest, ConstraintsAreReplacedWholeAndReadBackTyped) {
  auto none = lifecycle_.GetConstraints("test");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(ConstraintFields(*none).empty());

  ASSERT_TRUE(lifecycle_.SetConstraints("test", "mem=1G cores=2").ok());
  auto set = lifecycle_.GetConstraints("test");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(*set->mem, 1024.0);
  EXPECT_EQ(*set->cores, 2u);

  // Juju replaces the whole set: cores goes.
  ASSERT_TRUE(lifecycle_.SetConstraints("test", "arch=arm64").ok());
  EXPECT_EQ(FormatConstraints(*lifecycle_.GetConstraints("test")), "arch=arm64");

  auto bad = lifecycle_.SetConstraints("test", "memory=1G");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("valid constraints: arch"));
  EXPECT_EQ(FormatConstraints(*lifecycle_.GetConstraints("test")), "arch=arm64") << "nothing changed";
  EXPECT_EQ(lifecycle_.GetConstraints("other").status().code(), absl::StatusCode::kNotFound);
  // Another model has its own.
  ASSERT_TRUE(lifecycle_.CreateModel("other", {}).ok());
  EXPECT_TRUE(ConstraintFields(*lifecycle_.GetConstraints("other")).empty());
}

}  // namespace
}  // namespace skein::controller
