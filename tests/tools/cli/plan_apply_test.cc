// Applying plans from the CLI (issue 13): the converter from bundles::Plan to ApplyPlan's
// changes, the progress and error texts, `history`'s table, and refresh, deploy, history and
// rollback against a fake controller that streams a job's progress.

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/base/sha256.h"
#include "tests/tools/cli/fake_controller.h"
#include "tests/tools/cli/test_util.h"
#include "tools/cli/commands/plan_apply.h"
#include "tools/cli/output/history_output.h"

namespace skein::cli::commands {
namespace {

using testing::CliRun;

bundles::ResolvedCharm StoreCharm(const std::string& name, const std::string& channel, int64_t revision) {
  bundles::ResolvedCharm c;
  c.name = name;
  c.origin = "charmhub";
  c.channel = channel;
  c.revision = revision;
  return c;
}

// A plan with every change kind, as the planners build them.
bundles::Plan EveryKind() {
  bundles::Plan plan;
  const std::string up1 = plan.Add("addCharm", bundles::UploadCharm{StoreCharm("kfp-api", "2.2/stable", 9)}, {});
  bundles::DeployApplication deploy{"kfp-api", "kfp-api", "charmhub", "2.2/stable", 9, "", 2, {{"port", "8888"}}};
  const std::string dep = plan.Add("deploy", deploy, {up1});
  const std::string up2 = plan.Add("addCharm", bundles::UploadCharm{StoreCharm("minio", "ckf-1.9/stable", 3)}, {});
  bundles::RefreshApplication refresh;
  refresh.application = "minio";
  refresh.charm = "minio";
  refresh.origin = "charmhub";
  refresh.from_channel = "ckf-1.8/stable";
  refresh.from_revision = 2;
  refresh.channel = "ckf-1.9/stable";
  refresh.revision = 3;
  refresh.force = true;
  refresh.force_units = true;
  refresh.config = {{"mode", "fast"}};
  const std::string rem_rel =
      plan.Add("removeRelation", bundles::RemoveRelation{"minio:object-storage", "kfp-api:object-storage", "minio"}, {});
  const std::string ref = plan.Add("upgradeCharm", refresh, {up2, rem_rel});
  const std::string wait = plan.Add("wait", bundles::WaitForApplications{{"minio"}}, {ref});
  plan.Add("setOptions", bundles::SetConfig{"minio", {{"secret-key", "s3cr3t"}}}, {wait});
  plan.Add("addUnit", bundles::AddUnits{"minio", 2, 3}, {wait});
  bundles::RelationPlan rel{"kfp-api:object-storage", "minio:object-storage", "object-storage", false};
  plan.Add("addRelation", bundles::AddRelation{rel}, {dep, wait});
  plan.Add("removeApplication", bundles::RemoveApplication{"old-app"}, {});
  return plan;
}

TEST(ToPlanChangesTest, MapsEveryKindAndLeavesUploadsOnTheClient) {
  const bundles::Plan plan = EveryKind();
  auto changes = ToPlanChanges(plan, {{"addCharm-0", "sha-kfp"}, {"addCharm-2", "sha-minio"}});
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), plan.changes.size() - 2) << "the two uploads are not sent";
  std::map<std::string, skein::v1::PlanChange> by_id;
  for (const auto& c : *changes) by_id[c.id()] = c;
  for (const bundles::Change& c : plan.changes) {
    if (c.kind() == bundles::ChangeKind::kUploadCharm) {
      EXPECT_EQ(by_id.count(c.id), 0u) << c.id;
      continue;
    }
    ASSERT_EQ(by_id.count(c.id), 1u) << c.id;
    EXPECT_EQ(by_id[c.id].description(), bundles::DescribeChange(c));
  }

  const auto& deploy = by_id["deploy-1"];
  ASSERT_TRUE(deploy.has_deploy());
  EXPECT_EQ(deploy.deploy().application(), "kfp-api");
  EXPECT_EQ(deploy.deploy().charm_sha256(), "sha-kfp");
  EXPECT_EQ(deploy.deploy().num_units(), 2);
  EXPECT_EQ(deploy.deploy().charm_origin(), "charmhub");
  EXPECT_EQ(deploy.deploy().channel(), "2.2/stable");
  EXPECT_EQ(deploy.deploy().revision(), 9);
  EXPECT_EQ(deploy.deploy().config().at("port"), "8888");
  EXPECT_TRUE(deploy.depends_on().empty()) << "its only dependency was the upload";

