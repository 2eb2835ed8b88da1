// Golden files for bundle plans (issue 13): (current model, target bundle) -> the plan as
// `skein deploy <bundle> --dry-run` prints it, followed by each change's id and the ids it
// depends on. The current model is the older release's bundle as if deployed (its fresh plan
// applied to an empty model), with one option set by hand where the case says so. Charms come
// from the embedded store.
//
// The files are under tests/bundles/testdata/plans/. After a deliberate change of the planner or
// the store, regenerate them with
//   SKEIN_UPDATE_PLAN_GOLDENS=1 ctest --test-dir build -R bundles.PlanGolden
// and review the diff (git diff tests/bundles/testdata/plans) before committing: a golden is a
// reviewed expectation, not a recording.

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bundles/bundle.h"
#include "bundles/plan.h"
#include "bundles/refresh_plan.h"
#include "bundles/store.h"
#include "gtest/gtest.h"
#include "tests/bundles/plan_test_util.h"

namespace skein::bundles {
namespace {

namespace fs = std::filesystem;
const std::string kPlans = SKEIN_PLANS_DIR;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A store bundle at `channel` with overlay files from the testdata directory.
struct Release {
  std::string name;
  std::string channel;
  std::vector<std::string> overlays;
};

// An option the user set by hand on the model before the upgrade.
struct HandSet {
  std::string application;
  std::string key;
  nlohmann::json value;
};

struct GoldenCase {
  std::string file;                  // under testdata/plans/
  std::optional<Release> from;       // the release the model runs; none = empty model
  Release to;
  std::optional<HandSet> hand_set;
  PlanOptions options;
};

// gtest names a failing case by its golden file rather than by its bytes.
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.file; }

class PlanGoldenTest : public ::testing::TestWithParam<GoldenCase> {
 protected:
  void SetUp() override {
    auto store = Store::Open({});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    resolve_ = [this](const Application& app) { return store_->ResolveCharm(app.charm, app.channel, app.revision); };
  }

  absl::StatusOr<Bundle> Load(const Release& r) {
    auto release = store_->ResolveBundle(r.name, r.channel, std::nullopt);
    if (!release.ok()) return release.status();
    std::vector<SourceFile> overlays;
    for (const auto& o : r.overlays) overlays.push_back(SourceFile{ReadText(fs::path(kPlans) / o), kPlans, o});
    return ParseBundle(SourceFile{release->content, "/"}, overlays);
  }

