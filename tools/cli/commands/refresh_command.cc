// refresh: `skein refresh <application> --path <charm directory or .charm>` (issue 11).

#include "absl/strings/str_cat.h"
#include "lib/base/names.h"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/client/charm_upload.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {
namespace {

class RefreshCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"refresh",
            "<application> --path <charm directory or archive>",
            "Refresh an application's charm.",
            "Replaces the application's charm with a local charm: a charm archive (the .charm zip\n"
            "charmcraft packs) or a charm directory, which is packed into an archive first. The new\n"
            "charm becomes the model's next local revision of its name (local:<name>-<rev>); the\n"
            "application keeps its config (settings the new charm has no option for are dropped) and\n"
            "its relations, and every unit runs upgrade-charm, then config-changed. The charm must have\n"
            "the application's charm name, and must still declare every endpoint a relation uses:\n"
            "otherwise nothing changes and the error names the relation.\n\n"
            "Refreshing from the store (--channel, --revision, --switch) is not supported yet.\n",
            "    skein refresh mysql --path ./mysql_ubuntu-22.04-amd64.charm\n"
            "    skein refresh mysql --path ./charms/mysql\n",
            {},
            {"deploy", "status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.String("--path", &path_, "Refresh to a charm located at path");
    f.String("--channel", &channel_, "Channel to use when getting the charm from Charmhub (not supported yet)");
    f.String("--revision", &revision_, "Explicit revision of current charm (not supported yet)");
    f.String("--switch", &switch_, "Crossgrade to a different charm (not supported yet)");
    f.Strings("--config", &config_, "Either a path to yaml-formatted application config file or a key=value pair "
                                    "(not supported yet)");
    f.Ignored("--base", true, "Select a different base than what the charm was deployed with");
    f.Ignored("--bind", true, "Configure application endpoint bindings to spaces");
    f.Ignored("--force", false, "Allow a charm to be refreshed which bypasses LXD profile allow list");
    f.Ignored("--force-base", false, "Refresh even if the base of the deployed application is not supported");
    f.Ignored("--force-units", false, "Refresh all units immediately, even if in error state");
    f.Ignored("--resource", true, "Resource to be uploaded to the controller");
    f.Ignored("--storage", true, "Charm storage directives");
    f.Ignored("--trust", false, "Allows charm to run hooks that require access credentials");
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
    const char* unsupported = !switch_.empty()     ? "--switch"
                              : !channel_.empty()  ? "--channel"
                              : !revision_.empty() ? "--revision"
                              : !config_.empty()   ? "--config"
                                                   : nullptr;
    if (unsupported != nullptr) {
      return UsageError(absl::StrCat("refresh ", unsupported,
                                     " is not supported yet: skein refreshes local charms only; use --path "
                                     "<charm directory or .charm>"));
    }
    if (path_.empty()) {
      return UsageError("refreshing from the store is not supported yet: give the new charm with --path <charm "
                        "directory or .charm>");
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto charm = client::LoadLocalCharm(path_);
    if (!charm.ok()) return charm.status();
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    auto sha256 = client::UploadCharm(*session->connection, charm->archive.path());
    if (!sha256.ok()) return sha256.status();
    skein::v1::RefreshRequest req;
    req.set_model(session->model());
    req.set_application(app_);
    req.set_charm_sha256(*sha256);
    req.set_charm_origin("local");
    auto resp = session->connection->Call(&skein::v1::Controller::StubInterface::Refresh, req);
    if (!resp.ok()) return resp.status();
    *env.err << "Added local charm \"" << resp->charm_name() << "\", revision " << resp->revision()
             << ", to the model\n";
    return absl::OkStatus();
  }

 private:
  std::string model_;
  std::string path_;
  std::string channel_;
  std::string revision_;
  std::string switch_;
  std::vector<std::string> config_;
  std::string app_;
};

}  // namespace

std::unique_ptr<Command> NewRefreshCommand() { return std::make_unique<RefreshCommand>(); }

}  // namespace skein::cli::commands