  const auto& remove_rel = by_id["removeRelation-3"];
  ASSERT_TRUE(remove_rel.has_remove_relation());
  EXPECT_EQ(remove_rel.remove_relation().a(), "minio:object-storage");
  EXPECT_EQ(remove_rel.remove_relation().b(), "kfp-api:object-storage");

  const auto& refresh = by_id["upgradeCharm-4"];
  ASSERT_TRUE(refresh.has_refresh());
  EXPECT_EQ(refresh.refresh().application(), "minio");
  EXPECT_EQ(refresh.refresh().charm_sha256(), "sha-minio");
  EXPECT_EQ(refresh.refresh().charm_origin(), "charmhub");
  EXPECT_EQ(refresh.refresh().channel(), "ckf-1.9/stable");
  EXPECT_EQ(refresh.refresh().revision(), 3);
  EXPECT_TRUE(refresh.refresh().force());
  EXPECT_TRUE(refresh.refresh().force_units());
  EXPECT_EQ(refresh.refresh().config().at("mode"), "fast");
  ASSERT_EQ(refresh.depends_on_size(), 1);
  EXPECT_EQ(refresh.depends_on(0), "removeRelation-3");

  const auto& wait = by_id["wait-5"];
  ASSERT_TRUE(wait.has_wait());
  ASSERT_EQ(wait.wait().applications_size(), 1);
  EXPECT_EQ(wait.wait().applications(0), "minio");
  EXPECT_EQ(wait.wait().timeout_ms(), 0) << "the controller's default";

  const auto& set = by_id["setOptions-6"];
  ASSERT_TRUE(set.has_set_config());
  EXPECT_EQ(set.set_config().application(), "minio");
  EXPECT_EQ(set.set_config().config().at("secret-key"), "s3cr3t");

  const auto& units = by_id["addUnit-7"];
  ASSERT_TRUE(units.has_add_units());
  EXPECT_EQ(units.add_units().application(), "minio");
  EXPECT_EQ(units.add_units().count(), 2);

  const auto& add_rel = by_id["addRelation-8"];
  ASSERT_TRUE(add_rel.has_add_relation());
  EXPECT_EQ(add_rel.add_relation().a(), "kfp-api:object-storage");
  EXPECT_EQ(add_rel.add_relation().b(), "minio:object-storage");
  EXPECT_EQ(std::vector<std::string>(add_rel.depends_on().begin(), add_rel.depends_on().end()),
            (std::vector<std::string>{"deploy-1", "wait-5"}));

  EXPECT_EQ(by_id["removeApplication-9"].remove_application(), "old-app");
}

TEST(ToPlanChangesTest, ADeployWithoutAnUploadedCharmIsAnError) {
  const bundles::Plan plan = EveryKind();
  auto changes = ToPlanChanges(plan, {{"addCharm-0", "sha-kfp"}});
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.status().message(),
            "change upgradeCharm-4 (" + bundles::DescribeChange(plan.changes[4]) + ") depends on no uploaded charm");
}

TEST(ToPlanChangesTest, UploadsEachCharmOnceInPlanOrder) {
  const bundles::Plan plan = EveryKind();
  std::vector<std::string> uploaded;
  auto shas = UploadPlanCharms(plan, [&](const bundles::Change& c) -> absl::StatusOr<std::string> {
    uploaded.push_back(std::get<bundles::UploadCharm>(c.args).charm.name);
    return "sha-" + c.id;
  });
  ASSERT_TRUE(shas.ok());
  EXPECT_EQ(uploaded, (std::vector<std::string>{"kfp-api", "minio"}));
  EXPECT_EQ(shas->at("addCharm-2"), "sha-addCharm-2");
  auto failed = UploadPlanCharms(plan, [](const bundles::Change&) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("controller gone");
  });
  EXPECT_EQ(failed.status().message(), "controller gone");
}

