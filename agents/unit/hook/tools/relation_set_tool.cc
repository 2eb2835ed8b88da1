// relation-set [-r id] [--app] [--file path|-] key=value...  (juju-semantics §3.3)
//
// The --file content is a YAML map of strings (ops ≥3.4 sends a JSON object, which is YAML
// too; ops ≤3.3 sends `yaml.safe_dump` output; controller storage sends `|` blocks). Settings
// given as arguments override the file's. An empty value deletes the key.

#include <map>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/key_values.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

class RelationSetCommand : public Command {
 public:
  explicit RelationSetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "relation-set";
    info.args = "key=value [key=value ...]";
    info.purpose = "Set relation settings.";
    info.doc = R"(
Writes settings of the local unit (or, with --app and only on the leader, of the local
application) in a relation, which defaults to the hook's own. Values are stored as strings; an
empty value removes the key; a key may be given only once.

--file reads a YAML map of settings from a file ("-" for stdin); settings given as arguments
override the file's. The settings become visible to other units when the hook succeeds.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    relation_ = RelationIdValue::AddFlag(flags, ctx_, "specify a relation by id");
    flags.StringVar(&file_, {"file"}, "file containing key-value pairs");
    flags.BoolVar(&application_, {"app"}, "pick whether you are setting \"application\" settings or \"unit\" settings");
    flags.StringVar(&format_, {"format"}, "deprecated format flag");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (relation_->id() == -1) return absl::InvalidArgumentError("no relation id specified");
    return ParseKeyValues(args, &overrides_);
  }

  absl::Status Run(RunContext& ctx) override {
    // Juju prints this warning without a newline.
    if (!format_.empty()) ctx.err() += "--format flag deprecated for command \"relation-set\"";
    std::map<std::string, std::string> settings;
    if (absl::Status s = ReadSettings(ctx, file_, overrides_, &settings); !s.ok()) return s;

    absl::StatusOr<HookRelation> r = ctx_.Relation(relation_->id());
    if (!r.ok()) return r.status();
    if (application_) {
      absl::StatusOr<bool> leader = ctx_.IsLeader();
      if (!leader.ok()) return absl::UnavailableError(absl::StrCat("cannot determine leadership status: ", Message(leader.status())));
      if (!*leader) return absl::PermissionDeniedError("cannot write relation settings");
    }
    return ctx_.WriteSettings(relation_->id(), application_, settings);
  }

 private:
  HookContext& ctx_;
  std::shared_ptr<RelationIdValue> relation_;
  std::string file_;
  std::string format_;
  bool application_ = false;
  std::map<std::string, std::string> overrides_;
};

std::unique_ptr<Command> MakeRelationSet(HookContext& ctx) { return std::make_unique<RelationSetCommand>(ctx); }

}  // namespace

std::vector<ToolEntry> RelationSetTools() { return {{"relation-set", &MakeRelationSet}}; }

}  // namespace skein::agent::tools
