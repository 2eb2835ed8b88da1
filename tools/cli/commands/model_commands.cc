// add-model, models, switch.

#include "absl/strings/str_cat.h"
#include "lib/base/names.h"
#include "skein/v1/models.grpc.pb.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/config_args.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/models_output.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

absl::Status SetCurrentModel(Environment& env, Session& session, const std::string& model) {
  session.config.controllers[session.target.controller_name].current_model = model;
  session.config.current_controller = session.target.controller_name;
  return client::SaveClientConfig(env.data_dir, session.config);
}

class AddModelCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"add-model",
            "<model name> [cloud|region|(cloud/region)]",
            "Adds a workload model.",
            "Adds a model to the controller and makes it the current model, unless --no-switch is\n"
            "given. Model names may only contain lowercase letters, digits and hyphens.\n"
            "--config key=value (repeatable) or --config file.yaml sets model config at creation;\n"
            "a bad key or value adds no model.\n"
            "A Kubernetes cloud added with add-k8s as the second argument puts the model on that\n"
            "cluster: a namespace named after the model, labelled model.juju.is/name and\n"
            "model.juju.is/id, which destroy-model deletes.\n",
            "    skein add-model mymodel\n    skein add-model --no-switch test-1\n"
            "    skein add-model test-2 --config automatically-retry-hooks=false\n"
            "    skein add-model kubeflow mycluster\n",
            {},
            {"models", "switch"}};
  }
  void SetFlags(FlagSet& f) override {
    f.Bool("--no-switch", &no_switch_, "Do not switch to the newly created model");
    AddControllerFlag(f, &controller_);
    f.Strings("--config", &config_flags_, "Path to YAML model configuration file or individual options (repeatable)");
    f.Ignored("--credential", true, "Credential used to add the model");
    f.Ignored("--owner", true, "The owner of the new model if not the current user");
    f.Ignored("--target-controller", true, "Controller to add the model to");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("model name is required");
    if (auto s = CheckNoExtraArgs(args, 2); !s.ok()) return s;
    name_ = args[0];
    if (!IsValidModelName(name_)) {
      return UsageError(absl::StrCat("\"", name_,
                                     "\" is not a valid name: model names may only contain lowercase letters, "
                                     "digits and hyphens"));
    }
    if (args.size() > 1) cloud_ = args[1];
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = ConnectController(env, controller_);
    if (!session.ok()) return session.status();
    // `local`, `localhost` and `local/<region>` are the controller's own cloud; anything else
    // names a Kubernetes cloud from add-k8s (its one region, if given, is ignored).
    const bool local = cloud_.empty() || cloud_ == "local" || cloud_ == "localhost" || cloud_.rfind("local/", 0) == 0;
    const std::string cloud = local ? "" : cloud_.substr(0, cloud_.find('/'));
    auto config = ConfigFlagValues(config_flags_, "");
    if (!config.ok()) return config.status();
    skein::v1::CreateModelRequest req;
    req.set_name(name_);
    req.set_cloud(cloud);
    req.mutable_config()->insert(config->begin(), config->end());
    auto stub = skein::v1::ModelManager::NewStub(session->connection->channel());
    auto resp = session->connection->Call(*stub, &skein::v1::ModelManager::StubInterface::CreateModel, req);
    if (!resp.ok()) return resp.status();
    if (local) {
      *env.err << "Added '" << name_ << "' model on local/localhost with credential 'local' for user 'admin'\n";
    } else {
      *env.err << "Added '" << name_ << "' model on " << cloud << " with credential '" << cloud
               << "' for user 'admin'\n";
    }
    if (!no_switch_) return SetCurrentModel(env, *session, name_);
    return absl::OkStatus();
  }

 private:
  bool no_switch_ = false;
  std::vector<std::string> config_flags_;
  std::string controller_;
  std::string name_;
  std::string cloud_;
};

class ModelsCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"models", "", "Lists models a user can access on a controller.",
            "The current model is marked with an asterisk.\n", "    skein models\n    skein models --format json\n",
            {"list-models"}, {"add-model", "switch"}};
  }
  void SetFlags(FlagSet& f) override {
    AddControllerFlag(f, &controller_);
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
    auto resp = session->connection->Call(&Controller::StubInterface::ListModels, skein::v1::ListModelsRequest());
    if (!resp.ok()) return resp.status();
    output::ModelsContext ctx{session->target.controller_name, session->target.controller.uuid,
                              session->target.controller.current_model, env.ColorStdout()};
    if (format_ == "tabular") return WriteOutput(env, output_, output::ModelsToTabular(*resp, ctx));
    return WriteData(env, output_, output::ModelsToJson(*resp, ctx), format_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"tabular", "json", "yaml"};
  std::string controller_;
  std::string format_ = "tabular";
  std::string output_;
};

class SwitchCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"switch", "[<controller>|<model>|<controller>:|:<model>|<controller>:<model>]",
            "Selects or identifies the current controller and model.",
            "Without an argument, prints the current controller and model as\n"
            "<controller>:<user>/<model>. With a model, makes it the current model.\n",
            "    skein switch mymodel\n    skein switch local:admin/controller\n", {}, {"models", "add-model"}};
  }
  void SetFlags(FlagSet&) override {}
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    if (!args.empty()) target_ = args[0];
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = ConnectController(env);
    if (!session.ok()) return session.status();
    const std::string& controller = session->target.controller_name;
    std::string old_model = session->target.controller.current_model;
    auto qualified = [&](const std::string& m) { return m.empty() ? controller : controller + ":admin/" + m; };
    if (target_.empty()) {
      *env.out << qualified(old_model) << "\n";
      return absl::OkStatus();
    }
    // `<controller>` or `<controller>:` alone selects the controller (the only one).
    std::string text = target_;
    if (text == controller || text == controller + ":") {
      *env.err << qualified(old_model) << " -> " << qualified(old_model) << "\n";
      return absl::OkStatus();
    }
    if (text[0] == ':') text = text.substr(1);
    auto ref = client::ParseModelRef(text);
    if (!ref.ok()) return ref.status();
    if (!ref->controller.empty() && ref->controller != controller) {
      return absl::NotFoundError(absl::StrCat("controller \"", ref->controller, "\" not found"));
    }
    auto resp = session->connection->Call(&Controller::StubInterface::ListModels, skein::v1::ListModelsRequest());
    if (!resp.ok()) return resp.status();
    bool found = false;
    for (const auto& m : resp->models()) found = found || m.name() == ref->model;
    if (!found) return absl::NotFoundError(absl::StrCat("model \"", ref->model, "\" not found"));
    if (auto s = SetCurrentModel(env, *session, ref->model); !s.ok()) return s;
    *env.err << qualified(old_model) << " -> " << qualified(ref->model) << "\n";
    return absl::OkStatus();
  }

 private:
  std::string target_;
};

}  // namespace

std::unique_ptr<Command> NewAddModelCommand() { return std::make_unique<AddModelCommand>(); }
std::unique_ptr<Command> NewModelsCommand() { return std::make_unique<ModelsCommand>(); }
std::unique_ptr<Command> NewSwitchCommand() { return std::make_unique<SwitchCommand>(); }

}  // namespace skein::cli::commands
