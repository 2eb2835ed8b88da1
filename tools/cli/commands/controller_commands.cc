// bootstrap, kill-controller, version.

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "tools/cli/bootstrap/bootstrap.h"
#include "tools/cli/bootstrap/kill_controller.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/render.h"
#include "tools/cli/output/version.h"

namespace skein::cli::commands {
namespace {

bool IsValidControllerName(const std::string& name) {
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) return false;
  }
  return true;
}

class BootstrapCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"bootstrap",
            "[<cloud name>[/region] [<controller name>]]",
            "Initializes a cloud environment.",
            "Starts a local controller (skein-controller) and the machine agent of machine 0\n"
            "(skein-machine-agent) as daemons with their data under $SKEIN_DATA, and registers the\n"
            "controller in $SKEIN_DATA/client.yaml. The only cloud is \"local\" (this host). One\n"
            "controller runs per $SKEIN_DATA. The \"controller\" model becomes the current model.\n"
            "\n"
            "--service says what restarts a daemon that fails:\n"
            "  supervisor  (default) each daemon runs under skein-supervisor, which restarts it\n"
            "              after 1s, doubling to 30s, and logs each restart in the daemon's log\n"
            "  systemd     writes skein-<hash>-controller.service and\n"
            "              skein-<hash>-machine-agent.service (Restart=on-failure) into\n"
            "              $SKEIN_SYSTEMD_DIR (default /etc/systemd/system) and starts them\n"
            "  none        nothing restarts them\n"
            "kill-controller stops the supervisors or removes the units.\n"
            "\n"
            "Run as root, bootstrap gives every unit agent and its hooks a uid of their own from\n"
            "a range of 65,536 (--unit-uids FIRST; default 1879048192), checked against\n"
            "/etc/passwd, /etc/group, /etc/subuid and /etc/subgid: a charm cannot read the\n"
            "controller's files, the admin credential or another unit's files. A charm whose\n"
            "metadata says `charm-user: root` runs as root. --unit-uids none, or bootstrapping\n"
            "as another user, runs every unit as the daemons' user; bootstrap and `status` say so.\n",
            "    skein bootstrap\n    skein bootstrap local mycontroller\n    skein bootstrap --service=systemd\n"
            "    skein bootstrap --unit-uids 1879048192\n",
            {},
            {"add-model", "kill-controller"}};
  }
  void SetFlags(FlagSet& f) override {
    f.Bool("--no-switch", &no_switch_, "Do not switch to the newly created controller");
    f.String("--service", &service_, "What restarts the daemons: supervisor (default), systemd or none");
    f.String("--unit-uids", &unit_uids_, "First of the 65,536 uids units run under (root only), or none");
    f.Ignored("--bootstrap-base", true, "Specify the base of the bootstrap machine");
    f.Ignored("--bootstrap-constraints", true, "Specify bootstrap machine constraints");
    f.Ignored("--config", true, "Specify a controller configuration file, or one or more configuration options");
    f.Ignored("--constraints", true, "Set model constraints");
    f.Ignored("--credential", true, "Credentials to use when bootstrapping");
    f.Ignored("--force", false, "Allow the bypassing of checks such as supported bases");
    f.Ignored("--model-default", true, "Specify a configuration file, or one or more configuration options");
    f.Ignored("--storage-pool", true, "Specify options for an initial storage pool");
    f.Ignored("--to", true, "Placement directive indicating an instance to bootstrap");
    f.Ignored("--metadata-source", true, "Local path to use as agent and/or image metadata source");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    if (!args.empty()) {
      cloud_ = args[0];
      if (auto slash = cloud_.find('/'); slash != std::string::npos) {
        region_ = cloud_.substr(slash + 1);
        cloud_ = cloud_.substr(0, slash);
      }
    }
    if (args.size() > 1) name_ = args[1];
    if (service_ == "supervisor") {
      mode_ = bootstrap::ServiceMode::kSupervisor;
    } else if (service_ == "systemd") {
      mode_ = bootstrap::ServiceMode::kSystemd;
    } else if (service_ == "none") {
      mode_ = bootstrap::ServiceMode::kNone;
    } else {
      return UsageError(absl::StrCat("--service \"", service_, "\" is not one of supervisor, systemd, none"));
    }
    if (!unit_uids_.empty() && unit_uids_ != "none") {
      if (auto range = ParseUidRangeFirst(unit_uids_); !range.ok()) return UsageError(std::string(range.status().message()));
    }
    if (!IsValidControllerName(name_)) return UsageError(absl::StrCat("controller name \"", name_, "\" is not valid"));
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    if (cloud_ != "local" && cloud_ != "localhost") {
      return absl::NotFoundError(absl::StrCat("cloud ", cloud_, " not found; skein only has the \"local\" cloud"));
    }
    bootstrap::BootstrapOptions o = LocalDaemonOptions(env);
    o.controller_name = name_;
    o.cloud = "local";
    o.region = region_;
    o.service = mode_;
    if (auto s = bootstrap::ChooseUnitUids(unit_uids_, ::geteuid() == 0, o); !s.ok()) return s;
    // --no-switch is accepted: skein has one controller per $SKEIN_DATA, so it is always current.
    return bootstrap::Bootstrap(o);
  }

 private:
  bool no_switch_ = false;
  std::string service_ = "supervisor";
  std::string unit_uids_;
  bootstrap::ServiceMode mode_ = bootstrap::ServiceMode::kSupervisor;
  std::string cloud_ = "local";
  std::string region_ = "localhost";
  std::string name_ = "local";
};

class KillControllerCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"kill-controller",
            "<controller name>",
            "Forcibly terminate all machines and other associated resources for a Juju controller.",
            "Stops the supervisors (or the systemd units, whose files it removes), the machine\n"
            "agent (which stops its unit agents), any unit agent or hook still running, then the\n"
            "controller; removes $SKEIN_DATA/controller and $SKEIN_DATA/machine-0\n"
            "and unregisters the controller. Without --no-prompt it asks for confirmation on a\n"
            "terminal and refuses to run when stdin is not a terminal.\n",
            "    skein kill-controller local --no-prompt\n",
            {},
            {"bootstrap"}};
  }
  void SetFlags(FlagSet& f) override {
    f.Bool("-y,--yes,--no-prompt", &no_prompt_, "Do not ask for confirmation");
    f.Ignored("-t,--timeout", true, "Timeout before direct destruction");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    if (!args.empty()) name_ = args[0];
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    std::string name = name_.empty() ? bootstrap::ExistingControllerName(env.data_dir) : name_;
    if (!no_prompt_) {
      if (!env.stdin_tty) {
        return absl::FailedPreconditionError(
            "kill-controller needs confirmation and stdin is not a terminal; use --no-prompt");
      }
      if (!AskYesNo(env, absl::StrCat("WARNING! This command will destroy the \"", name,
                                      "\" controller and all hosted models.\n"
                                      "This includes all machines, applications, data and other resources.\n\n"
                                      "Continue? (y/N): "))) {
        return absl::AbortedError("aborted");
      }
    }
    bootstrap::KillOptions o;
    o.data_dir = env.data_dir;
    o.controller_name = name_;
    o.grace = env.kill_grace;
    o.systemd_dir = env.systemd_dir;
    o.progress = env.err;
    return bootstrap::KillController(o);
  }

 private:
  bool no_prompt_ = false;
  std::string name_;
};

class VersionCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"version", "", "Print the Juju CLI client version.",
            "Prints the version skein reports, shaped like Juju 3.6's\n"
            "(<major>.<minor>.<patch>-<os>-<arch>), so that clients choosing behaviour by Juju\n"
            "version treat skein as Juju 3.6.\n",
            "    skein version\n    skein version --all --format json\n", {}, {}};
  }
  void SetFlags(FlagSet& f) override {
    f.Bool("--all", &all_, "Prints all version information");
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 0); !s.ok()) return s;
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    nlohmann::json value = all_ ? output::VersionDetails() : nlohmann::json(output::VersionString());
    return WriteData(env, output_, value, format_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"smart", "json", "yaml"};
  bool all_ = false;
  std::string format_ = "smart";
  std::string output_;
};

}  // namespace

std::unique_ptr<Command> NewBootstrapCommand() { return std::make_unique<BootstrapCommand>(); }
std::unique_ptr<Command> NewKillControllerCommand() { return std::make_unique<KillControllerCommand>(); }
std::unique_ptr<Command> NewVersionCommand() { return std::make_unique<VersionCommand>(); }

}  // namespace skein::cli::commands
