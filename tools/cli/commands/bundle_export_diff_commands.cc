// export-bundle and diff-bundle (juju-semantics §8.4): the model as a bundle, and the
// differences between a bundle and the model.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bundles/diff.h"
#include "bundles/export.h"
#include "lib/charm/config.h"
#include "lib/charm/metadata.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/commands/bundle_deploy.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {

namespace {

namespace fs = std::filesystem;
using skein::v1::Controller;

class ExportBundleCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"export-bundle",
            "",
            "Exports the current model configuration as a reusable bundle.",
            "Prints the model's applications and relations as a bundle YAML document that\n"
            "`skein deploy` and `skein diff-bundle` read back, or writes it to --filename.\n"
            "Each application has its charm, channel and revision (store charms), num_units and\n"
            "the options set with `skein config` (not the charm defaults). Local charms are\n"
            "exported as `charm: local:<name>`, which cannot be deployed again as such: replace\n"
            "it with the path of the charm directory. Peer relations are not listed. skein\n"
            "exports no machines, placement, constraints, bindings or expose settings.\n",
            "    skein export-bundle\n    skein export-bundle --filename mymodel.yaml\n",
            {},
            {"diff-bundle", "deploy"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--filename", &filename_, "Bundle file");
    f.Ignored("--include-charm-defaults", false, "Whether to include charm config default values in the exported bundle");
    f.Ignored("--include-series", false, "Compatibility option. Set to include series in the bundle alongside bases");
  }
  absl::Status Init(const std::vector<std::string>& args) override { return CheckNoExtraArgs(args, 0); }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto model = ReadModelDescription(*session);
    if (!model.ok()) return model.status();
    std::string text = bundles::ExportBundle(*model);
    if (filename_.empty()) {
      *env.out << text;
      return absl::OkStatus();
    }
    std::ofstream out(filename_, std::ios::binary | std::ios::trunc);
    if (out) out << text;
    if (!out) return absl::InternalError(absl::StrCat("cannot write \"", filename_, "\""));
    return absl::OkStatus();
  }

 private:
  std::string model_;
  std::string filename_;
};

class DiffBundleCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"diff-bundle",
            "<bundle file or name>",
            "Compare a bundle with a model and report any differences.",
            "The bundle is a file or a bundle in the store (--channel picks its channel); --overlay\n"
            "files are applied to it as `skein deploy` does. Its charms are resolved in the store\n"
            "(the channel and revision they resolve to are compared with the model's) or read from\n"
            "local charm directories. The output is YAML: per application `missing: bundle|model`\n"
            "or `{bundle: X, model: Y}` for charm, channel, revision, num_units and each option;\n"
            "relations only in the bundle (bundle-additions) or only in the model (model-additions).\n"
            "Identical bundle and model print `{}`. A `local:<name>` charm (as export-bundle writes\n"
            "it) is compared by name.\n\n"
            "With --exit-code the exit status is 0 when they are the same, 1 when they differ and\n"
            "2 on an error.\n",
            "    skein diff-bundle kubeflow --channel 1.9/stable\n"
            "    skein diff-bundle ./bundle.yaml --overlay ./overlay.yaml -m dev\n",
            {},
            {"deploy", "export-bundle"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--channel", &channel_, "Channel to use when getting the bundle from the store");
    f.Strings("--overlay", &overlays_, "Bundles to overlay on the primary bundle, applied in order");
    f.Strings("--store", &store_dirs_, "A local store directory searched before the embedded store (repeatable)");
    f.Bool("--exit-code", &exit_code_, "Exit 0 when the bundle and the model are the same, 1 when they differ, 2 on error");
    f.Ignored("--annotations", false, "Include differences in annotations");
    f.Ignored("--map-machines", true, "Indicates how existing machines correspond to bundle machines");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no bundle specified");
    bundle_ = args[0];
    return CheckNoExtraArgs(args, 1);
  }
  absl::Status Run(Environment& env) override {
    absl::Status s = Diff(env);
    if (s.ok() || !exit_code_ || IsSilentError(s)) return s;
    return WithExitCode(s, 2);
  }

 private:
  absl::Status Diff(Environment& env) {
    auto store = OpenStore(env, store_dirs_);
    if (!store.ok()) return store.status();
    if (!fs::is_regular_file(bundle_) && !IsBundle(bundle_, **store)) {
      return absl::NotFoundError(absl::StrCat("cannot resolve bundle \"", bundle_, "\": not a file nor a bundle in the store"));
    }
    auto sources = ReadBundleSources(**store, bundle_, channel_, std::nullopt, overlays_, nullptr);
    if (!sources.ok()) return sources.status();
    auto bundle = bundles::ParseBundle(sources->base, sources->overlays);
    if (!bundle.ok()) return bundle.status();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto model = ReadModelDescription(*session);
    if (!model.ok()) return model.status();
    std::map<std::string, const bundles::ModelApplication*> model_apps;
    for (const auto& a : model->applications) model_apps[a.name] = &a;

    const bundles::Store& st = **store;
    bundles::CharmResolver resolve = [&](const bundles::Application& app) -> absl::StatusOr<bundles::ResolvedCharm> {
      if (!app.charm_path.empty()) return LocalCharmForPlan(app.charm_path, nullptr);
      // `charm: local:<name>` (as export-bundle writes it): the local charm of that name.
      std::string name = app.charm;
      if (name.rfind("local:", 0) == 0) {
        bundles::ResolvedCharm c;
        c.name = name.substr(6);
        c.origin = "local";
        return c;
      }
      return st.ResolveCharm(name, app.channel, app.revision);
    };
    auto resolved = bundles::ResolveForDiff(*bundle, resolve);
    if (!resolved.ok()) return resolved.status();

    bundles::BundleDiff diff = bundles::DiffBundle(*resolved, *model);
    *env.out << bundles::DiffToYaml(diff);
    env.out->flush();
    if (exit_code_ && !diff.empty()) return SilentError();
    return absl::OkStatus();
  }

  std::string model_;
  std::string bundle_;
  std::string channel_;
  std::vector<std::string> overlays_;
  std::vector<std::string> store_dirs_;
  bool exit_code_ = false;
};

}  // namespace

std::unique_ptr<Command> NewExportBundleCommand() { return std::make_unique<ExportBundleCommand>(); }
std::unique_ptr<Command> NewDiffBundleCommand() { return std::make_unique<DiffBundleCommand>(); }

}  // namespace skein::cli::commands
