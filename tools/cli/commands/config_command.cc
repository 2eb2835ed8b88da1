// config: get all settings, get one, set and reset (Juju's `juju config`).

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/base/file_read.h"
#include "lib/base/names.h"
#include "lib/charm/config.h"
#include "lib/format/output.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/config_args.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/config_output.h"
#include "tools/cli/output/render.h"

namespace skein::cli::commands {
namespace {

using skein::v1::Controller;

// A settings file (`cap` = kYamlInput) or one value (`@path`, `cap` = kConfigValue); pipes are
// fine (`--file <(command)`), but never more than the cap.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path, const limits::Cap& cap) {
  auto content = ReadFileCapped(path, cap, FileKinds::kAnyReadable);
  if (absl::IsNotFound(content.status())) {
    return absl::NotFoundError(absl::StrCat("cannot read \"", path, "\": no such file"));
  }
  return content;
}

class ConfigCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"config",
            "<application name> [--reset <key[,key]>] [<attribute-key>][=<value>] ...]",
            "Get, set, or reset configuration for a deployed application.",
            "Without a key, prints every setting of the application with its default, description,\n"
            "source (default or user), type and value. With one key, prints the bare value. With\n"
            "key=value pairs, sets them (a value of @path reads the file at path); --reset returns\n"
            "keys to their defaults. --file reads settings from YAML (under the application's name,\n"
            "or at the top level). Setting and resetting are silent.\n",
            "    skein config mysql\n    skein config mysql port\n    skein config mysql port=3307 --reset tuning\n",
            {},
            {"deploy", "status"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Strings("--reset", &reset_flags_, "Reset the provided comma delimited keys");
    f.String("--file", &file_, "path to yaml-formatted configuration file");
    AddFormatFlag(f, &format_, kFormats);
    AddOutputFlag(f, &output_);
    f.Ignored("--color", false, "Use ANSI color codes in output");
    f.Ignored("--no-color", false, "Disable ANSI color codes in tabular output");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no application name specified");
    if (auto s = CheckFormat(format_, kFormats); !s.ok()) return s;
    app_ = args[0];
    if (!IsValidApplicationName(app_)) return UsageError(absl::StrCat("invalid application name \"", app_, "\""));
    auto parsed = ParseConfigArgs(std::vector<std::string>(args.begin() + 1, args.end()), reset_flags_, !file_.empty());
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
    skein::v1::SetConfigRequest req;
    req.set_model(session->model());
    req.set_application(app_);
    auto& values = *req.mutable_values();
    if (!file_.empty()) {
      if (auto s = ReadFileSettings(&values); !s.ok()) return s;
    }
    for (const auto& [k, v] : sets_) {
      if (!v.empty() && v[0] == '@') {
        auto content = ReadWholeFile(v.substr(1), limits::kConfigValue);
        if (absl::IsResourceExhausted(content.status())) {
          return absl::ResourceExhaustedError(absl::StrCat("config option \"", k, "\": ", content.status().message()));
        }
        if (!content.ok()) return content.status();
        values[k] = *content;
      } else {
        values[k] = v;
      }
    }
    for (const auto& r : resets_) req.add_reset(r);
    if (auto s = charm::CheckConfigSizes({values.begin(), values.end()}); !s.ok()) return s;
    return session->connection->Call(&Controller::StubInterface::SetConfig, req).status();
  }

 private:
  absl::Status Get(Environment& env, Session& session) {
    skein::v1::GetConfigRequest req;
    req.set_model(session.model());
    req.set_application(app_);
    auto resp = session.connection->Call(&Controller::StubInterface::GetConfig, req);
    if (!resp.ok()) return resp.status();
    if (!key_.empty()) {
      auto value = output::ConfigValue(*resp, key_);
      if (!value.ok()) return value.status();
      if (format_ == "json") return WriteOutput(env, output_, output::SanitizeJson(*value).dump() + "\n");
      return WriteOutput(env, output_, output::BareValue(*value));
    }
    return WriteData(env, output_, output::ConfigToJson(*resp), format_);
  }

  absl::Status ReadFileSettings(google::protobuf::Map<std::string, std::string>* values) {
    auto text = ReadWholeFile(file_, limits::kYamlInput);
    if (!text.ok()) return text.status();
    auto doc = skein::format::YamlToJson(*text, skein::format::YamlDialect::kText);
    if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", file_, "\": ", doc.status().message()));
    nlohmann::json settings = *doc;
    if (settings.is_object() && settings.contains(app_) && settings[app_].is_object()) settings = settings[app_];
    if (settings.is_null()) return absl::OkStatus();
    if (!settings.is_object()) return absl::InvalidArgumentError(absl::StrCat("\"", file_, "\" is not a mapping"));
    for (auto it = settings.begin(); it != settings.end(); ++it) {
      if (!it.value().is_string() && !it.value().is_null()) {
        return absl::InvalidArgumentError(absl::StrCat("\"", file_, "\": option \"", it.key(), "\" must be a scalar"));
      }
      (*values)[it.key()] = it.value().is_null() ? "" : it.value().get<std::string>();
    }
    return absl::OkStatus();
  }

  inline static const std::vector<std::string> kFormats = {"yaml", "json"};
  std::string model_;
  std::vector<std::string> reset_flags_;
  std::vector<std::string> resets_;
  std::string file_;
  std::string format_ = "yaml";
  std::string output_;
  std::string app_;
  std::string key_;
  std::vector<std::pair<std::string, std::string>> sets_;
};

// `trust` is application config: the command sets the key `trust` as `config app trust=true` does.
class TrustCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"trust",
            "<application name>",
            "Sets the trust status of a deployed application to true.",
            "A trusted application's units may read the cloud credential (credential-get); on a\n"
            "Kubernetes model it also gets the wider cluster roles. --remove takes the trust back.\n"
            "`config <application> trust` shows it. --scope cluster is accepted: it is the only scope.\n",
            "    skein trust media-wiki\n    skein trust metallb --scope=cluster\n    skein trust media-wiki --remove\n",
            {},
            {"config", "deploy"}};
  }
  void SetFlags(FlagSet& f) override {
    AddModelFlag(f, &model_);
    f.Bool("--remove", &remove_, "Remove trusted access from a trusted application");
    f.String("--scope", &scope_, "On Kubernetes models, the scope of the trust (only `cluster`)");
  }
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("no application name specified");
    if (args.size() > 1) return UsageError(absl::StrCat("unrecognized args: [\"", args[1], "\"]"));
    app_ = args[0];
    if (!IsValidApplicationName(app_)) return UsageError(absl::StrCat("invalid application name \"", app_, "\""));
    if (!scope_.empty() && scope_ != "cluster") {
      return UsageError(absl::StrCat("invalid --scope \"", scope_, "\": the only scope is \"cluster\""));
    }
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    auto session = Connect(env, model_);
    if (!session.ok()) return session.status();
    skein::v1::SetConfigRequest req;
    req.set_model(session->model());
    req.set_application(app_);
    (*req.mutable_values())["trust"] = remove_ ? "false" : "true";
    return session->connection->Call(&Controller::StubInterface::SetConfig, req).status();
  }

 private:
  std::string model_;
  std::string app_;
  std::string scope_;
  bool remove_ = false;
};

}  // namespace

std::unique_ptr<Command> NewConfigCommand() { return std::make_unique<ConfigCommand>(); }
std::unique_ptr<Command> NewTrustCommand() { return std::make_unique<TrustCommand>(); }

}  // namespace skein::cli::commands
