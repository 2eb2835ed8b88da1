// add-k8s, clouds, remove-cloud, scale-application: Kubernetes clouds and the scale of their
// applications (issue 16).

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/names.h"
#include "lib/kube/kubeconfig.h"
#include "skein/v1/clouds.grpc.pb.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/table.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Clouds;

template <typename Req, typename Resp>
absl::StatusOr<Resp> CallClouds(Session& session,
                                grpc::Status (Clouds::StubInterface::*method)(grpc::ClientContext*, const Req&, Resp*),
                                const Req& request) {
  std::unique_ptr<Clouds::StubInterface> stub = Clouds::NewStub(session.connection->channel());
  return session.connection->Call(*stub, method, request);
}

class AddK8sCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"add-k8s",
            "<k8s name>",
            "Adds a Kubernetes cluster as a cloud of the controller.",
            "Reads the kubeconfig (--kubeconfig, else the first file of $KUBECONFIG, else\n"
            "~/.kube/config), takes the cluster and credential of --context (default: its\n"
            "current-context) and sends them to the controller, which stores the cloud only once\n"
            "the cluster answered with that credential. The credential is kept in the\n"
            "controller's data directory (mode 0600) and never printed. Models are then added\n"
            "on it with `add-model <model> <k8s name>`; each is a namespace of the same name.\n"
            "Only tokens and client certificates are supported, not exec or auth-provider\n"
            "plugins.\n",
            "    skein add-k8s mycluster\n    skein add-k8s mycluster --kubeconfig ./admin.conf --context kind-dev\n",
            {},
            {"clouds", "add-model", "remove-cloud"}};
  }
  void SetFlags(FlagSet& f) override {
    f.String("--kubeconfig", &kubeconfig_, "The kubeconfig file to read (default $KUBECONFIG, then ~/.kube/config)");
    f.String("--context", &context_, "The kubeconfig context to use (default: its current-context)");
    AddControllerFlag(f, &controller_);
    f.Ignored("--client", false, "Juju compatibility: only the controller copy exists");
    f.Ignored("--skip-storage", false, "Juju compatibility: storage classes are not checked");
    f.Ignored("--storage", true, "Juju compatibility: the cluster's default storage class is used");
    f.Ignored("--cluster-name", true, "Juju compatibility: use --context");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing k8s name");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    name_ = args[0];
    if (!IsValidModelName(name_) || name_ == "localhost" || name_ == "local") {
      return UsageError(absl::StrCat("\"", name_,
                                     "\" is not a valid cloud name: use lowercase letters, digits and hyphens "
                                     "(\"localhost\" is the controller's own cloud)"));
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    const std::string path = kubeconfig_.empty() ? env.default_kubeconfig : kubeconfig_;
    if (path.empty()) {
      return absl::FailedPreconditionError("no kubeconfig: give --kubeconfig FILE or set $KUBECONFIG");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat("cannot read kubeconfig ", path,
                                              ": give the file of the cluster with --kubeconfig FILE"));
    }
    std::stringstream text;
    text << in.rdbuf();
    // Files the kubeconfig names (certificate-authority, client-key, ...) are read here, beside
    // it, and sent inline: the controller never reads the client's files.
    auto config = kube::ParseKubeconfig(text.str(), context_, std::filesystem::path(path).parent_path().string());
    if (!config.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("invalid kubeconfig ", path, ": ", config.status().message()));
    }
    auto session = ConnectController(env, controller_);
    if (!session.ok()) return session.status();
    v1::AddK8sRequest req;
    req.set_name(name_);
    req.set_kubeconfig(kube::RenderKubeconfig(*config, name_));
    auto resp = CallClouds(*session, &Clouds::StubInterface::AddK8s, req);
    if (!resp.ok()) return resp.status();
    *env.err << "k8s substrate \"" << name_ << "\" (" << resp->cloud().endpoint() << ") added as cloud \"" << name_
             << "\" on controller \"" << session->target.controller_name << "\".\n"
             << "You can now add a model on it with: " << env.program << " add-model <model> " << name_ << "\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
  std::string kubeconfig_;
  std::string context_;
  std::string controller_;
};

class CloudsCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"clouds",
            "",
            "Lists the clouds models can be added on.",
            "Lists the controller's clouds: `localhost` (machines on the controller's host) and\n"
            "every Kubernetes cloud added with add-k8s, with its type and API server address.\n"
            "Credentials are never shown. --format json|yaml prints a list of {name, type,\n"
            "endpoint}.\n",
            "    skein clouds\n    skein clouds --format json\n",
            {"list-clouds"},
            {"add-k8s", "add-model", "remove-cloud"}};
  }
  void SetFlags(FlagSet& f) override {
    AddControllerFlag(f, &controller_);
    f.Ignored("--client", false, "Juju compatibility: only the controller's clouds exist");
    f.Ignored("--all", false, "Juju compatibility: every cloud is listed");
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 0); !s.ok()) return s;
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    auto session = ConnectController(env, controller_);
    if (!session.ok()) return session.status();
    auto resp = CallClouds(*session, &Clouds::StubInterface::ListClouds, v1::ListCloudsRequest());
    if (!resp.ok()) return resp.status();
    if (format_ == "tabular") {
      output::Table table(env.ColorStdout());
      table.AddHeader({"Cloud", "Type", "Endpoint"});
      for (const v1::CloudEntry& c : resp->clouds()) table.AddRow({c.name(), c.type(), c.endpoint()});
      return WriteOutput(env, output_, absl::StrCat("Clouds available on the controller:\n", table.Render()));
    }
    nlohmann::json doc = nlohmann::json::array();
    for (const v1::CloudEntry& c : resp->clouds()) {
      doc.push_back({{"name", c.name()}, {"type", c.type()}, {"endpoint", c.endpoint()}});
    }
    return WriteData(env, output_, doc, format_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"tabular", "json", "yaml"};
  std::string controller_;
  std::string format_ = "tabular";
  std::string output_;
};

class RemoveCloudCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"remove-cloud",
            "<cloud name>",
            "Removes a Kubernetes cloud from the controller.",
            "Forgets the cloud and its stored credential. Refused while a model lives on it:\n"
            "destroy those models first. Nothing on the cluster is changed.\n",
            "    skein remove-cloud mycluster\n",
            {"remove-k8s"},
            {"add-k8s", "clouds"}};
  }
  void SetFlags(FlagSet& f) override {
    AddControllerFlag(f, &controller_);
    f.Ignored("--client", false, "Juju compatibility: only the controller copy exists");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("missing cloud name");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    name_ = args[0];
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = ConnectController(env, controller_);
    if (!session.ok()) return session.status();
    v1::RemoveCloudRequest req;
    req.set_name(name_);
    auto resp = CallClouds(*session, &Clouds::StubInterface::RemoveCloud, req);
    if (!resp.ok()) return resp.status();
    *env.err << "Removed cloud \"" << name_ << "\" from controller \"" << session->target.controller_name << "\".\n";
    return absl::OkStatus();
  }

 private:
  std::string name_;
  std::string controller_;
};

class ScaleApplicationCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"scale-application",
            "<application> <scale>",
            "Sets the number of units of an application of a Kubernetes model.",
            "Adds units, or removes the highest-numbered ones, until the application has <scale>\n"
            "alive units; its StatefulSet follows (unit <app>/<n> is pod <app>-<n>). On a machine\n"
            "model use add-unit and remove-unit instead.\n",
            "    skein scale-application mariadb 3\n    skein scale-application mariadb 1\n",
            {},
            {"add-unit", "remove-unit", "status"}};
  }
  void SetFlags(FlagSet& f) override { AddModelFlag(f, &model_); }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no application specified");
    if (args.size() < 2) return UsageError("no scale specified");
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    app_ = args[0];
    if (!IsValidApplicationName(app_)) return UsageError(absl::StrCat("invalid application name \"", app_, "\""));
    if (!absl::SimpleAtoi(args[1], &scale_) || scale_ < 0) {
      return UsageError(absl::StrCat("invalid scale \"", args[1], "\": give a number of units, 0 or more"));
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    v1::ScaleApplicationRequest req;
    req.set_model(session->model());
    req.set_application(app_);
    req.set_scale(scale_);
    auto resp = CallClouds(*session, &Clouds::StubInterface::ScaleApplication, req);
    if (!resp.ok()) return resp.status();
    *env.out << app_ << " scale changed to " << scale_ << "\n";
    if (!resp->added().empty()) *env.err << "added " << absl::StrJoin(resp->added(), ", ") << "\n";
    if (!resp->removed().empty()) *env.err << "removing " << absl::StrJoin(resp->removed(), ", ") << "\n";
    return absl::OkStatus();
  }

 private:
  std::string model_;
  std::string app_;
  int scale_ = 0;
};

}  // namespace

std::unique_ptr<Command> NewAddK8sCommand() { return std::make_unique<AddK8sCommand>(); }
std::unique_ptr<Command> NewCloudsCommand() { return std::make_unique<CloudsCommand>(); }
std::unique_ptr<Command> NewRemoveCloudCommand() { return std::make_unique<RemoveCloudCommand>(); }
std::unique_ptr<Command> NewScaleApplicationCommand() { return std::make_unique<ScaleApplicationCommand>(); }

}  // namespace skein::cli::commands
