// model-config: get all model settings, get one, set and reset (Juju's `juju model-config`).

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/base/file_read.h"
#include "lib/format/output.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/config_args.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/model_config_output.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

const std::vector<std::string> kFormats = {"tabular", "json", "yaml"};

class ModelConfigCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"model-config",
            "[<model-key>[=<value>] ...] [--reset <key[,key]>]",
            "Displays or sets configuration values on a model.",
            "Without arguments, shows every model setting with where its value comes from (default\n"
            "or model). With one key, prints its value. With key=value pairs, sets them; --reset\n"
            "returns keys to their defaults. --file reads settings from a YAML mapping. Setting and\n"
            "resetting are silent.\n\n"
            "Keys the agents use: automatically-retry-hooks (bool, default true) and\n"
            "update-status-hook-interval (duration 1m..60m, default 5m).\n",
            "    skein model-config\n    skein model-config update-status-hook-interval\n"
            "    skein model-config automatically-retry-hooks=false\n"
            "    skein model-config --reset automatically-retry-hooks\n",
            {},
            {"config", "models"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Strings("--reset", &reset_flags_, "Reset the provided comma delimited keys");
    f.String("--file", &file_, "path to yaml-formatted configuration file");
    f.Ignored("--color", false, "Use ANSI color codes in output");
    f.Ignored("--no-color", false, "Disable ANSI color codes in tabular output");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    auto parsed = ParseConfigArgs(args, reset_flags_, !file_.empty());
    if (!parsed.ok()) return parsed.status();
    key_ = parsed->get_key;
    sets_ = std::move(parsed->sets);
    resets_ = std::move(parsed->resets);
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    if (sets_.empty() && resets_.empty() && file_.empty()) return Get(env, *session);
    skein::v1::SetModelConfigRequest req;
    req.set_model(session->model());
    auto& values = *req.mutable_values();
    if (!file_.empty()) {
      if (auto s = ReadFileSettings(&values); !s.ok()) return s;
    }
    for (const auto& [k, v] : sets_) values[k] = v;
    for (const auto& [k, v] : values) {
      auto s = limits::CheckSize(limits::kModelConfigValue, absl::StrCat("model config \"", k, "\""), v.size());
      if (!s.ok()) return s;
    }
    for (const auto& r : resets_) req.add_reset(r);
    return session->connection->Call(&Controller::StubInterface::SetModelConfig, req).status();
  }

 private:
  absl::Status Get(Environment& env, Session& session) {
    skein::v1::GetModelConfigRequest req;
    req.set_model(session.model());
    auto resp = session.connection->Call(&Controller::StubInterface::GetModelConfig, req);
    if (!resp.ok()) return resp.status();
    if (!key_.empty()) {
      for (const auto& e : resp->entries()) {
        if (e.key() != key_) continue;
        nlohmann::json v = output::ModelConfigValue(e);
        if (format_ == "json") return WriteOutput(env, output_, v.dump() + "\n");
        return WriteOutput(env, output_, (v.is_string() ? v.get<std::string>() : v.dump()) + "\n");
      }
      return absl::NotFoundError(absl::StrCat("key \"", key_, "\" not found in {<nil> \"\"} model."));
    }
    if (format_ == "tabular") return WriteOutput(env, output_, output::ModelConfigTabular(*resp));
    return WriteData(env, output_, output::ModelConfigToJson(*resp, format_ == "json"), format_);
  }

  absl::Status ReadFileSettings(google::protobuf::Map<std::string, std::string>* values) {
    auto text = ReadFileCapped(file_, limits::kYamlInput, FileKinds::kAnyReadable);
    if (absl::IsNotFound(text.status())) {
      return absl::NotFoundError(absl::StrCat("cannot read \"", file_, "\": no such file"));
    }
    if (!text.ok()) return text.status();
    auto doc = skein::format::YamlToJson(*text, skein::format::YamlDialect::kText);
    if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", file_, "\": ", doc.status().message()));
    if (!doc->is_object()) return absl::InvalidArgumentError(absl::StrCat("\"", file_, "\" is not a mapping"));
    for (auto it = doc->begin(); it != doc->end(); ++it) {
      (*values)[it.key()] = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
    }
    return absl::OkStatus();
  }

  std::string model_;
  std::string format_ = "tabular";
  std::string output_;
  std::vector<std::string> reset_flags_;
  std::vector<std::string> resets_;
  std::vector<std::pair<std::string, std::string>> sets_;
  std::string file_;
  std::string key_;
};

}  // namespace

std::unique_ptr<Command> NewModelConfigCommand() { return std::make_unique<ModelConfigCommand>(); }

}  // namespace skein::cli::commands
