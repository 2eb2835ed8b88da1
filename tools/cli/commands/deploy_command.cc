// deploy: local charm directories, store charms by channel, and bundles (bundle_deploy.cc).

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/base/names.h"
#include "lib/charm/storage_spec.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/commands/bundle_deploy.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/config_args.h"
#include "tools/cli/commands/machine_placement.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/commands/resource_args.h"
#include "tools/cli/commands/settle.h"

namespace skein::cli::commands {
namespace {

// `local:<name>-<rev>` -> rev (0 when the URL has another shape).
int64_t RevisionOf(const std::string& charm_url) {
  int64_t rev = 0;
  auto dash = charm_url.rfind('-');
  if (dash != std::string::npos && absl::SimpleAtoi(charm_url.substr(dash + 1), &rev)) return rev;
  return 0;
}

class DeployCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"deploy",
            "<charm or bundle> [<application name>]",
            "Deploys a new application or bundle.",
            "Deploys a bundle or a charm from the store by channel, a bundle file, or a local charm: a\n"
            "charm archive (the .charm zip charmcraft packs) or a charm directory (a path starting\n"
            "with \".\" or \"/\" holding metadata.yaml or charmcraft.yaml), which is packed into an\n"
            "archive first. File modes and symlinks inside the charm are kept; an entry or symlink\n"
            "that leads outside the charm is refused before anything is sent.\n\n"
            "Bundles: the bundle is resolved in the store (--channel, or --revision with --channel),\n"
            "--overlay files are applied in order, every charm is resolved by its own channel, and\n"
            "relation endpoints are inferred from charm metadata. The change list is printed in\n"
            "Juju's wording; --dry-run prints it as \"Changes to deploy bundle:\" and changes\n"
            "nothing. Deploying a bundle the model already has is a no-op.\n\n"
            "On a model without the bundle's applications the controller applies the whole plan in\n"
            "one transaction: on any error the model is left as it was. On a model that runs the\n"
            "bundle already (an upgrade: `skein deploy kubeflow --channel 1.9/stable` on 1.8), the\n"
            "plan refreshes every application whose charm, channel or revision changed, removes the\n"
            "relations a new revision breaks and adds them again after, adds new applications,\n"
            "units and relations, and sets changed options the user did not set by hand (those are\n"
            "kept and listed). Applications and relations the new bundle dropped stay unless\n"
            "--prune is given; only what this bundle deployed is ever removed. The controller\n"
            "applies such a plan step by step, each change on its own, printing each as it is done;\n"
            "when one fails it stops there, and running the same command again (or adding\n"
            "--resume) continues from that change without redoing the earlier ones. Every applied\n"
            "plan is a revision of the deployment: see `skein history` and `skein rollback`.\n\n"
            "--wait (default 10m) or --wait=<duration> waits afterwards until every unit of the\n"
            "deployed applications is idle with workload active or blocked, and fails at once when\n"
            "a unit is in error.\n\n"
            "Charms run with --num-units units on machine 0. --config takes key=value pairs or a\n"
            "YAML file (settings under the application's name), and may be repeated.\n\n"
            "--resource name=value (repeatable) uploads a resource the charm declares before its\n"
            "units start: a file path for a file resource, an image reference for an oci-image one\n"
            "(or a file with its details when the value starts with \".\" or \"/\"). A file resource\n"
            "left out is simply missing: the charm's resource-get fails until `attach-resource`.\n\n"
            "--store DIR (repeatable) and SKEIN_STORE_PATH add local store directories, searched\n"
            "before the embedded store.\n",
            "    skein deploy kubeflow --channel 1.9/stable\n"
            "    skein deploy mlflow --channel 2.15/stable --overlay my-overlay.yaml --dry-run\n"
            "    skein deploy resource-dispatcher --channel 2.0/stable --trust\n"
            "    skein deploy ./bundle.yaml\n"
            "    skein deploy ./mycharm db -n 2 --config port=5432\n"
            "    skein deploy ./mycharm_ubuntu-22.04-amd64.charm\n"
            "    skein deploy ./mycharm --resource payload=./payload.tar.gz\n",
            {},
            {"integrate", "add-unit", "config", "remove-application", "status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Int("-n,--num-units", &num_units_, "Number of application units to deploy for principal charms");
    f.Strings("--config", &config_, "Either a path to yaml-formatted application config file or a key=value pair");
    f.String("--channel", &channel_, "Channel to use when deploying a charm or bundle from the charm store");
    f.String("--revision", &revision_, "The revision to deploy");
    f.String("--base", &base_, "The base on which to deploy");
    f.Bool("--trust", &trust_, "Allows charm to run hooks that require access credentials");
    f.Ignored("--attach-storage", true, "Existing storage to attach to the deployed unit");
    f.Ignored("--bind", true, "Configure application endpoint bindings to spaces");
    f.Ignored("--constraints", true, "Set application constraints");
    f.Bool("--force", &force_, "Bundles: refresh straight to the bundle's revision where a declared upgrade path "
                               "refuses the way");
    f.Strings("--overlay", &overlays_, "Bundles to overlay on the primary bundle, applied in order");
    f.Strings("--store", &store_dirs_, "A local store directory searched before the embedded store (repeatable)");
    f.Strings("--resource", &resources_, "Resource to be uploaded to the controller (name=file or name=image)");
    f.Strings("--storage", &storage_, "Charm storage directives: name=[pool,][count,][size], e.g. data=2,10G (repeatable)");
    f.String("--to", &to_text_, "The machines to place the units on, in order (a comma list of machine numbers)");
    f.Bool("--dry-run", &dry_run_, "Just show what the deploy would do");
    f.Bool("--prune", &prune_, "Remove applications and relations this bundle deployed that it no longer has");
    f.Bool("--resume", &resume_, "Continue the bundle's deployment where its last, unfinished revision stopped");
    wait_.Add(f, "Wait until the deployed applications settle (active or blocked, idle), up to the duration");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no charm name specified");
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    charm_ = args[0];
    if (args.size() > 1) {
      app_ = args[1];
      if (!IsValidApplicationName(app_)) return UsageError(absl::StrCat("invalid application name \"", app_, "\""));
    }
    if (num_units_ < 0) return UsageError("--num-units must be a positive integer");
    if (!revision_.empty() && !absl::SimpleAtoi(revision_, &revision_number_)) {
      return UsageError(absl::StrCat("invalid value \"", revision_, "\" for option --revision: expected an integer"));
    }
    if (!revision_.empty() && channel_.empty() && !client::IsLocalPath(charm_)) {
      return UsageError("specifying a revision requires a channel for future upgrades. Please use --channel");
    }
    if (auto s = wait_.Parse(); !s.ok()) return s;
    for (const std::string& directive : storage_) {
      if (auto d = charm::ParseStorageDirective(directive); !d.ok()) return UsageError(std::string(d.status().message()));
    }
    if (!to_text_.empty()) {
      auto to = ParsePlacement(to_text_);
      if (!to.ok()) return to.status();
      to_ = std::move(*to);
    }
    if (static_cast<int>(to_.size()) > num_units_) {
      return UsageError(absl::StrCat(to_.size(), " placements given for ", num_units_, " units: use -n ", to_.size()));
    }
    return CheckResourceArgs(resources_);
  }
  absl::Status Run(Environment& env) override {
    auto store = OpenStore(env, store_dirs_);
    if (!store.ok()) return store.status();
    if (IsBundle(charm_, **store)) {
      if (!resources_.empty()) {
        return absl::InvalidArgumentError("--resource applies to charms only; a bundle names its applications' resources");
      }
      BundleDeployOptions o;
      o.model = model_;
      o.bundle = charm_;
      o.channel = channel_;
      if (!revision_.empty()) o.revision = revision_number_;
      o.overlays = overlays_;
      o.store_dirs = store_dirs_;
      o.apply.dry_run = dry_run_;
      o.apply.prune = prune_;
      o.apply.resume = resume_;
      o.apply.wait = wait_.timeout;
      o.apply.force = force_;
      return DeployBundle(env, **store, o);
    }
    if (prune_ || resume_) return UsageError(absl::StrCat(prune_ ? "--prune" : "--resume", " applies to bundles only"));
    if (!overlays_.empty()) return absl::InvalidArgumentError("--overlay applies to bundles only");
    if (absl::Status s = limits::CheckUnitsPerRequest(num_units_); !s.ok()) return s;
    if (!client::IsLocalPath(charm_)) return DeployStoreCharm(env, **store);
    if (dry_run_) return absl::InvalidArgumentError("--dry-run applies to bundles and store charms only");
    auto charm = client::LoadLocalCharm(charm_);
    if (!charm.ok()) return charm.status();
    std::string app = app_.empty() ? charm->name : app_;
    if (!IsValidApplicationName(app)) return absl::InvalidArgumentError(absl::StrCat("invalid application name \"", app, "\""));
    auto config = GatherConfig(app);
    if (!config.ok()) return config.status();
    auto uploads = ReadResourceArgs(resources_, charm->name, charm->metadata.resources);
    if (!uploads.ok()) return uploads.status();
    bundles::ResolvedCharm resolved;
    resolved.origin = "local";
    auto resp = SendDeploy(env, app, resolved, &*charm, *config, channel_, revision_number_, *uploads);
    if (!resp.ok()) return resp.status();
    int64_t rev = RevisionOf(resp->charm_url());
    std::string base = base_.empty() ? charm->base : base_;
    *env.err << "Located local charm \"" << charm->name << "\", revision " << rev << "\n"
             << "Deploying \"" << resp->application() << "\" from local charm \"" << charm->name << "\", revision "
             << rev << " on " << base << "\n";
    return WaitIfAsked(env, resp->application());
  }

