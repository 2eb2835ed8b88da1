#pragma once

// The hook tools as functions: the tool server in the unit agent decodes a ToolRequest
// (proto/skein/v1/hooktool.proto) into a ToolInput, calls RunTool, and encodes the ToolResult.
// Tools never touch the network or the socket themselves; they parse argv Juju's way
// (gnuflag), call the HookContext and format output (`--format`, `-o`), with Juju's exit codes
// (0 ok, 1 runtime error, 2 usage error) and `ERROR <message>` lines on stderr.

#include <optional>
#include <string>
#include <vector>

#include "agents/unit/hook/hook_context.h"

namespace skein::agent {

struct ToolInput {
  std::vector<std::string> args;    // argv[1:]
  std::string dir;                  // the tool's cwd, for relative file paths
  std::optional<std::string> stdin_data;  // nullopt until the tool asked for it (lazy stdin)
};

struct ToolResult {
  int code = 0;
  std::string out;
  std::string err;
  bool needs_stdin = false;         // ask the client to resend with stdin
};

// Runs `command` (`relation-get`, ...). An unknown command gives code 1 and
// `ERROR unknown command "x"`.
ToolResult RunTool(HookContext& ctx, const std::string& command, const ToolInput& input);

// Names of every tool RunTool knows, for creating the per-unit tools dir of symlinks.
const std::vector<std::string>& ToolNames();

}  // namespace skein::agent
