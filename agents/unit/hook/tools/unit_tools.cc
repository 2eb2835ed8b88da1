// config-get, is-leader, juju-log (juju-semantics §3.3, §5).

#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"
#include "lib/base/limits.h"

namespace skein::agent::tools {
namespace {

// config-get [<key>] [-a|--all]
class ConfigGetCommand : public Command {
 public:
  explicit ConfigGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "config-get";
    info.args = "[<key>]";
    info.purpose = "Print application configuration.";
    info.doc = R"(
Without arguments, prints every option that is set or has a non-null default, with its typed
value. --all also prints options without a value (as null). With a key, prints that option's
value; an unknown key prints null rather than failing. <key> and --all are mutually exclusive.
)";
    info.examples = R"(
    INTERVAL=$(config-get interval)

    config-get --all
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    flags.BoolVar(&all_, {"a", "all"}, "print all keys");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::OkStatus();
    key_ = args[0];
    if (!key_.empty() && all_) {
      return absl::InvalidArgumentError(absl::StrCat("cannot use argument --all together with key ", GoQuote(key_)));
    }
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    nlohmann::json config = ctx_.Config();
    if (!config.is_object()) config = nlohmann::json::object();
    if (!key_.empty()) {
      auto it = config.find(key_);
      return out_.Write(ctx, it == config.end() ? nlohmann::json() : *it);
    }
    if (!all_) {
      // Options without a value are only shown with --all.
      for (auto it = config.begin(); it != config.end();) {
        it = it->is_null() ? config.erase(it) : std::next(it);
      }
    }
    return out_.Write(ctx, config);
  }

 private:
  HookContext& ctx_;
  Output out_;
  bool all_ = false;
  std::string key_;
};

// is-leader
class IsLeaderCommand : public Command {
 public:
  explicit IsLeaderCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "is-leader";
    info.purpose = "Print application leadership status.";
    info.doc = R"(
Prints whether this unit is the application's leader, guaranteed for at least 30 seconds
from the call. If the command fails, assume there is no such guarantee.
)";
    info.examples = R"(
    LEADER=$(is-leader)
    if [ "${LEADER}" == "True" ]; then
      # Do something a leader would do
    fi
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<bool> leader = ctx_.IsLeader();
    if (!leader.ok()) {
      constexpr char kPrefix[] = "leadership status unknown";
      std::string why = Message(leader.status());
      if (why.rfind(kPrefix, 0) == 0) return leader.status();
      return absl::Status(leader.status().code(), absl::StrCat(kPrefix, ": ", why));
    }
    return out_.Write(ctx, *leader);
  }

 private:
  HookContext& ctx_;
  Output out_;
};

// Juju's loggo.ParseLevel: case-insensitive; WARN means WARNING. Empty when invalid.
std::string ParseLevel(const std::string& text) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "WARN") return "WARNING";
  for (const char* level : {"TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}) {
    if (upper == level) return upper;
  }
  return "";
}

// juju-log [--debug] [-l|--log-level LEVEL] <message...>
class JujuLogCommand : public Command {
 public:
  explicit JujuLogCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "juju-log";
    info.args = "<message>";
    info.purpose = "Write a message to the juju log.";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    flags.BoolVar(&debug_, {"debug"}, "log at debug level");
    flags.StringVar(&level_, {"l", "log-level"}, "Send log message at the given level");
    flags.StringVar(&format_, {"format"}, "deprecated format flag");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("no message specified");
    message_ = absl::StrJoin(args, " ");
    return absl::OkStatus();
  }

  // Fails only for a message over its cap: ops runs juju-log at the start of every dispatch, so
  // any other failure would fail every hook.
  absl::Status Run(RunContext& ctx) override {
    if (!format_.empty()) ctx.err() += "--format flag deprecated for command \"juju-log\"";
    if (absl::Status s = limits::CheckSize(limits::kLogLine, "the log message", message_.size()); !s.ok()) return s;
    std::string level = "INFO";
    if (debug_) {
      level = "DEBUG";
    } else if (!level_.empty()) {
      level = ParseLevel(level_);
      if (level.empty()) {
        ctx_.Log("WARNING", absl::StrCat("Specified log level of ", GoQuote(level_), " is not valid"));
        level = "INFO";
      }
    }
    std::string prefix;
    if (std::optional<int64_t> id = ctx_.HookRelationId()) {
      if (absl::StatusOr<HookRelation> r = ctx_.Relation(*id); r.ok()) prefix = FakeId(*r) + ": ";
    }
    ctx_.Log(level, prefix + message_);
    return absl::OkStatus();
  }

 private:
  HookContext& ctx_;
  bool debug_ = false;
  std::string level_ = "INFO";
  std::string format_;
  std::string message_;
};

}  // namespace

std::vector<ToolEntry> UnitTools() {
  return {
      {"config-get", &MakeTool<ConfigGetCommand>},
      {"is-leader", &MakeTool<IsLeaderCommand>},
      {"juju-log", &MakeTool<JujuLogCommand>},
  };
}

}  // namespace skein::agent::tools
