// status-set, status-get, application-version-set (juju-semantics §3.3, §6). All immediate:
// nothing here is rolled back when the hook fails.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// The only statuses a charm may set, in Juju's order (it is part of the error text).
const std::vector<std::string>& SettableStatuses() {
  static const std::vector<std::string> kStatuses = {"maintenance", "blocked", "waiting", "active"};
  return kStatuses;
}

// status-set [--application] <maintenance|blocked|waiting|active> [message]
class StatusSetCommand : public Command {
 public:
  explicit StatusSetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "status-set";
    info.args = "<maintenance | blocked | waiting | active> [message]";
    info.purpose = "Set status information.";
    info.doc = R"(
Sets the workload status of the unit, or with --application (leader only) of its application.
The message is optional. The time of the status is updated even when nothing else changed.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    flags.BoolVar(&application_, {"application"},
                  "set this status for the application to which the unit belongs if the unit is the leader");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("invalid args, require <status> [message]");
    const auto& valid = SettableStatuses();
    if (std::find(valid.begin(), valid.end(), args[0]) == valid.end()) {
      std::string list;
      for (const std::string& s : valid) absl::StrAppend(&list, list.empty() ? "" : " ", s);
      return absl::InvalidArgumentError(absl::StrCat("invalid status ", GoQuote(args[0]), ", expected one of [", list, "]"));
    }
    status_.status = args[0];
    if (args.size() > 1) {
      status_.message = args[1];
      return CheckEmpty(std::vector<std::string>(args.begin() + 2, args.end()));
    }
    return absl::OkStatus();
  }

  absl::Status Run(RunContext& ctx) override { return ctx_.SetStatus(application_, status_); }

 private:
  HookContext& ctx_;
  bool application_ = false;
  StatusValue status_;
};

// status-get [--include-data] [--application]
class StatusGetCommand : public Command {
 public:
  explicit StatusGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "status-get";
    info.args = "[--include-data] [--application]";
    info.purpose = "Print status information.";
    info.doc = R"(
Prints the unit's workload status: just the status word by default, or with --include-data
the status, its message and its data. --application (leader only) prints the application's
status together with the status of each of its units.
)";
    info.examples = R"(
    status-get
    status-get --include-data
    status-get --application
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    flags.BoolVar(&include_data_, {"include-data"}, "print all status data");
    flags.BoolVar(&application_, {"application"},
                  "print status for all units of this application if this unit is the leader");
  }

  absl::Status Run(RunContext& ctx) override {
    bool word_only = !include_data_ && out_.Name() == "smart";
    if (application_) {
      absl::StatusOr<ApplicationStatusValue> app = ctx_.ApplicationStatus();
      if (!app.ok()) {
        return absl::Status(app.status().code(), absl::StrCat("finding application status: ", Message(app.status())));
      }
      if (word_only) return out_.Write(ctx, app->application.status);
      nlohmann::json details = Details(app->application);
      nlohmann::json units = nlohmann::json::object();
      for (const auto& [name, st] : app->units) units[name] = Details(st);
      details["units"] = units;
      return out_.Write(ctx, nlohmann::json{{"application-status", details}});
    }
    absl::StatusOr<StatusValue> unit = ctx_.UnitStatus();
    if (!unit.ok()) {
      return absl::Status(unit.status().code(), absl::StrCat("finding workload status: ", Message(unit.status())));
    }
    if (word_only) return out_.Write(ctx, unit->status);
    return out_.Write(ctx, Details(*unit));
  }

 private:
  // ops ≥3.4 needs `status`, `message` and `status-data` all present with --include-data.
  nlohmann::json Details(const StatusValue& s) const {
    nlohmann::json d = nlohmann::json::object();
    d["status"] = s.status;
    if (include_data_) {
      d["message"] = s.message;
      d["status-data"] = s.data.is_object() ? s.data : nlohmann::json::object();
    }
    return d;
  }

  HookContext& ctx_;
  Output out_;
  bool include_data_ = false;
  bool application_ = false;
};

// application-version-set <new-version>
class ApplicationVersionSetCommand : public Command {
 public:
  explicit ApplicationVersionSetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "application-version-set";
    info.args = "<new-version>";
    info.purpose = "Specify which version of the application is deployed.";
    info.doc = R"(
Records the version of the workload software the unit runs (a package version, a git hash...),
shown by `status` for the application. It is not the charm's revision.
)";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("no version specified");
    version_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override { return ctx_.SetWorkloadVersion(version_); }

 private:
  HookContext& ctx_;
  std::string version_;
};

}  // namespace

std::vector<ToolEntry> StatusTools() {
  return {
      {"application-version-set", &MakeTool<ApplicationVersionSetCommand>},
      {"status-get", &MakeTool<StatusGetCommand>},
      {"status-set", &MakeTool<StatusSetCommand>},
  };
}

}  // namespace skein::agent::tools
