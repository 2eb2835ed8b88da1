// action-get, action-set, action-log, action-fail (juju-semantics §3.3). Outside an action the
// HookContext answers NotFound `not running an action`, printed as `ERROR not running an action`
// with exit 1.

#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// action-get [<key>[.<key>...]]
class ActionGetCommand : public Command {
 public:
  explicit ActionGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "action-get";
    info.args = "[<key>[.<key>.<key>...]]";
    info.purpose = "Get action parameters.";
    info.doc = R"(
action-get will print the value of the parameter at the given key, serialized
as YAML.  If multiple keys are passed, action-get will recurse into the param
map as needed.
)";
    info.examples = R"(
    TIMEOUT=$(action-get timeout)

    action-get --format=json
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::OkStatus();
    std::vector<std::string> path = absl::StrSplit(args[0], '.');
    path_ = std::move(path);
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<nlohmann::json> params = ctx_.ActionParams();
    if (!params.ok()) return params.status();
    nlohmann::json value = params->is_object() ? *params : nlohmann::json::object();
    for (const std::string& key : path_) {
      if (!value.is_object() || !value.contains(key)) return out_.Write(ctx, nlohmann::json());
      value = nlohmann::json(value[key]);
    }
    return out_.Write(ctx, value);
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::vector<std::string> path_;
};

// action-set <key>[.<key>...]=<value> ...
class ActionSetCommand : public Command {
 public:
  explicit ActionSetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "action-set";
    info.args = "<key>=<value> [<key>=<value> ...]";
    info.purpose = "Set action results.";
    info.doc = R"(
action-set adds the given values to the results map of the Action. This map
is returned to the user after the completion of the Action. Keys must start
and end with lowercase alphanumeric, and contain only lowercase alphanumeric,
hyphens and periods.  The following special keys are reserved for internal use:
"stdout", "stdout-encoding", "stderr", "stderr-encoding".
)";
    info.examples = R"(
    action-set outfile.size=10G
    action-set foo.bar=2
    action-set foo.baz.val=3
    action-set foo.bar.zab=4
    action-set foo.baz=1
)";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    static const std::regex kKey("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$");
    if (args.empty()) return absl::InvalidArgumentError("no key=value pairs specified");
    for (const std::string& arg : args) {
      size_t eq = arg.find('=');
      if (eq == std::string::npos || eq == 0) {
        return absl::InvalidArgumentError(absl::StrCat("argument \"", arg, "\" must be of the form key...=value"));
      }
      std::string key = arg.substr(0, eq);
      std::vector<std::string> parts = absl::StrSplit(key, '.');
      for (const std::string& part : parts) {
        if (!std::regex_match(part, kKey)) {
          return absl::InvalidArgumentError(absl::StrCat(
              "key \"", part,
              "\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric and "
              "hyphens"));
        }
      }
      if (parts[0] == "stdout" || parts[0] == "stdout-encoding" || parts[0] == "stderr" ||
          parts[0] == "stderr-encoding") {
        return absl::InvalidArgumentError(absl::StrCat("cannot set reserved action key \"", parts[0], "\""));
      }
      // Later values win; a dotted key turns a string leaf into a map, as Juju's addValueToMap.
      nlohmann::json* node = &results_;
      for (size_t i = 0; i + 1 < parts.size(); ++i) {
        nlohmann::json& next = (*node)[parts[i]];
        if (!next.is_object()) next = nlohmann::json::object();
        node = &next;
      }
      (*node)[parts.back()] = arg.substr(eq + 1);
    }
    return absl::OkStatus();
  }

  absl::Status Run(RunContext& ctx) override { return ctx_.SetActionResults(results_); }

 private:
  HookContext& ctx_;
  nlohmann::json results_ = nlohmann::json::object();
};

// action-log <message>
class ActionLogCommand : public Command {
 public:
  explicit ActionLogCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "action-log";
    info.args = "<message>";
    info.purpose = "Record a progress message for the current action.";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("no message specified");
    message_ = absl::StrJoin(args, " ");
    return absl::OkStatus();
  }

  absl::Status Run(RunContext& ctx) override { return ctx_.ActionLog(message_); }

 private:
  HookContext& ctx_;
  std::string message_;
};

// action-fail ["<failure message>"]
class ActionFailCommand : public Command {
 public:
  explicit ActionFailCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "action-fail";
    info.args = "[\"<failure message>\"]";
    info.purpose = "Set action fail status with message.";
    info.doc = R"(
action-fail sets the fail state of the action with a given error message.  Using
action-fail without a failure message will set a default message indicating a
problem with the action.
)";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::OkStatus();
    message_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override { return ctx_.ActionFail(message_); }

 private:
  HookContext& ctx_;
  std::string message_ = "action failed without reason given, check action for errors";
};

}  // namespace

std::vector<ToolEntry> ActionTools() {
  return {{"action-fail", MakeTool<ActionFailCommand>},
          {"action-get", MakeTool<ActionGetCommand>},
          {"action-log", MakeTool<ActionLogCommand>},
          {"action-set", MakeTool<ActionSetCommand>}};
}

}  // namespace skein::agent::tools
