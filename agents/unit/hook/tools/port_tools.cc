// open-port, close-port, opened-ports (juju-semantics §3.3). Opening and closing are
// transactional: the context buffers them and applies them with the hook's commit. opened-ports
// lists the committed ports with the hook's own pending changes applied, as Juju 3.6 does.

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agents/unit/hook/tools/output.h"
#include "agents/unit/hook/tools/port_range.h"
#include "agents/unit/hook/tools/relation_flag.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent::tools {
namespace {

constexpr char kPortFormat[] = "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp";

// open-port / close-port <port>[/<protocol>] | <from>-<to>[/<protocol>] | icmp [--endpoints a,b]
class PortCommand : public Command {
 public:
  PortCommand(HookContext& ctx, bool open) : ctx_(ctx), open_(open) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = open_ ? "open-port" : "close-port";
    info.args = "<port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp";
    info.purpose = open_ ? "Register a request to open a port or port range."
                         : "Register a request to close a port or port range.";
    info.doc = R"(
The protocol is tcp (the default), udp or icmp (which takes no port). --endpoints limits the
change to the named endpoints (comma separated); without it the port applies to all of them.
The change takes effect when the hook succeeds.
)";
    info.examples = open_ ? "\n    open-port 80/tcp\n    open-port 1000-2000/udp\n    open-port icmp\n"
                          : "\n    close-port 80/tcp\n    close-port icmp\n";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    flags.StringVar(&endpoints_, {"endpoints"}, "a comma-delimited list of application endpoints to target with this operation");
    flags.StringVar(&format_, {"format"}, "deprecated format flag");
  }

  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.size() != 1) return absl::InvalidArgumentError(absl::StrCat("expected ", kPortFormat));
    absl::StatusOr<PortRange> range = ParsePortRange(args[0]);
    if (!range.ok()) return range.status();
    range_ = *range;
    if (!endpoints_.empty()) {
      std::vector<std::string> parts = absl::StrSplit(endpoints_, ',');
      for (std::string name : parts) {
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (!name.empty()) range_.endpoints.push_back(name);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Run(RunContext& ctx) override {
    if (!format_.empty()) ctx.err() += absl::StrCat("--format flag deprecated for command \"", Info().name, "\"");
    return open_ ? ctx_.OpenPort(range_) : ctx_.ClosePort(range_);
  }

 private:
  HookContext& ctx_;
  bool open_;
  std::string endpoints_;
  std::string format_;
  PortRange range_;
};

// opened-ports [--endpoints]
class OpenedPortsCommand : public Command {
 public:
  explicit OpenedPortsCommand(HookContext& ctx) : ctx_(ctx) {}

  CommandInfo Info() const override {
    CommandInfo info;
    info.name = "opened-ports";
    info.purpose = "List all ports or port ranges opened by the unit.";
    info.doc = R"(
Lists the ports the unit has open, including those this hook opened or closed (they are
committed when it succeeds). With --endpoints each entry also names its endpoints, or `*`
for all of them.
)";
    return info;
  }

  void SetFlags(FlagSet& flags) override {
    out_.AddFlags(flags);
    flags.BoolVar(&endpoints_, {"endpoints"}, "display the list of target application endpoints for each port range");
  }

  absl::Status Run(RunContext& ctx) override {
    absl::StatusOr<std::vector<PortRange>> ports = ctx_.OpenedPorts();
    if (!ports.ok()) return ports.status();
    std::vector<PortRange> sorted = *ports;
    std::sort(sorted.begin(), sorted.end(), PortRangeLess);
    nlohmann::json list = nlohmann::json::array();
    for (const PortRange& p : sorted) {
      std::string text = PortRangeString(p);
      if (endpoints_) {
        text += p.endpoints.empty() ? " (*)" : absl::StrCat(" (", absl::StrJoin(p.endpoints, ", "), ")");
      }
      list.push_back(text);
    }
    return out_.Write(ctx, list);
  }

 private:
  HookContext& ctx_;
  Output out_;
  bool endpoints_ = false;
};

std::unique_ptr<Command> MakeOpenPort(HookContext& ctx) { return std::make_unique<PortCommand>(ctx, true); }
std::unique_ptr<Command> MakeClosePort(HookContext& ctx) { return std::make_unique<PortCommand>(ctx, false); }
std::unique_ptr<Command> MakeOpenedPorts(HookContext& ctx) { return std::make_unique<OpenedPortsCommand>(ctx); }

}  // namespace

std::vector<ToolEntry> PortTools() {
  return {
      {"close-port", &MakeClosePort},
      {"open-port", &MakeOpenPort},
      {"opened-ports", &MakeOpenedPorts},
  };
}

}  // namespace skein::agent::tools
