// relation-get, relation-list, relation-ids: the read side of relations (juju-semantics §3.3,
// §3.4). relation-set lives in relation_set_tool.cc.

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"
#include "lib/base/names.h"

namespace skein::agent::tools {
namespace {

bool IsUnitName(const std::string& s) { return ParseUnitName(s).ok(); }

// relation-get [-r id] [--app] [<key>|- [<unit-or-app>]]
class RelationGetCommand : public Command {
 public:
  explicit RelationGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "relation-get";
    info.args = "<key> <unit id>";
    info.purpose = "Get relation settings.";
    info.doc = R"(
Prints one relation setting (by key) or, when the key is omitted or "-", every setting of a
unit or application bag in a relation. The relation defaults to the hook's own (-r selects
another); the unit defaults to the hook's remote unit. With --app the application bag is read.
Values are always plain strings.
)";
    if (!ctx_.RemoteUnit().empty()) {
      info.args = "[<key> [<unit id>]]";
      info.doc += absl::StrCat("Current default unit id is \"", ctx_.RemoteUnit(), "\".");
    }
    info.examples = R"(
    relation-get
    relation-get username
    relation-get -r database:7 - mongodb/5
    relation-get -r database:7 --app - mongodb
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    relation_ = RelationIdValue::AddFlag(flags, ctx_);
    flags.BoolVar(&application_, {"app"}, "Get the relation data for the overall application, not just a unit");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (relation_->id() == -1) return absl::InvalidArgumentError("no relation id specified");
    std::vector<std::string> rest = args;
    if (!rest.empty()) {
      key_ = rest[0] == "-" ? "" : rest[0];
      rest.erase(rest.begin());
    }
    if (absl::Status s = ResolveTarget(rest); !s.ok()) return s;
    return CheckEmpty(rest);
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::map<std::string, std::string>> settings =
        ctx_.ReadSettings(relation_->id(), target_, application_);
    if (!settings.ok()) return settings.status();
    if (key_.empty()) {
      nlohmann::json all = nlohmann::json::object();
      for (const auto& [k, v] : *settings) all[k] = v;
      return out_.Write(ctx, all);
    }
    auto it = settings->find(key_);
    if (it == settings->end()) return out_.Write(ctx, nullptr);
    return out_.Write(ctx, it->second);
  }

 private:
  // Juju's rules (juju-semantics §3.4): an explicit unit or application wins; then the hook's
  // remote unit; then the hook's remote application, which implies --app.
  absl::Status ResolveTarget(std::vector<std::string>& args) {
    if (!args.empty()) {
      std::string given = args[0];
      args.erase(args.begin());
      if (application_) {
        if (IsValidApplicationName(given)) {
          target_ = given;
        } else if (absl::StatusOr<UnitName> unit = ParseUnitName(given); unit.ok()) {
          target_ = unit->application;
        } else {
          return absl::InvalidArgumentError(absl::StrCat("invalid application name ", GoQuote(given)));
        }
        return absl::OkStatus();
      }
      if (!IsUnitName(given)) {
        if (IsValidApplicationName(given)) {
          return absl::InvalidArgumentError(absl::StrCat("expected unit name, got application name ", GoQuote(given)));
        }
        return absl::InvalidArgumentError(absl::StrCat("invalid unit name ", GoQuote(given)));
      }
      target_ = given;
      return absl::OkStatus();
    }
    if (application_) {
      if (ctx_.RemoteApplication().empty()) return absl::InvalidArgumentError("no unit or application specified");
      target_ = ctx_.RemoteApplication();
      return absl::OkStatus();
    }
    if (!ctx_.RemoteUnit().empty()) {
      target_ = ctx_.RemoteUnit();
      return absl::OkStatus();
    }
    if (!ctx_.RemoteApplication().empty()) {
      target_ = ctx_.RemoteApplication();
      application_ = true;
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError("no unit or application specified");
  }

  HookContext& ctx_;
  Output out_;
  std::shared_ptr<RelationIdValue> relation_;
  bool application_ = false;
  std::string key_;
  std::string target_;
};

// relation-list [-r id] [--app]
class RelationListCommand : public Command {
 public:
  explicit RelationListCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "relation-list";
    info.purpose = "List relation units.";
    if (!ctx_.HookRelationId()) info.doc = "-r must be specified when not in a relation hook";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    relation_ = RelationIdValue::AddFlag(flags, ctx_);
    flags.BoolVar(&remote_app_, {"app"}, "List remote application instead of participating units");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (relation_->id() == -1) return absl::InvalidArgumentError("no relation id specified");
    return CheckEmpty(args);
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<HookRelation> r = ctx_.Relation(relation_->id());
    if (!r.ok()) return r.status();
    if (remote_app_) return out_.Write(ctx, r->remote_application);
    absl::StatusOr<std::vector<std::string>> members = ctx_.RelationMembers(relation_->id());
    if (!members.ok()) return members.status();
    // Always a list, never null: ops parses `[]` for an empty relation.
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& m : *members) list.push_back(m);
    return out_.Write(ctx, list);
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::shared_ptr<RelationIdValue> relation_;
  bool remote_app_ = false;
};

// relation-ids [<endpoint>]
class RelationIdsCommand : public Command {
 public:
  explicit RelationIdsCommand(HookContext& ctx) : ctx_(ctx) {
    if (std::optional<int64_t> id = ctx.HookRelationId()) {
      if (absl::StatusOr<HookRelation> r = ctx.Relation(*id); r.ok()) endpoint_ = r->endpoint;
    }
  }

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "relation-ids";
    info.args = endpoint_.empty() ? "<name>" : "[<name>]";
    info.purpose = "List all relation IDs for the given endpoint.";
    if (!endpoint_.empty()) info.doc = absl::StrCat("Current default endpoint name is \"", endpoint_, "\".\n");
    info.doc += R"(
Prints the ids (`<endpoint>:<id>`) of the unit's relations on one endpoint, which defaults to
the hook's own endpoint in a relation hook. A relation being broken is not listed.
)";
    info.examples = "\n    relation-ids database\n";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }

  absl::Status Init(const std::vector<std::string>& args) override {
    std::vector<std::string> rest = args;
    if (!rest.empty()) {
      endpoint_ = rest[0];
      rest.erase(rest.begin());
    } else if (endpoint_.empty()) {
      return absl::InvalidArgumentError("no endpoint name specified");
    }
    return CheckEmpty(rest);
  }

  absl::Status Run(RunContext& ctx) override {
    std::vector<std::string> ids;
    for (const HookRelation& r : ctx_.Relations()) {
      if (r.endpoint == endpoint_) ids.push_back(FakeId(r));
    }
    // Go's sort.Strings: plain byte order, so `db:10` sorts before `db:2`, as in Juju.
    std::sort(ids.begin(), ids.end());
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& id : ids) list.push_back(id);
    return out_.Write(ctx, list);
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::string endpoint_;
};

}  // namespace

std::vector<ToolEntry> RelationTools() {
  return {
      {"relation-get", &MakeTool<RelationGetCommand>},
      {"relation-ids", &MakeTool<RelationIdsCommand>},
      {"relation-list", &MakeTool<RelationListCommand>},
  };
}

}  // namespace skein::agent::tools