 private:
  // The application's config: every `--config` file's section for `app`, then the key=value
  // pairs, which win (as in Juju).
  absl::StatusOr<std::map<std::string, std::string>> GatherConfig(const std::string& app) const {
    return ConfigFlagValues(config_, app);
  }

  // Uploads the charm (a local charm's archive, or a store charm's files packed into one), then
  // makes one Deploy call for it. With resources the application starts without units, gets
  // its resources, then its units, so that their first hook finds them as under Juju; should an
  // upload fail, the application goes again and the error is reported.
  absl::StatusOr<skein::v1::DeployResponse> SendDeploy(Environment& env, const std::string& app,
                                                       const bundles::ResolvedCharm& charm,
                                                       const client::LocalCharm* local,
                                                       const std::map<std::string, std::string>& config,
                                                       const std::string& channel, int64_t revision,
                                                       const std::vector<ResourceUpload>& uploads) {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    // With --to the application is deployed without units, which are then added where asked;
    // the machines are checked first so that a bad one deploys nothing.
    if (!to_.empty()) {
      if (auto s = CheckPlacementMachines(*session, to_); !s.ok()) return s;
    }
    auto sha256 = UploadCharmOf(*session->connection, charm, local);
    if (!sha256.ok()) return sha256.status();
    skein::v1::DeployRequest req;
    req.set_model(session->model());
    req.set_application(app);
    req.set_charm_sha256(*sha256);
    // Units come after the resources (so that their first hook finds them) and where --to asks.
    const bool units_later = !to_.empty() || !uploads.empty();
    req.set_num_units(units_later ? 0 : num_units_);
    for (const auto& [k, v] : config) (*req.mutable_config())[k] = v;
    req.set_charm_origin(charm.origin);
    req.set_channel(channel);
    req.set_revision(revision);
    req.set_trust(trust_);
    for (const std::string& directive : storage_) req.add_storage(directive);
    auto deployed = session->connection->Call(&skein::v1::Controller::StubInterface::Deploy, req);
    if (!deployed.ok() || !units_later) return deployed;
    if (absl::Status s = UploadResources(env, *session, deployed->application(), uploads, false); !s.ok()) {
      skein::v1::RemoveApplicationRequest undo;
      undo.set_model(session->model());
      undo.add_applications(deployed->application());
      (void)session->connection->Call(&skein::v1::Controller::StubInterface::RemoveApplication, undo);
      return s;
    }
    if (num_units_ == 0) return deployed;
    if (!to_.empty()) {
      auto units = AddUnitsTo(*session, deployed->application(), num_units_, to_);
      if (!units.ok()) return units.status();
      return deployed;
    }
    skein::v1::AddUnitRequest add;
    add.set_model(session->model());
    add.set_application(deployed->application());
    add.set_num_units(num_units_);
    auto added = session->connection->Call(&skein::v1::Controller::StubInterface::AddUnit, add);
    if (!added.ok()) return added.status();
    return deployed;
  }

