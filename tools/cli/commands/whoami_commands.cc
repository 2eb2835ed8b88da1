// controllers and whoami (issue 15): what the client knows of its controllers and who it is, in
// Juju 3.6's shapes. skein has one user per controller, admin, with superuser access.

#include "absl/strings/str_cat.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/render.h"
#include "tools/cli/output/table.h"
#include "tools/cli/output/version.h"

namespace skein::cli::commands {
namespace {

using nlohmann::json;

constexpr char kUser[] = "admin";

class ControllersCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"controllers",
            "",
            "Lists all controllers.",
            "The current controller is marked with an asterisk. Model and machine counts come from\n"
            "the controller when it answers, and are left out when it does not.\n",
            "    skein controllers\n    skein controllers --format json\n",
            {"list-controllers"},
            {"models", "whoami"}};
  }
  void SetFlags(FlagSet& f) override {
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Ignored("--refresh", false, "Connect to each controller to download the latest details");
    f.Ignored("--managed", false, "Show controllers managed by JAAS");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 0); !s.ok()) return s;
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    auto config = client::LoadClientConfig(env.data_dir);
    if (!config.ok()) return config.status();
    if (config->controllers.empty()) return absl::NotFoundError(client::NoControllersMessage());
    json controllers = json::object();
    for (const auto& [name, entry] : config->controllers) {
      json c = {{"user", kUser},
                {"access", "superuser"},
                {"recent-server", entry.address},
                {"uuid", entry.uuid},
                {"api-endpoints", json::array({entry.address})},
                {"ca-cert", entry.ca_cert},
                {"cloud", "local"},
                {"region", "localhost"},
                {"agent-version", output::kJujuVersion}};
      if (!entry.current_model.empty()) c["current-model"] = absl::StrCat(kUser, "/", entry.current_model);
      client::Connection connection(env.data_dir, name, entry);
      auto models = connection.Call(&skein::v1::Controller::StubInterface::ListModels, skein::v1::ListModelsRequest());
      if (models.ok()) {
        c["model-count"] = models->models_size();
        for (const auto& m : models->models()) {
          if (m.name() == "controller") c["machine-count"] = m.machine_count();
        }
        c["controller-machines"] = {{"active", 1}, {"total", 1}};
      }
      controllers[name] = std::move(c);
    }
    json doc = {{"controllers", std::move(controllers)}};
    if (!config->current_controller.empty()) doc["current-controller"] = config->current_controller;
    if (format_ == "tabular") return WriteOutput(env, output_, Tabular(doc, env.ColorStdout()));
    return WriteData(env, output_, doc, format_);
  }

 private:
  static std::string Tabular(const json& doc, bool color) {
    output::Table t(color);
    t.AddHeader({"Controller", "Model", "User", "Access", "Cloud/Region", "Models", "Nodes", "HA", "Version"});
    const std::string current = doc.value("current-controller", "");
    for (const auto& [name, c] : doc["controllers"].items()) {
      const std::string owner_prefix = std::string(kUser) + "/";
      std::string model = c.value("current-model", "");
      if (model.rfind(owner_prefix, 0) == 0) model = model.substr(owner_prefix.size());
      t.AddRow({name + (name == current ? "*" : ""), model.empty() ? "-" : model, kUser, "superuser",
                "local/localhost", c.contains("model-count") ? c["model-count"].dump() : "-",
                c.contains("machine-count") ? c["machine-count"].dump() : "-", "none",
                c.value("agent-version", "")});
    }
    return t.Render();
  }

  inline static const std::vector<std::string> kFormats = {"tabular", "json", "yaml"};
  std::string format_ = "tabular";
  std::string output_;
};

class WhoamiCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"whoami",
            "",
            "Print current login details.",
            "Prints the current controller, model and user.\n",
            "    skein whoami\n    skein whoami --format json\n",
            {},
            {"controllers", "models"}};
  }
  void SetFlags(FlagSet& f) override {
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckNoExtraArgs(args, 0); !s.ok()) return s;
    return CheckFormat(format_, kFormats);
  }
  absl::Status Run(Environment& env) override {
    auto config = client::LoadClientConfig(env.data_dir);
    if (!config.ok()) return config.status();
    auto current = client::CurrentController(*config);
    if (!current.ok()) return current.status();
    const auto& [name, entry] = *current;
    json doc = {{"controller", name}, {"user", kUser}};
    if (!entry.current_model.empty()) doc["model"] = entry.current_model;
    if (format_ == "tabular") {
      output::Table t(false);
      t.AddRow({"Controller:", name});
      t.AddRow({"Model:", entry.current_model.empty() ? "<no-current-model>" : entry.current_model});
      t.AddRow({"User:", kUser});
      return WriteOutput(env, output_, t.Render());
    }
    return WriteData(env, output_, doc, format_);
  }

 private:
  inline static const std::vector<std::string> kFormats = {"tabular", "json", "yaml"};
  std::string format_ = "tabular";
  std::string output_;
};

}  // namespace

std::unique_ptr<Command> NewControllersCommand() { return std::make_unique<ControllersCommand>(); }
std::unique_ptr<Command> NewWhoamiCommand() { return std::make_unique<WhoamiCommand>(); }

}  // namespace skein::cli::commands
