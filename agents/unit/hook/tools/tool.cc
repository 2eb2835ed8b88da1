// RunTool and ToolNames (agents/unit/hook/tool.h) over the registry of tool families.

#include "agents/unit/hook/tool.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/tools/tool_registry.h"

namespace skein::agent {
namespace tools {

const std::vector<ToolEntry>& AllTools() {
  static const std::vector<ToolEntry>* const kAll = [] {
    auto* all = new std::vector<ToolEntry>();
    for (auto family : {ActionTools, RelationTools, RelationSetTools, StatusTools, UnitTools, PortTools, NetworkTools,
                        LeaderStateTools, ModelTools, SecretTools, StorageTools, ResourceTools, UnsupportedTools}) {
      for (const ToolEntry& e : family()) all->push_back(e);
    }
    std::sort(all->begin(), all->end(), [](const ToolEntry& a, const ToolEntry& b) { return strcmp(a.name, b.name) < 0; });
    return all;
  }();
  return *kAll;
}

}  // namespace tools

ToolResult RunTool(HookContext& ctx, const std::string& command, const ToolInput& input) {
  for (const tools::ToolEntry& e : tools::AllTools()) {
    if (command != e.name) continue;
    // A tool must never take the unit agent down with it: anything thrown (a formatter meeting
    // data it cannot render, a bad_alloc) becomes a failed tool run.
    try {
      std::unique_ptr<tools::Command> cmd = e.make(ctx);
      return tools::RunCommand(*cmd, input);
    } catch (const std::exception& ex) {
      ToolResult r;
      r.code = 1;
      r.err = absl::StrCat("ERROR internal error running ", command, ": ", ex.what(), "\n");
      return r;
    }
  }
  ToolResult r;
  r.code = 1;
  r.err = absl::StrCat("ERROR unknown command \"", command, "\"\n");
  return r;
}

const std::vector<std::string>& ToolNames() {
  static const std::vector<std::string>* const kNames = [] {
    auto* names = new std::vector<std::string>();
    for (const tools::ToolEntry& e : tools::AllTools()) names->push_back(e.name);
    return names;
  }();
  return *kNames;
}

}  // namespace skein::agent
