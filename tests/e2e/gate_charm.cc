#include "tests/e2e/gate_charm.h"

#include "tests/e2e/harness.h"
#include "tests/e2e/packed_charms.h"

namespace skein::e2e {
namespace {

constexpr char kGateDispatch[] =
    "#!/bin/sh\n"
    "hook=\"${JUJU_DISPATCH_PATH#hooks/}\"\n"
    "log=\"$(config-get log-path)\"\n"
    "[ -n \"$log\" ] && echo \"$hook\" >> \"$log\"\n"
    "if [ \"$hook\" = upgrade-charm ] && [ \"$(config-get upgrade-gate)\" = closed ]; then\n"
    "  echo \"upgrade-gate is closed\" >&2\n"
    "  exit 1\n"
    "fi\n"
    "if [ \"$hook\" = config-changed ] && [ \"$(config-get config-gate)\" = closed ]; then\n"
    "  echo \"config-gate is closed\" >&2\n"
    "  exit 1\n"
    "fi\n"
    "status-set active \"version $(cat \"$JUJU_CHARM_DIR/VERSION\")\"\n";

std::string Options(const std::string& log) { return log.empty() ? "" : ", options: {log-path: " + log + "}"; }

}  // namespace

void WriteGateCharm(const std::string& dir, const std::string& version) {
  WriteTestFile(dir + "/metadata.yaml",
                "name: gate\nsummary: upgrade failure test charm\nrequires:\n  kv:\n    interface: kv\n");
  WriteTestFile(dir + "/config.yaml",
                "options:\n  upgrade-gate: {type: string, default: open}\n  config-gate: {type: string, default: open}\n"
                "  log-path: {type: string, default: \"\"}\n");
  WriteTestFile(dir + "/dispatch", kGateDispatch, 0755);
  WriteTestFile(dir + "/VERSION", version + "\n");
}

std::string GateBundle(bool related, const std::string& gate_log, const std::string& server_log) {
  std::string yaml = "applications:\n  gate: {charm: ./gate, num_units: 1" + Options(gate_log) +
                     "}\n  server: {charm: " + TestCharm("kv-provider") + ", num_units: 1" + Options(server_log) +
                     "}\n";
  if (related) yaml += "relations:\n- [gate, server]\n";
  return yaml;
}

}  // namespace skein::e2e