TEST(ProgressTest, LinesNameTheChangeAndHowItEnded) {
  const std::map<std::string, std::string> d = {{"upgradeCharm-3", "upgrade kfp-api from charm-hub using charm kfp-api"}};
  skein::v1::PlanProgress p;
  p.set_job(4);
  EXPECT_EQ(ProgressLine(p, d), std::nullopt) << "a new job's first message says nothing";
  p.set_resumed(true);
  p.set_deployment_revision(3);
  EXPECT_EQ(ProgressLine(p, d), "Resuming job 4 (revision 3): changes already done are not done again");
  p.set_resumed(false);
  p.set_change_id("upgradeCharm-3");
  p.set_state(skein::v1::PlanProgress::RUNNING);
  EXPECT_EQ(ProgressLine(p, d), std::nullopt);
  p.set_state(skein::v1::PlanProgress::DONE);
  EXPECT_EQ(ProgressLine(p, d), "- upgradeCharm-3: upgrade kfp-api from charm-hub using charm kfp-api ... done");
  p.set_state(skein::v1::PlanProgress::FAILED);
  EXPECT_EQ(ProgressLine(p, d), "- upgradeCharm-3: upgrade kfp-api from charm-hub using charm kfp-api ... failed");
  p.set_change_id("wait-4");
  p.set_state(skein::v1::PlanProgress::RUNNING);
  p.set_message("kfp-api/0 executing (upgrade-charm)");
  EXPECT_EQ(ProgressLine(p, d), "  wait-4: kfp-api/0 executing (upgrade-charm)");
  p.set_state(skein::v1::PlanProgress::DONE);
  EXPECT_EQ(ProgressLine(p, d), "- wait-4 ... done") << "an id the client does not know is printed alone";

  EXPECT_EQ(FailedChangeMessage("upgradeCharm-3", "upgrade kfp-api", "hook failed", /*deployment=*/true),
            "change upgradeCharm-3 (upgrade kfp-api) failed: hook failed\nthe changes before it are done; fix the "
            "cause, then re-run the same command (or add --resume) to continue from there");
  EXPECT_EQ(FailedChangeMessage("upgradeCharm-1", "", "refused", /*deployment=*/false),
            "change upgradeCharm-1 failed: refused");
}

skein::v1::DeploymentRevision Revision(int64_t n, const std::string& status, const std::string& channel,
                                       int64_t bundle_revision, const std::string& description) {
  skein::v1::DeploymentRevision r;
  r.set_revision(n);
  r.set_updated("2026-12-07T0" + std::to_string(n) + ":00:00Z");
  r.set_status(status);
  r.set_bundle("kubeflow");
  r.set_channel(channel);
  r.set_bundle_revision(bundle_revision);
  r.set_description(description);
  return r;
}

TEST(HistoryOutputTest, HelmTableAndDocument) {
  std::vector<skein::v1::DeploymentRevision> h = {
      Revision(1, "superseded", "1.8/stable", 414, "Install complete"),
      Revision(2, "failed", "1.9/stable", 430, "Upgrade to 1.9/stable"),
      Revision(3, "deployed", "", 0, "Rollback to 1"),
  };
  auto* c = h[1].add_changes();
  c->set_id("upgradeCharm-3");
  c->set_description("upgrade kfp-api");
  c->set_state(skein::v1::PlanProgress::FAILED);
  c->set_message("hook failed: \"upgrade-charm\"");
  c->set_updated("2026-12-07T02:00:05Z");
  EXPECT_EQ(output::HistoryToTabular(h, /*color=*/false),
            "REVISION  UPDATED               STATUS      BUNDLE        CHANNEL     DESCRIPTION\n"
            "1         2026-12-07T01:00:00Z  superseded  kubeflow-414  1.8/stable  Install complete\n"
            "2         2026-12-07T02:00:00Z  failed      kubeflow-430  1.9/stable  Upgrade to 1.9/stable\n"
            "3         2026-12-07T03:00:00Z  deployed    kubeflow                  Rollback to 1\n");
  nlohmann::json doc = output::HistoryToJson(h);
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["bundle-revision"], 414);
  EXPECT_FALSE(doc[2].contains("bundle-revision"));
  EXPECT_EQ(doc[1]["changes"][0],
            (nlohmann::json{{"id", "upgradeCharm-3"},
                            {"description", "upgrade kfp-api"},
                            {"status", "failed"},
                            {"message", "hook failed: \"upgrade-charm\""},
                            {"updated", "2026-12-07T02:00:05Z"}}));
}