  std::unique_ptr<Store> store_;
  CharmResolver resolve_;
};

// Each change's id and what it waits for, one a line: `deploy-1 <- addCharm-0`.
std::string Dependencies(const Plan& plan) {
  std::string out;
  for (const Change& c : plan.changes) {
    absl::StrAppend(&out, c.id);
    if (!c.depends_on.empty()) absl::StrAppend(&out, " <- ", absl::StrJoin(c.depends_on, ", "));
    absl::StrAppend(&out, "\n");
  }
  return out;
}

// The plan as printed, then its ids and dependencies, equals the golden file `file` (or, with
// SKEIN_UPDATE_PLAN_GOLDENS set, is written to it).
void ExpectGolden(const std::string& file, const Plan& plan, const std::string& heading) {
  const std::string text = absl::StrCat(FormatPlan(plan, heading), "\n# ids and dependencies\n", Dependencies(plan));
  const fs::path golden = fs::path(kPlans) / file;
  if (std::getenv("SKEIN_UPDATE_PLAN_GOLDENS") != nullptr) {
    std::ofstream(golden, std::ios::binary) << text;
    std::cout << "wrote " << golden << "\n";
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; see the top of this file to generate it";
  EXPECT_EQ(text, ReadText(golden)) << "the plan differs from " << golden;
}

TEST_P(PlanGoldenTest, MatchesTheReviewedPlan) {
  const GoldenCase& c = GetParam();
  ModelDescription model;
  if (c.from) {
    auto older = Load(*c.from);
    ASSERT_TRUE(older.ok()) << older.status();
    auto fresh = MakePlan(*older, resolve_, ModelDescription{});
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    ASSERT_TRUE(testing::ApplyPlan(*fresh, model).ok());
  }
  if (c.hand_set) {
    ModelApplication* app = testing::FindApplication(model, c.hand_set->application);
    ASSERT_NE(app, nullptr) << c.hand_set->application;
    app->options[c.hand_set->key] = c.hand_set->value;
    app->hand_set_options.insert(c.hand_set->key);
  }
  auto target = Load(c.to);
  ASSERT_TRUE(target.ok()) << target.status();
  PlanOptions options = c.options;
  options.upgrade_path = [this](const std::string& charm) { return store_->UpgradePathOf(charm); };
  auto plan = MakePlan(*target, resolve_, model, options);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(testing::CheckOrder(*plan).ok()) << testing::CheckOrder(*plan);

  ExpectGolden(c.file, *plan, "Changes to deploy bundle:");

  // Applied, the plan leaves the model as the bundle says: planning again has nothing to do
  // (what is kept or left in place stays listed).
  ASSERT_TRUE(testing::ApplyPlan(*plan, model).ok());
  auto again = MakePlan(*target, resolve_, model, options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->changes.empty()) << FormatPlan(*again, "Still to do:");
  EXPECT_EQ(again->kept.size(), plan->kept.size());
}

// istio-pilot's default-gateway is set by every Kubeflow bundle; a user who changed it by hand
// keeps their value through upgrades.
const HandSet kGateway{"istio-pilot", "default-gateway", "my-gateway"};

INSTANTIATE_TEST_SUITE_P(
    Plans, PlanGoldenTest,
    ::testing::Values(
        GoldenCase{"kubeflow-1.9-fresh.txt", std::nullopt, {"kubeflow", "1.9/stable", {}}, std::nullopt, {}},
        GoldenCase{"kubeflow-1.7-to-1.8.txt", Release{"kubeflow", "1.7/stable", {}}, {"kubeflow", "1.8/stable", {}},
                   kGateway, {}},
        GoldenCase{"kubeflow-1.8-to-1.9.txt", Release{"kubeflow", "1.8/stable", {}}, {"kubeflow", "1.9/stable", {}},
                   kGateway, {}},
        GoldenCase{"kubeflow-1.8-to-1.9-prune.txt", Release{"kubeflow", "1.8/stable", {}},
                   {"kubeflow", "1.9/stable", {}}, kGateway, PlanOptions{.prune = true}},
        GoldenCase{"kubeflow-1.9-to-1.10.txt", Release{"kubeflow", "1.9/stable", {}}, {"kubeflow", "1.10/stable", {}},
                   kGateway, {}},
        GoldenCase{"kubeflow-1.10-to-1.11.txt", Release{"kubeflow", "1.10/stable", {}},
                   {"kubeflow", "1.11/stable", {}}, kGateway, {}},
        // A rollback: Istio's path does not go down, so only --force plans it (straight down,
        // one refresh each); every charm that goes back is a warning.
        GoldenCase{"kubeflow-1.9-to-1.8-rollback-force.txt", Release{"kubeflow", "1.9/stable", {}},
                   {"kubeflow", "1.8/stable", {}}, std::nullopt, PlanOptions{.force = true}},
        GoldenCase{"mlflow-2.1-to-2.15.txt", Release{"mlflow", "2.1/stable", {}}, {"mlflow", "2.15/stable", {}},
                   std::nullopt, {}},
        // resource-dispatcher 1.0 requires `secrets` and `pod-defaults` from mlflow-server 2.1;
        // from 2.0 / 2.15 the direction is the other way round, so both relations are removed
        // before the refreshes and added again after them.
        GoldenCase{"mlflow-rd-2.1-to-2.15.txt", Release{"mlflow", "2.1/stable", {"rd-1.0.yaml"}},
                   {"mlflow", "2.15/stable", {"rd-2.0.yaml"}}, std::nullopt, {}}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) {
      std::string name = info.param.file.substr(0, info.param.file.size() - 4);
      for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return name;
    });

// The same fixture for the cases that are not a (release, release) pair.
class PlanGoldenCaseTest : public PlanGoldenTest {
 protected:
  // The model as `release` leaves an empty one.
  ModelDescription Deployed(const Release& release) {
    ModelDescription model;
    auto bundle = Load(release);
    EXPECT_TRUE(bundle.ok()) << bundle.status();
    if (!bundle.ok()) return model;
    auto fresh = MakePlan(*bundle, resolve_, model);
    EXPECT_TRUE(fresh.ok()) << fresh.status();
    if (fresh.ok()) EXPECT_TRUE(testing::ApplyPlan(*fresh, model).ok());
    return model;
  }

  UpgradePathLookup Paths() {
    return [this](const std::string& charm) { return store_->UpgradePathOf(charm); };
  }
};

// `skein refresh istio-pilot --channel 1.22/stable` on Kubeflow 1.8 (istio-pilot on 1.17).
TEST_F(PlanGoldenCaseTest, IstioPilotRefreshWalksItsPath) {
  ModelDescription model = Deployed({"kubeflow", "1.8/stable", {}});
  const ModelApplication* pilot = testing::FindApplication(model, "istio-pilot");
  ASSERT_NE(pilot, nullptr);
  auto target = RefreshTarget(*pilot, {.channel = "1.22/stable"});
  ASSERT_TRUE(target.ok()) << target.status();
  auto charm = resolve_(*target);
  ASSERT_TRUE(charm.ok()) << charm.status();
  const CharmSource source{resolve_, Paths()};
  auto plan = MakeRefreshPlan(model, "istio-pilot", *charm, source);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(testing::CheckOrder(*plan).ok()) << testing::CheckOrder(*plan);
  ExpectGolden("istio-pilot-1.17-to-1.22-refresh.txt", *plan, "Changes to refresh istio-pilot:");
  // Applied, istio-pilot runs 1.22 and the same refresh has nothing to do.
  ASSERT_TRUE(testing::ApplyPlan(*plan, model).ok());
  pilot = testing::FindApplication(model, "istio-pilot");
  EXPECT_EQ(pilot->channel, "1.22/stable");
  auto again = resolve_(*RefreshTarget(*pilot, {}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(MakeRefreshPlan(model, "istio-pilot", *again, source).status().message(),
            "charm \"istio-pilot\": already up-to-date");
}

// Without --force, rolling Kubeflow 1.9 back to 1.8 stops at Istio, whose path only goes up, and
// says which way it can go; refreshing istio-pilot down by itself says the same.
TEST_F(PlanGoldenCaseTest, ARollbackDownIstiosPathIsRefusedWithThePath) {
  ModelDescription model = Deployed({"kubeflow", "1.9/stable", {}});
  auto older = Load({"kubeflow", "1.8/stable", {}});
  ASSERT_TRUE(older.ok()) << older.status();
  auto plan = MakePlan(*older, resolve_, model, PlanOptions{.upgrade_path = Paths()});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(plan.status().message(),
            "application \"istio-ingressgateway\": charm \"istio-gateway\" cannot go from track 1.22 down to 1.17: its "
            "upgrade path is 1.16 -> 1.17 -> 1.18 -> 1.19 -> 1.20 -> 1.21 -> 1.22 -> 1.23 -> 1.24 -> 1.25 -> 1.26 -> "
            "1.27 -> 1.28");
  const ModelApplication* pilot = testing::FindApplication(model, "istio-pilot");
  ASSERT_NE(pilot, nullptr);
  auto charm = resolve_(*RefreshTarget(*pilot, {.channel = "1.17/stable"}));
  ASSERT_TRUE(charm.ok()) << charm.status();
  EXPECT_EQ(MakeRefreshPlan(model, "istio-pilot", *charm, CharmSource{resolve_, Paths()}).status().message(),
            "charm \"istio-pilot\" cannot go from track 1.22 down to 1.17: its upgrade path is 1.16 -> 1.17 -> 1.18 "
            "-> 1.19 -> 1.20 -> 1.21 -> 1.22 -> 1.23 -> 1.24 -> 1.25 -> 1.26 -> 1.27 -> 1.28");
}

// Kubeflow 1.11 has every application and relation 1.10 has, so --prune has nothing to remove:
// the plan with it is the plan without it (kubeflow-1.10-to-1.11.txt).
TEST_F(PlanGoldenCaseTest, Kubeflow110To111WithPruneRemovesNothing) {
  ModelDescription model = Deployed({"kubeflow", "1.10/stable", {}});
  auto target = Load({"kubeflow", "1.11/stable", {}});
  ASSERT_TRUE(target.ok()) << target.status();
  auto plain = MakePlan(*target, resolve_, model, PlanOptions{.upgrade_path = Paths()});
  auto pruned = MakePlan(*target, resolve_, model, PlanOptions{.prune = true, .upgrade_path = Paths()});
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_TRUE(pruned->OfKind(ChangeKind::kRemoveApplication).empty());
  EXPECT_TRUE(pruned->OfKind(ChangeKind::kRemoveRelation).empty());
  EXPECT_EQ(FormatPlan(*pruned, "plan:"), FormatPlan(*plain, "plan:"));
  EXPECT_FALSE(plain->OfKind(ChangeKind::kRefreshApplication).empty());
}

}  // namespace
}  // namespace skein::bundles
