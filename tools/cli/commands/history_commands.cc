// `skein history <deployment>` and `skein rollback <deployment> [REVISION]` (issue 13), after
// `helm history` and `helm rollback`: every applied plan of a bundle deployment is a revision
// (bundle, overlays, resolved charms, the plan, its result); rollback plans from the current
// model back to a revision's bundle with its charm revisions pinned, and applies that plan as a
// new revision, `Rollback to N`.

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tools/cli/commands/bundle_deploy.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/history_output.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

absl::StatusOr<std::vector<skein::v1::DeploymentRevision>> ExistingHistory(Session& session,
                                                                           const std::string& deployment) {
  auto history = ReadDeploymentHistory(session, deployment);
  if (!history.ok()) return history.status();
  if (history->empty()) {
    return absl::NotFoundError(
        absl::StrCat("deployment \"", deployment, "\" not found in model \"", session.model(), "\""));
  }
  return history;
}

class HistoryCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"history",
            "<deployment>",
            "Show the revisions of a bundle deployment.",
            "A deployment is a bundle deployed in a model, named after the bundle (kubeflow) or the\n"
            "bundle file. Every plan applied to it (the first deploy, each upgrade, each rollback)\n"
            "is a revision, listed oldest first: when it was last updated, its status (deployed\n"
            "for the revision the model runs, superseded for earlier ones, failed or pending-* for\n"
            "one that stopped or still runs), the bundle and its store revision, the channel and\n"
            "what it did. --format json|yaml adds each revision's changes with their states.\n",
            "    skein history kubeflow\n    skein history kubeflow --format yaml\n",
            {},
            {"rollback", "deploy"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no deployment specified");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    deployment_ = args[0];
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto history = ExistingHistory(*session, deployment_);
    if (!history.ok()) return history.status();
    if (format_ == "tabular") return WriteOutput(env, output_, output::HistoryToTabular(*history, env.ColorStdout()));
    return WriteData(env, output_, output::HistoryToJson(*history), format_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"tabular", "json", "yaml"};
  std::string model_;
  std::string format_ = "tabular";
  std::string output_;
  std::string deployment_;
};

// Pins every store application of `bundle` to the channel and revision `revision` resolved, so
// that a rollback returns to the charms that revision ran even when its channels moved since.
void PinResolvedCharms(const skein::v1::DeploymentRevision& revision, bundles::Bundle* bundle) {
  nlohmann::json resolved = nlohmann::json::parse(revision.resolved_json(), nullptr, /*allow_exceptions=*/false);
  if (!resolved.is_object() || !resolved.contains("applications")) return;
  const nlohmann::json& apps = resolved["applications"];
  if (!apps.is_object()) return;
  for (auto& [name, app] : bundle->applications) {
    if (!app.charm_path.empty() || !apps.contains(name)) continue;
    const nlohmann::json& r = apps[name];
    if (r.value("origin", "") != "charmhub") continue;
    if (r.contains("channel") && r["channel"].is_string()) app.channel = r["channel"].get<std::string>();
    if (r.contains("revision") && r["revision"].is_number_integer() && r["revision"].get<int64_t>() > 0) {
      app.revision = r["revision"].get<int64_t>();
    }
  }
}

class RollbackCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"rollback",
            "<deployment> [<revision>]",
            "Roll a bundle deployment back to an earlier revision.",
            "Plans from the current model to the bundle, overlays and charm revisions that\n"
            "<revision> of the deployment recorded (default: the revision before the last), prints\n"
            "the plan with a warning for every charm it moves to an older revision, and applies it\n"
            "as a new revision described \"Rollback to <revision>\". Applications the later\n"
            "revisions added are removed; only what this deployment created is touched.\n"
            "--dry-run prints the plan and changes nothing; --force goes straight back to a\n"
            "revision where a charm's declared upgrade path refuses the way down.\n",
            "    skein rollback kubeflow\n    skein rollback kubeflow 3 --dry-run\n",
            {},
            {"history", "deploy"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--dry-run", &dry_run_, "Just show what the rollback would do");
    f.Bool("--force", &force_, "Refresh straight back where a declared upgrade path refuses the way");
    f.Strings("--store", &store_dirs_, "A local store directory searched before the embedded store (repeatable)");
    wait_.Add(f, "Wait until the deployment's applications settle (active or blocked, idle), up to the duration");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no deployment specified");
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    deployment_ = args[0];
    if (args.size() > 1) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(args[1], &n) || n < 0) {
        return UsageError(absl::StrCat("invalid revision \"", args[1], "\": expected a revision number"));
      }
      // Helm's rule: 0 is the previous revision, as when none is given.
      if (n > 0) revision_ = n;
    }
    if (auto s = wait_.Parse(); !s.ok()) return s;
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto store = OpenStore(env, store_dirs_);
    if (!store.ok()) return store.status();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto history = ExistingHistory(*session, deployment_);
    if (!history.ok()) return history.status();
    const skein::v1::DeploymentRevision* to = nullptr;
    if (revision_) {
      for (const auto& r : *history) {
        if (r.revision() == *revision_) to = &r;
      }
      if (to == nullptr) {
        return absl::NotFoundError(
            absl::StrCat("revision ", *revision_, " of deployment \"", deployment_, "\" not found"));
      }
    } else {
      if (history->size() < 2) {
        return absl::FailedPreconditionError(
            absl::StrCat("deployment \"", deployment_, "\" has one revision: there is no earlier one to roll back to"));
      }
      to = &(*history)[history->size() - 2];
    }
    bundles::SourceFile source{to->bundle_yaml(), std::filesystem::current_path().string(), deployment_};
    auto bundle = bundles::ParseBundle(source, {});
    if (!bundle.ok()) {
      return absl::Status(bundle.status().code(), absl::StrCat("cannot read the bundle of revision ", to->revision(),
                                                               ": ", bundle.status().message()));
    }
    PinResolvedCharms(*to, &*bundle);
    *env.err << "Rolling deployment \"" << deployment_ << "\" back to revision " << to->revision() << " ("
             << output::HistoryBundleName(*to) << (to->channel().empty() ? "" : ", ") << to->channel() << ")\n";

    std::map<std::string, client::LocalCharm> local_charms;
    BundleTarget target;
    target.name = deployment_;
    target.channel = to->channel();
    target.store_revision = to->bundle_revision();
    target.bundle_yaml = to->bundle_yaml();
    target.overlays_yaml.assign(to->overlays_yaml().begin(), to->overlays_yaml().end());
    target.bundle = std::move(*bundle);
    ApplyBundleOptions o;
    o.dry_run = dry_run_;
    // What later revisions added goes: a rollback returns to the revision as it was.
    o.prune = true;
    o.auto_resume = false;
    o.force = force_;
    o.wait = wait_.timeout;
    o.description = absl::StrCat("Rollback to ", to->revision());
    o.rollback = true;
    return ApplyBundle(env, *session, target, PlanSource(**store, &local_charms), local_charms, o);
  }

 private:
  std::string model_;
  bool dry_run_ = false;
  bool force_ = false;
  std::vector<std::string> store_dirs_;
  WaitFlag wait_;
  std::string deployment_;
  std::optional<int64_t> revision_;
};

}  // namespace

std::unique_ptr<Command> NewHistoryCommand() { return std::make_unique<HistoryCommand>(); }
std::unique_ptr<Command> NewRollbackCommand() { return std::make_unique<RollbackCommand>(); }

}  // namespace skein::cli::commands