// The CLI against a fake controller whose model `dev` runs minio from ckf-1.8/stable (store
// revision 2), in the embedded store.
class PlanCliTest : public ::testing::Test {
 protected:
  PlanCliTest() : server_(testing::TestAdminHash()) {
    testing::RegisterController(dir_.path(), server_.address(), "dev");
    fake().models.insert("dev");
    fake().status.mutable_model()->set_name("dev");
    auto* app = fake().status.add_applications();
    app->set_name("minio");
    app->set_charm_name("minio");
    app->set_charm_url("minio");
    app->set_charm_origin("charmhub");
    app->set_charm_channel("ckf-1.8/stable");
    app->set_charm_rev(2);
    app->set_scale(1);
    auto* unit = app->add_units();
    unit->set_name("minio/0");
    unit->mutable_agent_status()->set_current("idle");
    unit->mutable_workload_status()->set_current("active");
  }
  testing::FakeController& fake() { return server_.fake(); }
  CliRun Skein(const std::vector<std::string>& args) { return testing::RunSkein(dir_.path(), args); }

  testing::TempDir dir_;
  testing::FakeControllerServer server_;
};

TEST_F(PlanCliTest, RefreshToAnotherChannelSendsOneRefreshAndPrintsItsProgress) {
  CliRun r = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().apply_plans.size(), 1u);
  const skein::v1::ApplyPlanRequest& req = fake().apply_plans[0];
  EXPECT_EQ(req.model(), "dev");
  EXPECT_EQ(req.deployment(), "") << "a refresh is no deployment's revision";
  ASSERT_EQ(req.changes_size(), 1);
  const skein::v1::PlanChange& c = req.changes(0);
  ASSERT_TRUE(c.has_refresh());
  EXPECT_EQ(c.refresh().application(), "minio");
  EXPECT_EQ(c.refresh().channel(), "ckf-1.9/stable");
  EXPECT_EQ(c.refresh().revision(), 3);
  EXPECT_EQ(c.refresh().charm_origin(), "charmhub");
  EXPECT_EQ(c.refresh().charm_sha256(), Sha256Hex(fake().last_upload));
  EXPECT_EQ(r.out, "Executing changes:\n- " + std::string("upload charm minio from charm-hub from channel ckf-1.9/stable "
                                                            "with architecture=amd64\n- ") +
                       c.description() + "\n");
  EXPECT_TRUE(absl::StrContains(r.err, "Located charm \"minio\" in the store, channel ckf-1.9/stable, revision 3\n"))
      << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "- " + c.id() + ": " + c.description() + " ... done\n")) << r.err;
  EXPECT_TRUE(absl::StrContains(c.description(), "revision 3 (now ckf-1.8/stable, revision 2)")) << c.description();
}

TEST_F(PlanCliTest, RefreshPathUploadsTheLocalCharm) {
  const std::string charm = dir_.path() + "/charms/minio";
  testing::WriteFile(charm + "/metadata.yaml", "name: minio\nprovides:\n  object-storage:\n    interface: object-storage\n");
  testing::WriteFile(charm + "/dispatch", "#!/bin/sh\n", 0755);
  CliRun missing = Skein({"refresh", "minio", "--path", dir_.path() + "/nothing-here"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "ERROR no charm found at \"" + dir_.path() + "/nothing-here\"\n");
  EXPECT_TRUE(fake().apply_plans.empty());

  CliRun r = Skein({"refresh", "minio", "--path", charm});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().apply_plans.size(), 1u);
  ASSERT_EQ(fake().apply_plans[0].changes_size(), 1);
  const skein::v1::RefreshChange& c = fake().apply_plans[0].changes(0).refresh();
  EXPECT_EQ(c.charm_origin(), "local");
  EXPECT_EQ(c.charm_sha256(), Sha256Hex(fake().last_upload));
  EXPECT_EQ(r.out, "Executing changes:\n- upload charm minio from local\n- upgrade minio from local using charm minio\n");
}

