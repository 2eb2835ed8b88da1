# Every hook tool name RunTool knows (agents/unit/hook/tool.h ToolNames()), for the build-time
# bin/hook-tools/<name> symlinks. Keep in sync with the ToolEntry tables; the test
# ToolNamesTest.SymlinksMatchToolNames fails when the two lists differ.
set(SKEIN_HOOK_TOOL_NAMES
  application-version-set
  config-get
  is-leader
  juju-log
  relation-get
  relation-ids
  relation-list
  relation-set
  status-get
  status-set
)
