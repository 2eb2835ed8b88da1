// leader-get, leader-set (immediate, juju-semantics §5) and state-get, state-set, state-delete
// (the charm's controller-side state; transactional like relation-set).

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/key_values.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// Prefixes `prefix: ` unless the context's message already starts with it.
absl::Status Annotate(const absl::Status& status, const std::string& prefix) {
  std::string why = Message(status);
  if (why.rfind(prefix, 0) == 0) return status;
  return absl::Status(status.code(), absl::StrCat(prefix, ": ", why));
}

// `[<key>|-]`: one optional key, where `-` (like nothing) means all keys.
absl::Status ParseKeyArg(const std::vector<std::string>& args, std::string* key) {
  if (args.empty()) return absl::OkStatus();
  if (args[0] != "-") *key = args[0];
  return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
}

nlohmann::json ToJson(const std::map<std::string, std::string>& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : values) out[k] = v;
  return out;
}

// leader-get [<key>|-]
class LeaderGetCommand : public Command {
 public:
  explicit LeaderGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "leader-get";
    info.args = "[<key>]";
    info.purpose = "Print application leadership settings.";
    info.doc = R"(
Prints the settings the application's leader wrote with leader-set: all of them, or with a key
(`-` means all) just that value. An unknown key prints nothing.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }
  absl::Status Init(const std::vector<std::string>& args) override { return ParseKeyArg(args, &key_); }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::map<std::string, std::string>> settings = ctx_.LeaderGet();
    if (!settings.ok()) return Annotate(settings.status(), "cannot read leadership settings");
    if (key_.empty()) return out_.Write(ctx, ToJson(*settings));
    auto it = settings->find(key_);
    return out_.Write(ctx, it == settings->end() ? nlohmann::json() : nlohmann::json(it->second));
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::string key_;
};

// leader-set <key>=<value> [...]
class LeaderSetCommand : public Command {
 public:
  explicit LeaderSetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "leader-set";
    info.args = "<key>=<value> [...]";
    info.purpose = "Write application leadership settings.";
    info.doc = R"(
Writes settings every unit of the application can read with leader-get; only the leader may
write them. The write takes effect at once (it is not undone if the hook fails) and the other
units run leader-settings-changed. An empty value removes the key.
)";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override { return ParseKeyValues(args, &settings_); }

  absl::Status Run(RunContext& ctx) override {
    absl::Status s = ctx_.LeaderSet(settings_);
    if (!s.ok()) return Annotate(s, "cannot write leadership settings");
    return absl::OkStatus();
  }

 private:
  HookContext& ctx_;
  std::map<std::string, std::string> settings_;
};

// state-get [<key>|-] [--strict]
class StateGetCommand : public Command {
 public:
  explicit StateGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "state-get";
    info.args = "[<key>]";
    info.purpose = "Print server-side-state value.";
    info.doc = R"(
Prints the charm's state stored by the controller: all of it, or one key's value (`-` means
all). A missing key prints nothing, or with --strict fails. Values written earlier in the same
hook are included.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    flags.BoolVar(&strict_, {"strict"}, "Return an error if the requested key does not exist");
  }
  absl::Status Init(const std::vector<std::string>& args) override { return ParseKeyArg(args, &key_); }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::map<std::string, std::string>> state = ctx_.StateGet();
    if (!state.ok()) return state.status();
    if (key_.empty()) return out_.Write(ctx, ToJson(*state));
    auto it = state->find(key_);
    if (it != state->end()) return out_.Write(ctx, it->second);
    if (strict_) return absl::NotFoundError(absl::StrCat(GoQuote(key_), " not found"));
    return out_.Write(ctx, "");
  }

 private:
  HookContext& ctx_;
  Output out_;
  bool strict_ = false;
  std::string key_;
};

// state-set [--file path|-] <key>=<value> [...]
class StateSetCommand : public Command {
 public:
  explicit StateSetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "state-set";
    info.args = "key=value [key=value ...]";
    info.purpose = "Set server-side-state values.";
    info.doc = R"(
Stores key-value pairs in the charm's state kept by the controller; they are saved when the
hook succeeds. --file reads a YAML map from a file ("-" for stdin); pairs given as arguments
override the file's. An empty value removes the key. Keys are limited to 256 bytes and values
to 64 KiB.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { flags.StringVar(&file_, {"file"}, "file containing key-value pairs"); }
  absl::Status Init(const std::vector<std::string>& args) override { return ParseKeyValues(args, &overrides_); }

  absl::Status Run(RunContext& ctx) override {
    std::map<std::string, std::string> settings;
    if (absl::Status s = ReadSettings(ctx, file_, overrides_, &settings); !s.ok()) return s;
    // One call, so that a refused value (the caps on a key, a value and the unit's whole state
    // are the hook context's to check) leaves the hook's state as it was; empty values delete.
    if (settings.empty()) return absl::OkStatus();
    return ctx_.StateSet(settings);
  }

 private:
  HookContext& ctx_;
  std::string file_;
  std::map<std::string, std::string> overrides_;
};

// state-delete <key>
class StateDeleteCommand : public Command {
 public:
  explicit StateDeleteCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "state-delete";
    info.args = "<key>";
    info.purpose = "Delete server-side-state key value pair.";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("no key specified");
    key_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override { return ctx_.StateDelete(key_); }

 private:
  HookContext& ctx_;
  std::string key_;
};

}  // namespace

std::vector<ToolEntry> LeaderStateTools() {
  return {
      {"leader-get", &MakeTool<LeaderGetCommand>},
      {"leader-set", &MakeTool<LeaderSetCommand>},
      {"state-delete", &MakeTool<StateDeleteCommand>},
      {"state-get", &MakeTool<StateGetCommand>},
      {"state-set", &MakeTool<StateSetCommand>},
  };
}

}  // namespace skein::agent::tools