TEST_F(PlanCliTest, RefreshWaitFollowsTheApplicationOnTheStatusStream) {
  // Another application in error does not hold the refreshed one up: the wait is about minio.
  auto* other = fake().status.add_applications();
  other->set_name("broken");
  auto* unit = other->add_units();
  unit->set_name("broken/0");
  unit->mutable_agent_status()->set_current("error");
  unit->mutable_agent_status()->set_message("hook failed: \"install\"");
  CliRun r = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable", "--wait=30s"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StrContains(r.err, "\n1/1 units settled\nModel \"dev\" settled: 1 units in ")) << r.err;

  fake().status.mutable_applications(0)->mutable_units(0)->mutable_agent_status()->set_current("error");
  fake().status.mutable_applications(0)->mutable_units(0)->mutable_agent_status()->set_message(
      "hook failed: \"upgrade-charm\"");
  CliRun failed = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable", "--wait"});
  EXPECT_EQ(failed.code, 1);
  EXPECT_TRUE(absl::StrContains(failed.err, "ERROR model \"dev\" cannot settle: minio/0: hook failed: \"upgrade-charm\"\n"))
      << failed.err;

  fake().status.mutable_applications(0)->mutable_units(0)->mutable_agent_status()->set_current("executing");
  CliRun late = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable", "--wait=300ms"});
  EXPECT_EQ(late.code, 1);
  EXPECT_TRUE(absl::StrContains(late.err, "ERROR timed out after 300ms waiting for model \"dev\" to settle: 0/1 units "
                                          "settled; waiting for minio/0 active"))
      << late.err;
}

TEST_F(PlanCliTest, RefreshRefusalsAndDryRunSendNothing) {
  CliRun same = Skein({"refresh", "minio"});
  EXPECT_EQ(same.code, 1);
  EXPECT_EQ(same.err, "ERROR charm \"minio\": already up-to-date\n");
  CliRun missing = Skein({"refresh", "nothere"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "ERROR application \"nothere\" not found\n");
  CliRun dry = Skein({"refresh", "minio", "--revision", "3", "--dry-run"});
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_TRUE(absl::StartsWith(dry.out, "Changes to refresh:\n- upload charm minio")) << dry.out;
  EXPECT_TRUE(fake().apply_plans.empty());
  EXPECT_TRUE(fake().last_upload.empty());
}

TEST_F(PlanCliTest, RefreshFailureNamesTheChange) {
  fake().fail_change = "upgradeCharm-1";
  fake().fail_message = "cannot upgrade application \"minio\": unit minio/0 is in error";
  CliRun r = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable"});
  EXPECT_EQ(r.code, 1);
  ASSERT_EQ(fake().apply_plans.size(), 1u);
  const std::string description = fake().apply_plans[0].changes(0).description();
  EXPECT_TRUE(absl::StrContains(r.err, "- upgradeCharm-1: " + description + " ... failed\n")) << r.err;
  EXPECT_TRUE(absl::EndsWith(r.err, "ERROR change upgradeCharm-1 (" + description +
                                        ") failed: cannot upgrade application \"minio\": unit minio/0 is in error\n"))
      << r.err;
}

TEST_F(PlanCliTest, RefreshWarnsForFlagsItCannotActOn) {
  CliRun r = Skein({"refresh", "minio", "--channel", "ckf-1.9/stable", "--storage", "data=1G", "--base",
                    "ubuntu@22.04", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(absl::StartsWith(r.err,
                               "WARNING --storage is ignored: refresh keeps the application's storage as deployed\n"
                               "WARNING --base is ignored: skein runs every charm on its machine's base\n"))
      << r.err;
}

TEST_F(PlanCliTest, UsageErrorsExit2AndSendNothing) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"refresh"}, "ERROR no application specified\n"},
      {{"refresh", "minio", "--switch", "x", "--revision", "3"}, "ERROR --switch and --revision are mutually exclusive\n"},
      {{"refresh", "minio", "--path", "./x", "--revision", "3"}, "ERROR --path and --revision are mutually exclusive\n"},
      {{"refresh", "minio", "--switch", "x", "--path", "./x"}, "ERROR --switch and --path are mutually exclusive\n"},
      {{"refresh", "minio", "--revision", "three"},
       "ERROR invalid value \"three\" for option --revision: expected an integer\n"},
      {{"refresh", "minio", "--resource", "oci-image"}, "ERROR expected \"name=value\", got \"oci-image\"\n"},
      {{"refresh", "minio", "--wait=soon"},
       "ERROR invalid value \"soon\" for option --wait: time: invalid duration \"soon\"\n"},
      {{"refresh", "minio", "--dry-run", "--wait"}, "ERROR --dry-run and --wait are mutually exclusive\n"},
      {{"deploy", "kubeflow", "--wait=0s"}, "ERROR invalid value \"0s\" for option --wait: not positive\n"},
      {{"history"}, "ERROR no deployment specified\n"},
      {{"history", "kubeflow", "--format", "xml"}, "ERROR invalid value \"xml\" for option --format: unknown format \"xml\"\n"},
      {{"history", "a", "b"}, "ERROR unrecognized args: [\"b\"]\n"},
      {{"rollback"}, "ERROR no deployment specified\n"},
      {{"rollback", "kubeflow", "two"}, "ERROR invalid revision \"two\": expected a revision number\n"},
      {{"rollback", "kubeflow", "1", "2"}, "ERROR unrecognized args: [\"2\"]\n"},
  };
  for (const auto& [args, error] : cases) {
    CliRun r = Skein(args);
    EXPECT_EQ(r.code, 2) << args.back();
    EXPECT_EQ(r.err, error);
    EXPECT_EQ(r.out, "");
  }
  EXPECT_TRUE(fake().apply_plans.empty());
  for (const char* command : {"refresh", "history", "rollback"}) {
    CliRun help = Skein({command, "--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_TRUE(absl::StartsWith(help.out, std::string("Usage: skein ") + command + " [options] <")) << help.out;
  }
}

TEST_F(PlanCliTest, HistoryPrintsTheTableOrTheDocument) {
  CliRun none = Skein({"history", "kubeflow"});
  EXPECT_EQ(none.code, 1);
  EXPECT_EQ(none.err, "ERROR deployment \"kubeflow\" not found in model \"dev\"\n");
  fake().history = {Revision(1, "superseded", "1.8/stable", 414, "Install complete"),
                    Revision(2, "deployed", "1.9/stable", 430, "Upgrade to 1.9/stable")};
  CliRun table = Skein({"history", "kubeflow"});
  ASSERT_EQ(table.code, 0) << table.err;
  EXPECT_EQ(table.out, output::HistoryToTabular(fake().history, false));
  CliRun json = Skein({"history", "kubeflow", "--format", "json"});
  ASSERT_EQ(json.code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out), output::HistoryToJson(fake().history));
  CliRun yaml = Skein({"history", "kubeflow", "--format", "yaml"});
  ASSERT_EQ(yaml.code, 0) << yaml.err;
  EXPECT_TRUE(absl::StartsWith(yaml.out, "- bundle: kubeflow\n")) << yaml.out;
}