  absl::Status DeployStoreCharm(Environment& env, const bundles::Store& store) {
    std::optional<int64_t> revision;
    if (!revision_.empty()) revision = revision_number_;
    auto charm = store.ResolveCharm(charm_, channel_, revision);
    if (!charm.ok()) return charm.status();
    const std::string app = app_.empty() ? charm->name : app_;
    auto config = GatherConfig(app);
    if (!config.ok()) return config.status();
    for (const auto& [k, v] : *config) {
      if (auto parsed = charm::ParseConfigValue(charm->config, k, v); !parsed.ok()) return parsed.status();
    }
    auto uploads = ReadResourceArgs(resources_, charm->name, charm->metadata.resources);
    if (!uploads.ok()) return uploads.status();
    *env.err << "Located charm \"" << charm->name << "\" in the store, channel " << charm->channel << ", revision "
             << charm->revision << "\n";
    if (dry_run_) {
      *env.out << "Changes to deploy:\n- deploy application " << app << " from charm-hub with " << num_units_
               << (num_units_ == 1 ? " unit" : " units") << " with " << charm->channel << "\n";
      return absl::OkStatus();
    }
    auto resp = SendDeploy(env, app, *charm, nullptr, *config, charm->channel, charm->revision, *uploads);
    if (!resp.ok()) return resp.status();
    *env.err << "Deploying \"" << resp->application() << "\" from charm-hub charm \"" << charm->name
             << "\", revision " << charm->revision << " in channel " << charm->channel << "\n";
    return WaitIfAsked(env, resp->application());
  }

  // --wait on a charm deploy: until the new application settles.
  absl::Status WaitIfAsked(Environment& env, const std::string& application) {
    if (!wait_.timeout) return absl::OkStatus();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    SettleOptions settle;
    settle.workloads = {"active", "blocked"};
    settle.applications = {application};
    settle.timeout = *wait_.timeout;
    return WaitUntilSettled(env, *session, settle);
  }

  std::string model_;
  bool prune_ = false;
  bool force_ = false;
  bool resume_ = false;
  WaitFlag wait_;
  std::vector<std::string> overlays_;
  std::vector<std::string> store_dirs_;
  bool dry_run_ = false;
  int num_units_ = 1;
  std::string to_text_;
  std::vector<std::string> to_;
  std::vector<std::string> config_;
  std::vector<std::string> storage_;
  std::vector<std::string> resources_;
  std::string channel_;
  std::string revision_;
  int64_t revision_number_ = 0;
  std::string base_;
  bool trust_ = false;
  std::string charm_;
  std::string app_;
};

}  // namespace

std::unique_ptr<Command> NewDeployCommand() { return std::make_unique<DeployCommand>(); }

}  // namespace skein::cli::commands
