// refresh: `skein refresh <application>` (issues 11 and 13): moves an application to another
// revision of its charm, from the store by channel or revision, to another store charm
// (--switch), or to a local charm (--path). The target is resolved as Juju does
// (bundles::RefreshTarget), planned with Juju's checks (bundles::MakeRefreshPlan: already
// up-to-date, live relations the new revision breaks, upgrade paths), printed, and applied
// through the plan applier (plan_apply.h) as a job outside any deployment.

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bundles/refresh_plan.h"
#include "lib/base/names.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/commands/bundle_deploy.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/config_args.h"
#include "tools/cli/commands/plan_apply.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/resource_args.h"
#include "tools/cli/commands/settle.h"

namespace skein::cli::commands {
namespace {

// Flags jubilant passes that skein cannot act on yet: each warns once with why, and is listed in
// the README.
struct IgnoredFlag {
  const char* name;
  const char* why;
};
constexpr IgnoredFlag kStorageFlag{"--storage", "refresh keeps the application's storage as deployed"};
constexpr IgnoredFlag kBaseFlag{"--base", "skein runs every charm on its machine's base"};

class RefreshCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"refresh",
            "<application>",
            "Refresh an application's charm.",
            "Moves the application to another revision of its charm, as Juju does: with no flag,\n"
            "to the newest revision in the channel it tracks; --channel switches the tracked\n"
            "channel and takes its newest revision; --revision pins a revision (keeping the\n"
            "channel, or --channel's); --switch moves to another store charm; --path to a local\n"
            "charm, a charm archive (the .charm zip charmcraft packs) or a charm directory, which\n"
            "becomes the model's next local revision (local:<name>-<rev>) and always refreshes.\n"
            "A refresh to the revision already running is refused (charm \"x\": already\n"
            "up-to-date).\n\n"
            "Checks come before anything moves: a new revision that drops or changes an endpoint\n"
            "with a live relation is refused, naming each relation and the command that removes\n"
            "it, unless --force (the plan then removes those relations first). A charm that\n"
            "declares an upgrade path (istio-pilot 1.16 -> ... -> 1.28) is walked one track at a\n"
            "time, one refresh and one wait per track; a track off the path is refused with the\n"
            "path to take, unless --force.\n\n"
            "The plan is printed, then applied by the controller; each change prints as it is\n"
            "done. Config the user set survives, options the new charm dropped are removed, and\n"
            "--config values (key=value or a YAML file) are set with the refresh. Every unit runs\n"
            "upgrade-charm, then config-changed; --force-units upgrades units in error too.\n"
            "--dry-run prints the plan and changes nothing. --wait[=10m] waits until the\n"
            "application's units are idle with workload active or blocked.\n\n"
            "--resource name=value (repeatable) uploads a new revision of a resource the new charm\n"
            "declares, as `attach-resource` does, so that the units' upgrade-charm finds it.\n"
            "--storage and --base are accepted for Juju's clients and ignored with a warning.\n"
            "--trust trusts the application as `skein trust` does.\n",
            "    skein refresh kfp-api\n"
            "    skein refresh kfp-api --channel 2.2/stable --wait\n"
            "    skein refresh istio-pilot --channel 1.22/stable --dry-run\n"
            "    skein refresh mysql --path ./mysql_ubuntu-22.04-amd64.charm\n",
            {},
            {"deploy", "status", "history"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--path", &path_, "Refresh to a charm located at path");
    f.String("--channel", &channel_, "Channel to use when getting the charm from the store");
    f.String("--revision", &revision_, "Explicit revision of current charm");
    f.String("--switch", &switch_, "Crossgrade to a different charm");
    f.Strings("--config", &config_, "Either a path to yaml-formatted application config file or a key=value pair");
    f.Bool("--force", &force_, "Refresh even when live relations or the charm's upgrade path refuse it");
    f.Bool("--force-units", &force_units_, "Refresh all units immediately, even if in error state");
    f.Bool("--dry-run", &dry_run_, "Just show what the refresh would do");
    wait_.Add(f, "Wait until the application settles (active or blocked, idle), up to the duration");
    f.Strings("--store", &store_dirs_, "A local store directory searched before the embedded store (repeatable)");
    f.Strings("--resource", &resources_, "Resource to be uploaded to the controller (name=file or name=image)");
    f.Strings(kStorageFlag.name, &storage_, "Charm storage directives (ignored: see below)");
    f.String(kBaseFlag.name, &base_, "Select a different base than what the charm was deployed with (ignored)");
    f.Ignored("--bind", true, "Configure application endpoint bindings to spaces");
    f.Ignored("--force-base", false, "Refresh even if the base of the deployed application is not supported");
    f.Bool("--trust", &trust_, "Allows charm to run hooks that require access credentials");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no application specified");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    app_ = args[0];
    if (!IsValidApplicationName(app_)) return UsageError(absl::StrCat("invalid application name \"", app_, "\""));
    // Juju's checks first, so that a script gets Juju's text.
    if (!switch_.empty() && !revision_.empty()) return UsageError("--switch and --revision are mutually exclusive");
    if (!path_.empty() && !revision_.empty()) return UsageError("--path and --revision are mutually exclusive");
    if (!switch_.empty() && !path_.empty()) return UsageError("--switch and --path are mutually exclusive");
    if (!revision_.empty()) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(revision_, &n) || n < 0) {
        return UsageError(absl::StrCat("invalid value \"", revision_, "\" for option --revision: expected an integer"));
      }
      revision_number_ = n;
    }
    if (auto s = wait_.Parse(); !s.ok()) return s;
    if (dry_run_ && wait_.timeout) return UsageError("--dry-run and --wait are mutually exclusive");
    return CheckResourceArgs(resources_);
  }
  absl::Status Run(Environment& env) override {
    if (!storage_.empty()) *env.err << "WARNING " << kStorageFlag.name << " is ignored: " << kStorageFlag.why << "\n";
    if (!base_.empty()) *env.err << "WARNING " << kBaseFlag.name << " is ignored: " << kBaseFlag.why << "\n";
    auto config = ConfigFlagValues(config_, app_);
    if (!config.ok()) return config.status();
    // Trust is application config: set in the refresh's own transaction, as `skein trust` would.
    if (trust_) (*config)["trust"] = "true";
    auto store = OpenStore(env, store_dirs_);
    if (!store.ok()) return store.status();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto model = ReadModelDescription(*session);
    if (!model.ok()) return model.status();
    const bundles::ModelApplication* running = nullptr;
    for (const auto& a : model->applications) {
      if (a.name == app_) running = &a;
    }
    if (running == nullptr) return absl::NotFoundError(absl::StrCat("application \"", app_, "\" not found"));

    bundles::RefreshFlags flags;
    flags.channel = channel_;
    flags.revision = revision_number_;
    flags.switch_to = switch_;
    if (!path_.empty()) flags.path = std::filesystem::absolute(path_).lexically_normal().string();
    auto wanted = bundles::RefreshTarget(*running, flags);
    if (!wanted.ok()) return wanted.status();

    std::map<std::string, client::LocalCharm> local_charms;
    const bundles::CharmSource source = PlanSource(**store, &local_charms);
    auto target = source.resolve(*wanted);
    if (!target.ok()) return target.status();
    bundles::RefreshOptions options;
    options.force = force_;
    options.force_units = force_units_;
    options.config = *config;
    auto plan = bundles::MakeRefreshPlan(*model, app_, *target, source, options);
    if (!plan.ok()) return plan.status();
    // Resources are read before anything moves; those the running charm declares too are
    // uploaded before the refresh, so that upgrade-charm finds them, the new charm's own after.
    auto uploads = ReadResourceArgs(resources_, target->name, target->metadata.resources);
    if (!uploads.ok()) return uploads.status();
    if (target->origin != "local") {
      *env.err << "Located charm \"" << target->name << "\" in the store, channel " << target->channel
               << ", revision " << target->revision << "\n";
    }
    const std::string plan_text = bundles::FormatPlan(*plan, "Executing changes:");
    *env.out << (dry_run_ ? bundles::FormatPlan(*plan, "Changes to refresh:") : plan_text);
    env.out->flush();
    if (dry_run_) return absl::OkStatus();

    std::vector<ResourceUpload> before_refresh, after_refresh;
    if (!uploads->empty()) {
      std::string running_charm;
      auto running_resources = DeclaredResources(*session, app_, &running_charm);
      if (!running_resources.ok()) return running_resources.status();
      for (ResourceUpload& u : *uploads) {
        (running_resources->contains(u.name) ? before_refresh : after_refresh).push_back(std::move(u));
      }
    }
    if (absl::Status s = UploadResources(env, *session, app_, before_refresh, false); !s.ok()) return s;
    auto shas = UploadPlanCharms(*plan, [&](const bundles::Change& upload) -> absl::StatusOr<std::string> {
      const bundles::ResolvedCharm& charm = std::get<bundles::UploadCharm>(upload.args).charm;
      auto local = local_charms.find(app_);
      return UploadCharmOf(*session->connection, charm,
                           charm.origin == "local" && local != local_charms.end() ? &local->second : nullptr);
    });
    if (!shas.ok()) return shas.status();
    auto changes = ToPlanChanges(*plan, *shas);
    if (!changes.ok()) return changes.status();
    skein::v1::ApplyPlanRequest req;
    req.set_model(session->model());
    for (auto& c : *changes) *req.add_changes() = std::move(c);
    req.set_description(absl::StrCat("Refresh ", app_));
    req.set_plan_text(plan_text);
    req.set_resolved_json(ResolvedJson(*plan));
    auto applied = ApplyPlan(env, *session, req);
    if (!applied.ok()) return applied.status();
    if (absl::Status s = UploadResources(env, *session, app_, after_refresh, false); !s.ok()) return s;
    if (auto s = ReportRefreshed(env, *session); !s.ok()) return s;
    if (!wait_.timeout) return absl::OkStatus();
    SettleOptions settle;
    settle.workloads = {"active", "blocked"};
    settle.applications = {app_};
    settle.timeout = *wait_.timeout;
    return WaitUntilSettled(env, *session, settle);
  }

 private:
  // Juju's line once the charm is the application's: `Added local charm "x", revision 2, to the
  // model` or `Added charm-hub charm "x", revision 365 in channel 14/edge, to the model`, read
  // back from the model so that it names what the controller recorded.
  absl::Status ReportRefreshed(Environment& env, Session& session) {
    skein::v1::GetStatusRequest req;
    req.set_model(session.model());
    auto status = session.connection->Call(&skein::v1::Controller::StubInterface::GetStatus, req);
    if (!status.ok()) return status.status();
    for (const auto& app : status->applications()) {
      if (app.name() != app_) continue;
      if (app.charm_origin() == "local") {
        *env.err << "Added local charm \"" << app.charm_name() << "\", revision " << app.charm_rev()
                 << ", to the model\n";
      } else {
        *env.err << "Added charm-hub charm \"" << app.charm_name() << "\", revision " << app.charm_rev()
                 << " in channel " << app.charm_channel() << ", to the model\n";
      }
    }
    return absl::OkStatus();
  }

  std::string model_;
  std::string path_;
  std::string channel_;
  std::string revision_;
  std::optional<int64_t> revision_number_;
  std::string switch_;
  std::vector<std::string> config_;
  bool force_ = false;
  bool force_units_ = false;
  bool dry_run_ = false;
  WaitFlag wait_;
  std::vector<std::string> store_dirs_;
  std::vector<std::string> resources_;
  std::vector<std::string> storage_;
  std::string base_;
  bool trust_ = false;
  std::string app_;
};

}  // namespace

std::unique_ptr<Command> NewRefreshCommand() { return std::make_unique<RefreshCommand>(); }

}  // namespace skein::cli::commands
