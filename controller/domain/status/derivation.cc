#include "controller/domain/status/derivation.h"

#include <set>

namespace skein::controller::domain::status {

int Severity(const std::string& status) {
  if (status == "error") return 100;
  if (status == "blocked") return 90;
  if (status == "maintenance") return 80;
  if (status == "waiting") return 70;
  if (status == "active") return 60;
  if (status == "terminated") return 50;
  return 40;
}

StatusValue DisplayedWorkload(const UnitRow& unit) {
  if (unit.agent.status == "error") {
    return StatusValue{"error", unit.agent.message, unit.agent.data_json, unit.agent.since};
  }
  return unit.workload;
}

StatusValue ApplicationStatus(const AppRow& app, const std::vector<UnitRow>& units) {
  if (!app.status.status.empty()) return app.status;
  if (units.empty()) return StatusValue{"unknown", "", "", app.status.since};
  StatusValue best;
  int best_severity = -1;
  for (const UnitRow& u : units) {
    StatusValue shown = DisplayedWorkload(u);
    int severity = Severity(shown.status);
    if (severity > best_severity) {
      best = shown;
      best_severity = severity;
    }
  }
  return best;
}

bool MarkAgentLost(UnitRow& unit, const std::string& since) {
  if (unit.agent.status == "allocating") return false;
  unit.agent = StatusValue{"lost", "agent is not communicating with the server", "", since};
  unit.workload = StatusValue{"unknown", "agent lost, see 'skein debug-log --include " + unit.name + "'", "", since};
  return true;
}

std::string MachineAgentStatus(bool connected, bool lost, bool ever_connected) {
  if (connected) return "started";
  if (lost && ever_connected) return "down";
  return "pending";
}

bool IsWorkloadStatus(const std::string& status) {
  static const std::set<std::string> kValues = {"active",  "blocked", "maintenance", "waiting",
                                                "unknown", "error",   "terminated"};
  return kValues.count(status) > 0;
}

bool IsAgentStatus(const std::string& status) {
  static const std::set<std::string> kValues = {"allocating", "executing", "idle",     "error",
                                                "failed",     "lost",      "rebooting"};
  return kValues.count(status) > 0;
}

}  // namespace skein::controller::domain::status
