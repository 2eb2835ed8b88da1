#pragma once

// The table behind RunTool and ToolNames. Each family of tools (one .cc file) lists its
// entries; tool.cc joins the families. A new tool is one Command subclass plus one entry here and
// in tool_names.cmake (a test checks that the two lists agree).

#include <memory>
#include <vector>

#include "agents/unit/hook/hook_context.h"
#include "agents/unit/hook/tools/command.h"

namespace skein::agent::tools {

using CommandFactory = std::unique_ptr<Command> (*)(HookContext&);

struct ToolEntry {
  const char* name;
  CommandFactory make;
};

// The factory of a tool whose Command is made from the hook context alone.
template <typename T>
std::unique_ptr<Command> MakeTool(HookContext& ctx) {
  return std::make_unique<T>(ctx);
}

std::vector<ToolEntry> ActionTools();    // action-get, action-set, action-log, action-fail (action_tools.cc)
std::vector<ToolEntry> RelationTools();  // relation-get, relation-list, relation-ids (relation_tools.cc)
std::vector<ToolEntry> RelationSetTools();  // relation-set (relation_set_tool.cc)
std::vector<ToolEntry> StatusTools();    // status-get, status-set, application-version-set
std::vector<ToolEntry> UnitTools();      // config-get, is-leader, juju-log
std::vector<ToolEntry> PortTools();      // open-port, close-port, opened-ports (port_tools.cc)
std::vector<ToolEntry> NetworkTools();   // network-get, unit-get (network_tools.cc)
std::vector<ToolEntry> LeaderStateTools();  // leader-get/set, state-get/set/delete (leader_state_tools.cc)
std::vector<ToolEntry> ModelTools();     // credential-get, goal-state, relation-model-get (model_tools.cc)
std::vector<ToolEntry> SecretTools();     // secret-* (secret_tools.cc)
std::vector<ToolEntry> StorageTools();    // storage-list, storage-get, storage-add (storage_tools.cc)
std::vector<ToolEntry> ResourceTools();   // resource-get (resource_tools.cc)
std::vector<ToolEntry> UnsupportedTools();  // juju-reboot

// Every entry, sorted by name.
const std::vector<ToolEntry>& AllTools();

}  // namespace skein::agent::tools
