// goal-state and relation-model-get (juju-semantics §3.3).

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// goal-state (yaml|json only, as in Juju)
class GoalStateCommand : public Command {
 public:
  explicit GoalStateCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "goal-state";
    info.purpose = "Print the status of the charm's peers and related units.";
    info.doc = R"(
Prints the units of the application and of each related application the model is heading
for, with their status (`waiting`, `active`, `dying`...), so a charm can tell how many units
to expect before they appear.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags, "yaml", {"json", "yaml"}); }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<nlohmann::json> goal = ctx_.GoalState();
    if (!goal.ok()) return goal.status();
    return out_.Write(ctx, *goal);
  }

 private:
  HookContext& ctx_;
  Output out_;
};

// relation-model-get [-r id]
class RelationModelGetCommand : public Command {
 public:
  explicit RelationModelGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "relation-model-get";
    info.purpose = "Get details about the model hosting a related application.";
    info.doc = R"(
Prints the UUID of the model of the application on the other side of the relation (the hook's
own unless -r names another).
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    relation_ = RelationIdValue::AddFlag(flags, ctx_, "specify a relation by id");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (relation_->id() == -1) return absl::InvalidArgumentError("no relation id specified");
    return CheckEmpty(args);
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<HookRelation> r = ctx_.Relation(relation_->id());
    if (!r.ok()) return r.status();
    return out_.Write(ctx, nlohmann::json{{"uuid", ctx_.ModelUuid()}});
  }

 private:
  HookContext& ctx_;
  Output out_;
  std::shared_ptr<RelationIdValue> relation_;
};

// credential-get [--format smart|json|yaml]
class CredentialGetCommand : public Command {
 public:
  explicit CredentialGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "credential-get";
    info.purpose = "Access cloud credentials.";
    info.doc = R"(
Prints the cloud specification of the unit's model: its type, name, region and endpoint, and
the credential. Only a trusted application may read it (`skein trust <app>`).
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override { out_.AddFlags(flags); }
  absl::Status Init(const std::vector<std::string>& args) override { return CheckEmpty(args); }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<nlohmann::json> spec = ctx_.CloudSpec();
    if (!spec.ok()) return spec.status();
    return out_.Write(ctx, *spec);
  }

 private:
  HookContext& ctx_;
  Output out_;
};

}  // namespace

std::vector<ToolEntry> ModelTools() {
  return {
      {"credential-get", &MakeTool<CredentialGetCommand>},
      {"goal-state", &MakeTool<GoalStateCommand>},
      {"relation-model-get", &MakeTool<RelationModelGetCommand>},
  };
}

}  // namespace skein::agent::tools