// A bundle file with minio alone, on ckf-1.9/stable.
std::string WriteMinioBundle(const std::string& dir, const std::string& channel) {
  const std::string path = dir + "/minio-bundle.yaml";
  testing::WriteFile(path, "applications:\n  minio: {charm: minio, channel: " + channel + ", scale: 1}\n");
  return path;
}

TEST_F(PlanCliTest, DeployOnARunningModelAppliesTheUpgradeAsTheNextRevision) {
  const std::string bundle = WriteMinioBundle(dir_.path(), "ckf-1.9/stable");
  fake().history = {Revision(1, "deployed", "", 0, "Install complete")};
  fake().history[0].set_bundle("minio-bundle.yaml");
  fake().history[0].set_resolved_json(R"({"applications":{"minio":{"charm":"minio"}}})");
  CliRun r = Skein({"deploy", bundle});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().apply_plans.size(), 1u);
  const skein::v1::ApplyPlanRequest& req = fake().apply_plans[0];
  EXPECT_EQ(req.deployment(), "minio-bundle.yaml");
  EXPECT_EQ(req.description(), "Upgrade complete") << "a bundle file has no channel to name";
  EXPECT_FALSE(req.resume());
  ASSERT_EQ(req.changes_size(), 1);
  EXPECT_TRUE(req.changes(0).has_refresh());
  EXPECT_EQ(req.plan_text(), r.out);
  EXPECT_TRUE(absl::StrContains(req.bundle_yaml(), "ckf-1.9/stable"));
  EXPECT_EQ(nlohmann::json::parse(req.resolved_json())["applications"]["minio"]["revision"], 3);
  EXPECT_TRUE(absl::EndsWith(r.err, " ... done\nDeploy of bundle completed.\n")) << r.err;
}

