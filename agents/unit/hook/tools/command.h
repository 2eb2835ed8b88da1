#pragma once

// The shape every hook tool shares, after juju/cmd's Command and Main: a tool declares its flags,
// checks its positionals in Init (an error there is a usage error, exit 2) and does its work in
// Run (an error there is a runtime error, exit 1). Errors print as `ERROR <message>\n` on
// stderr; `-h`/`--help` prints the help text on stdout and exits 0.
//
// Tools never read stdin directly: they ask RunContext::Stdin(), and when the client has not
// sent it yet they return NeedsStdin() so the client resends the request with stdin (Juju's
// lazy stdin).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agents/unit/hook/hook_context.h"
#include "agents/unit/hook/tool.h"
#include "agents/unit/hook/tools/gnuflag_parser.h"

namespace skein::agent::tools {

// Usage documentation, rendered like juju/cmd's Info.Help.
struct CommandInfo {
  std::string name;
  std::string args;     // positionals synopsis, e.g. `<key> <unit id>`
  std::string purpose;  // one line
  std::string doc;      // details, may be empty
  std::string examples;
};

// What a running tool may touch besides its HookContext: its output buffers, its cwd and stdin.
class RunContext {
 public:
  explicit RunContext(const ToolInput& input) : input_(input) {}

  std::string& out() { return out_; }
  std::string& err() { return err_; }
  // `path` made absolute against the tool's cwd.
  std::string AbsPath(const std::string& path) const;
  // All of stdin, or nullopt while the client has not sent it (then return NeedsStdin()).
  const std::optional<std::string>& Stdin() const { return input_.stdin_data; }

 private:
  const ToolInput& input_;
  std::string out_;
  std::string err_;
};

class Command {
 public:
  virtual ~Command() = default;
  virtual CommandInfo Info() const = 0;
  virtual void SetFlags(FlagSet& flags) {}
  // Validates positionals; the default accepts none. Errors exit 2.
  virtual absl::Status Init(const std::vector<std::string>& args);
  // Errors exit 1.
  virtual absl::Status Run(RunContext& ctx) = 0;
};

// Parses `input.args` for `command`, then Init and Run, as juju/cmd's Main does.
ToolResult RunCommand(Command& command, const ToolInput& input);

// The status a tool returns when it needs stdin the client has not sent yet.
absl::Status NeedsStdin();
bool IsNeedsStdin(const absl::Status& status);

// `unrecognized args: ["a" "b"]` when `args` is not empty.
absl::Status CheckEmpty(const std::vector<std::string>& args);

// The text of an error from the HookContext, as the tool prints it.
std::string Message(const absl::Status& status);

// Reads a whole file, up to limits::kYamlInput; errors read like Go's (`open /x: no such file
// or directory`), or limits::SizeError's.
absl::Status ReadWholeFile(const std::string& path, std::string* out);

}  // namespace skein::agent::tools
