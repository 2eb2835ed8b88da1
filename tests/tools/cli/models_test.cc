// add-model --config/--no-switch, show-model, destroy-model and the model constraints commands
// against a real controller in this process (issue 15). No agents run here: destroy-model's dying
// hooks are the e2e test's (tests/e2e/models_test.cc); here a unit's agent never answers.

#include <fstream>
#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/tools/cli/controller_fixture.h"

namespace skein::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

bool IsUuid(const json& v) {
  static const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  return v.is_string() && std::regex_match(v.get<std::string>(), kUuid);
}

class ModelsCliTest : public ControllerCliTest {
 protected:
  json Json(const std::vector<std::string>& args) const {
    CliRun r = Skein(args);
    EXPECT_EQ(r.code, 0) << r.err;
    json parsed = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << r.out;
    return parsed;
  }
  std::vector<std::string> ModelNames() const {
    std::vector<std::string> names;
    const json models = Json({"models", "--format", "json"});
    for (const json& m : models["models"]) names.push_back(m["short-name"]);
    return names;
  }
  std::string Current() const { return Skein({"switch"}).out; }
};

TEST_F(ModelsCliTest, AddModelNoSwitchKeepsTheCurrentModelAndASecondAddSaysAlreadyExists) {
  ASSERT_EQ(Current(), "local:admin/dev\n");
  CliRun added = Skein({"add-model", "--no-switch", "other"});
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_EQ(added.out, "");
  EXPECT_EQ(Current(), "local:admin/dev\n");
  EXPECT_THAT(ModelNames(), ::testing::Contains("other"));

  CliRun again = Skein({"add-model", "other", "--no-switch"});
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_THAT(again.err, HasSubstr("ERROR"));

  ASSERT_EQ(Skein({"add-model", "third"}).code, 0);
  EXPECT_EQ(Current(), "local:admin/third\n") << "without --no-switch the new model is current";
}

