// Tools skein does not implement yet: reboot. They
// exist so that a charm calling them gets a clear Juju-style error (exit 1) rather than
// `command not found`; they never pretend to succeed. ops turns the failure into a ModelError.

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

struct Unsupported {
  const char* name;
  const char* message;
  // The tool's Juju flags (space separated), so that a well-formed call reaches Run and gets
  // the clear error while a misspelt flag is still a usage error.
  const char* string_flags;
  const char* bool_flags;
};

class UnsupportedCommand : public Command {
 public:
  explicit UnsupportedCommand(const Unsupported& spec) : spec_(spec) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = spec_.name;
    info.purpose = absl::StrCat("Not available: ", spec_.message, ".");
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    std::vector<std::string> strings = absl::StrSplit(spec_.string_flags, ' ', absl::SkipEmpty());
    std::vector<std::string> bools = absl::StrSplit(spec_.bool_flags, ' ', absl::SkipEmpty());
    strings_.resize(strings.size());
    bools_ = std::make_unique<bool[]>(bools.size());
    for (size_t i = 0; i < strings.size(); ++i) flags.StringVar(&strings_[i], {strings[i]}, "");
    for (size_t i = 0; i < bools.size(); ++i) flags.BoolVar(&bools_[i], {bools[i]}, "");
  }
  // Any positionals: the tool fails the same way whatever it was asked.
  absl::Status Init(const std::vector<std::string>& args) override { return absl::OkStatus(); }
  absl::Status Run(RunContext& ctx) override { return absl::UnimplementedError(spec_.message); }

 private:
  const Unsupported& spec_;
  std::vector<std::string> strings_;
  std::unique_ptr<bool[]> bools_;
};

constexpr char kReboot[] = "juju-reboot is not supported by skein yet";

constexpr Unsupported kUnsupported[] = {
    {"juju-reboot", kReboot, "", "now"},
};
constexpr size_t kCount = sizeof(kUnsupported) / sizeof(kUnsupported[0]);

template <size_t I>
std::unique_ptr<Command> Make(HookContext&) {
  return std::make_unique<UnsupportedCommand>(kUnsupported[I]);
}

template <size_t... I>
std::vector<ToolEntry> Entries(std::index_sequence<I...>) {
  return {ToolEntry{kUnsupported[I].name, &Make<I>}...};
}

}  // namespace

std::vector<ToolEntry> UnsupportedTools() { return Entries(std::make_index_sequence<kCount>()); }

}  // namespace skein::agent::tools