TEST_F(PlanCliTest, DeployResumesAnUnfinishedRevisionOfTheSameBundle) {
  const std::string bundle = WriteMinioBundle(dir_.path(), "ckf-1.9/stable");
  CliRun nothing = Skein({"deploy", bundle, "--resume"});
  EXPECT_EQ(nothing.code, 1);
  EXPECT_EQ(nothing.err, "ERROR nothing to resume: deployment \"minio-bundle.yaml\" has no revision\n");
  std::ifstream in(bundle);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  skein::v1::DeploymentRevision failed = Revision(2, "failed", "", 0, "Upgrade complete");
  failed.set_bundle("minio-bundle.yaml");
  failed.set_bundle_yaml(text);
  failed.set_plan_text("Executing changes:\n- upgrade minio\n");
  auto* c = failed.add_changes();
  c->set_id("upgradeCharm-1");
  c->set_description("upgrade minio");
  c->set_state(skein::v1::PlanProgress::FAILED);
  fake().history = {Revision(1, "superseded", "", 0, "Install complete"), failed};
  fake().history[0].set_bundle("minio-bundle.yaml");
  CliRun r = Skein({"deploy", bundle});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().apply_plans.size(), 1u);
  EXPECT_TRUE(fake().apply_plans[0].resume());
  EXPECT_EQ(fake().apply_plans[0].changes_size(), 0) << "the stored job's changes run, not a new plan";
  EXPECT_EQ(r.out, "Executing changes:\n- upgrade minio\n");
  EXPECT_TRUE(absl::StartsWith(r.err, "Revision 2 of deployment \"minio-bundle.yaml\" did not finish (failed): "
                                      "continuing from its first change not done\n"))
      << r.err;
}

TEST_F(PlanCliTest, DeployFailureSaysHowToContinue) {
  const std::string bundle = WriteMinioBundle(dir_.path(), "ckf-1.9/stable");
  fake().fail_change = "upgradeCharm-1";
  fake().fail_message = "hook failed: \"upgrade-charm\"";
  CliRun r = Skein({"deploy", bundle});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(absl::EndsWith(r.err, "failed: hook failed: \"upgrade-charm\"\nthe changes before it are done; fix the "
                                    "cause, then re-run the same command (or add --resume) to continue from there\n"))
      << r.err;
  EXPECT_EQ(r.err.find("Deploy of bundle completed."), std::string::npos);
}

TEST_F(PlanCliTest, RollbackPlansBackToTheRevisionsPinnedCharms) {
  skein::v1::DeploymentRevision one = Revision(1, "superseded", "", 0, "Install complete");
  one.set_bundle("minio-bundle.yaml");
  one.set_bundle_yaml("applications:\n  minio: {charm: minio, channel: ckf-1.7/stable, scale: 1}\n");
  one.set_resolved_json(
      R"({"applications":{"minio":{"charm":"minio","origin":"charmhub","channel":"ckf-1.7/stable","revision":1}}})");
  skein::v1::DeploymentRevision two = Revision(2, "deployed", "", 0, "Upgrade complete");
  two.set_bundle("minio-bundle.yaml");
  fake().history = {one, two};
  CliRun dry = Skein({"rollback", "minio-bundle.yaml", "--dry-run"});
  ASSERT_EQ(dry.code, 0) << dry.err;
  EXPECT_TRUE(absl::StartsWith(dry.out, "warning: downgrade minio from revision 2 (ckf-1.8/stable) to 1 (ckf-1.7/stable)\n"))
      << dry.out;
  EXPECT_TRUE(absl::StartsWith(dry.err, "Rolling deployment \"minio-bundle.yaml\" back to revision 1 (minio-bundle.yaml)\n"))
      << dry.err;
  EXPECT_TRUE(absl::StrContains(dry.out, "upgrade minio from charm-hub using charm minio from channel ckf-1.7/stable, "
                                         "revision 1 (now ckf-1.8/stable, revision 2)"))
      << dry.out;
  EXPECT_TRUE(fake().apply_plans.empty());
  CliRun r = Skein({"rollback", "minio-bundle.yaml", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(fake().apply_plans.size(), 1u);
  EXPECT_EQ(fake().apply_plans[0].description(), "Rollback to 1");
  EXPECT_EQ(fake().apply_plans[0].deployment(), "minio-bundle.yaml");
  CliRun missing = Skein({"rollback", "minio-bundle.yaml", "5"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err, "ERROR revision 5 of deployment \"minio-bundle.yaml\" not found\n");
}

}  // namespace
}  // namespace skein::cli::commands
