// resource-get (juju-semantics §3.3; ops-compat-notes §2.2): the path of the application's
// resource, downloaded for the unit. Plain text, no trailing newline, as Juju prints it; ops's
// `model.resources.fetch` reads it as the path and turns a failure into a ModelError.

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

// resource-get <resource name>
class ResourceGetCommand : public Command {
 public:
  explicit ResourceGetCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "resource-get";
    info.args = "<resource name>";
    info.purpose = "Get the path to the locally cached resource file.";
    info.doc = R"(
Downloads the latest revision of the named resource that the operator uploaded for this
application (deploy --resource, attach-resource) into the unit's resources directory and prints
the file's path. It fails when the charm declares no such resource or nothing was uploaded.
)";
    info.examples = R"(
    PAYLOAD=$(resource-get payload)
)";
    return info;
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return absl::InvalidArgumentError("missing resource name");
    name_ = args[0];
    return CheckEmpty(std::vector<std::string>(args.begin() + 1, args.end()));
  }

  absl::Status Run(RunContext& ctx) override {
    auto path = ctx_.ResourceGet(name_);
    if (!path.ok()) return path.status();
    ctx.out() = *path;
    return absl::OkStatus();
  }

 private:
  HookContext& ctx_;
  std::string name_;
};

}  // namespace

std::vector<ToolEntry> ResourceTools() { return {{"resource-get", &MakeTool<ResourceGetCommand>}}; }

}  // namespace skein::agent::tools