TEST_F(ModelsCliTest, AddModelConfigIsAppliedAtCreationOrNothingIsCreated) {
  std::string file = dir_.path() + "/model.yaml";
  {
    std::ofstream out(file);
    out << "update-status-hook-interval: 10m\n";
  }
  CliRun added = Skein({"add-model", "--no-switch", "cfg", "--config", "automatically-retry-hooks=false", "--config",
                        file, "--config=custom-key=x"});
  ASSERT_EQ(added.code, 0) << added.err;
  json config = Json({"model-config", "-m", "cfg", "--format", "json"});
  EXPECT_EQ(config["automatically-retry-hooks"]["Value"], false);
  EXPECT_EQ(config["automatically-retry-hooks"]["Source"], "model");
  EXPECT_EQ(config["update-status-hook-interval"]["Value"], "10m");
  EXPECT_EQ(config["custom-key"]["Value"], "x");

  CliRun bad = Skein({"add-model", "--no-switch", "broken", "--config", "automatically-retry-hooks=maybe"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("ERROR automatically-retry-hooks"));
  EXPECT_THAT(ModelNames(), Not(::testing::Contains("broken")));
  CliRun missing = Skein({"add-model", "--no-switch", "broken", "--config", dir_.path() + "/none.yaml"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no such file"));
  EXPECT_THAT(ModelNames(), Not(::testing::Contains("broken")));
}

TEST_F(ModelsCliTest, ShowModelFindsTheSameModelInEveryFormWithJujusKeys) {
  json doc = Json({"show-model", "dev", "--format", "json"});
  ASSERT_TRUE(doc.contains("dev")) << doc.dump();
  const json& m = doc["dev"];
  EXPECT_EQ(m["name"], "admin/dev");
  EXPECT_EQ(m["short-name"], "dev");
  EXPECT_TRUE(IsUuid(m["model-uuid"])) << m["model-uuid"];
  EXPECT_TRUE(IsUuid(m["controller-uuid"])) << m["controller-uuid"];
  EXPECT_EQ(m["model-type"], "iaas");
  EXPECT_EQ(m["controller-name"], "local");
  EXPECT_EQ(m["is-controller"], false);
  EXPECT_EQ(m["owner"], "admin");
  EXPECT_EQ(m["cloud"], "local");
  EXPECT_EQ(m["life"], "alive");
  EXPECT_EQ(m["status"]["current"], "available");
  EXPECT_TRUE(m["status"].contains("since"));
  EXPECT_EQ(m["users"]["admin"]["access"], "admin");
  EXPECT_TRUE(m["users"]["admin"].contains("last-connection"));
  EXPECT_TRUE(m["machines"].is_object()) << "maps are never null";
  EXPECT_TRUE(m["credential"].is_object());
  EXPECT_TRUE(m.contains("agent-version"));

  for (const std::string form : {"admin/dev", "local:admin/dev", "local:dev"}) {
    EXPECT_EQ(Json({"show-model", "--format", "json", form}), doc) << form;
  }
  EXPECT_EQ(Json({"show-model", "--format=json"}), doc) << "the current model";
  EXPECT_EQ(Json({"show-model", "controller", "--format", "json"})["controller"]["is-controller"], true);

  CliRun yaml = Skein({"show-model", "dev"});
  ASSERT_EQ(yaml.code, 0) << yaml.err;
  EXPECT_EQ(yaml.out.rfind("dev:\n", 0), 0u) << yaml.out;
  EXPECT_THAT(yaml.out, HasSubstr("  name: admin/dev\n"));

  CliRun missing = Skein({"show-model", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("ERROR model \"nope\" not found"));
  EXPECT_EQ(missing.out, "");
}

TEST_F(ModelsCliTest, DestroyingTheCurrentModelUnsetsItAndTheNameIsFreeAgain) {
  CliRun r = Skein({"destroy-model", "dev", "--no-prompt"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("was the current model"));
  EXPECT_THAT(r.err, HasSubstr("Model destroyed."));
  EXPECT_THAT(ModelNames(), Not(::testing::Contains("dev")));
  EXPECT_EQ(Current(), "local\n") << "no current model";
  CliRun again = Skein({"add-model", "--no-switch", "dev"});
  EXPECT_EQ(again.code, 0) << again.err;

  CliRun controller = Skein({"destroy-model", "--no-prompt", "controller", "--force"});
  EXPECT_EQ(controller.code, 1);
  EXPECT_THAT(controller.err, HasSubstr("ERROR cannot destroy the controller model"));
  CliRun missing = Skein({"destroy-model", "--no-prompt", "nope"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("ERROR model \"nope\" not found"));
}

TEST_F(ModelsCliTest, DestroyWaitsForUnitsTimesOutAndForceRemovesUnansweringOnes) {
  ASSERT_EQ(Skein({"deploy", "-m", "dev", std::string(SKEIN_TESTDATA_DIR) + "/charms/kv-provider"}).code, 0);
  // Nobody runs the unit's hooks here, so the wait runs out.
  CliRun timed_out = Skein({"destroy-model", "local:admin/dev", "--no-prompt", "--timeout", "0.5s"});
  EXPECT_EQ(timed_out.code, 1);
  EXPECT_THAT(timed_out.err, HasSubstr("timed out"));
  EXPECT_THAT(timed_out.err, HasSubstr("Waiting for model to be removed, 1 unit(s), 1 application(s)"));
  EXPECT_EQ(Json({"show-model", "dev", "--format", "json"})["dev"]["life"], "dying");
  // `models` says so too, with Juju's status, and nothing new can be deployed into it.
  const json models = Json({"models", "--format", "json"});  // kept: the loop reads into it
  for (const auto& m : models["models"]) {
    if (m["short-name"] != "dev") continue;
    EXPECT_EQ(m["life"], "dying");
    EXPECT_EQ(m["status"]["current"], "destroying");
  }
  CliRun late = Skein({"deploy", "-m", "dev", std::string(SKEIN_TESTDATA_DIR) + "/charms/kv-requirer"});
  EXPECT_EQ(late.code, 1);
  EXPECT_THAT(late.err, HasSubstr("ERROR model \"dev\" is being destroyed"));

  // --force removes the unit whose agent does not answer, and the model goes with it.
  CliRun forced = Skein({"destroy-model", "dev", "--no-prompt", "--destroy-storage", "--force", "--timeout=30.0s"});
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_THAT(ModelNames(), Not(::testing::Contains("dev")));
}

TEST_F(ModelsCliTest, DestroyModelUsageErrors) {
  EXPECT_EQ(Skein({"destroy-model"}).code, 2);
  CliRun bad_timeout = Skein({"destroy-model", "dev", "--timeout", "soon"});
  EXPECT_EQ(bad_timeout.code, 2);
  EXPECT_THAT(bad_timeout.err, HasSubstr("invalid value \"soon\" for option --timeout"));
  CliRun both = Skein({"destroy-model", "dev", "--destroy-storage", "--release-storage"});
  EXPECT_EQ(both.code, 2);
  EXPECT_THAT(ModelNames(), ::testing::Contains("dev")) << "nothing happened";
}

TEST_F(ModelsCliTest, ModelConstraintsAreStoredPerModelAndPrintedTyped) {
  EXPECT_EQ(Skein({"model-constraints", "--format", "json"}).out, "{}\n");
  CliRun set = Skein({"set-model-constraints", "mem=1G", "cores=2", "root-disk=1638.4", "allocate-public-ip=false"});
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_EQ(Json({"model-constraints", "--format", "json"}),
            json::parse(R"({"cores":2,"mem":1024,"root-disk":1638.4,"allocate-public-ip":false})"));
  EXPECT_EQ(Skein({"model-constraints"}).out, "cores=2 mem=1024M root-disk=1638.4M allocate-public-ip=false\n");
  EXPECT_EQ(Skein({"model-constraints", "--format", "yaml"}).out,
            "allocate-public-ip: false\ncores: 2\nmem: 1024\nroot-disk: 1638.4\n");

  // Per model, and replaced whole.
  ASSERT_EQ(Skein({"add-model", "--no-switch", "other"}).code, 0);
  EXPECT_EQ(Skein({"model-constraints", "-m", "other", "--format", "json"}).out, "{}\n");
  ASSERT_EQ(Skein({"set-model-constraints", "-m", "other", "arch=arm64", "tags=a,b"}).code, 0);
  EXPECT_EQ(Json({"model-constraints", "--model", "local:other", "--format", "json"}),
            json::parse(R"({"arch":"arm64","tags":["a","b"]})"));
  EXPECT_EQ(Json({"model-constraints", "--format", "json"})["mem"], 1024) << "dev keeps its own";

  CliRun unknown = Skein({"set-model-constraints", "memory=1G"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("ERROR unknown constraint \"memory\" (valid constraints: arch, container, cores"));
  CliRun bad = Skein({"set-model-constraints", "cores=many"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("bad \"cores\" constraint"));
  EXPECT_EQ(Json({"model-constraints", "--format", "json"})["mem"], 1024) << "nothing changed";
}

TEST_F(ModelsCliTest, WhoamiAndControllersInJujusShapes) {
  EXPECT_EQ(Json({"whoami", "--format", "json"}), json::parse(R"({"controller":"local","model":"dev","user":"admin"})"));
  CliRun tabular = Skein({"whoami"});
  ASSERT_EQ(tabular.code, 0) << tabular.err;
  EXPECT_THAT(tabular.out, HasSubstr("Controller:"));
  EXPECT_THAT(tabular.out, HasSubstr("dev"));

  json doc = Json({"controllers", "--format=json"});
  EXPECT_EQ(doc["current-controller"], "local");
  const json& local = doc["controllers"]["local"];
  EXPECT_EQ(local["uuid"], "c0ffee00-0000-4000-8000-000000000000");
  EXPECT_EQ(local["current-model"], "admin/dev");
  EXPECT_EQ(local["user"], "admin");
  EXPECT_EQ(local["access"], "superuser");
  EXPECT_EQ(local["model-count"], 2) << "controller and dev";
  EXPECT_TRUE(local["api-endpoints"].is_array());
  CliRun table = Skein({"controllers"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("local*"));
}

}  // namespace
}  // namespace skein::cli::testing
