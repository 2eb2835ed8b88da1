#pragma once

// How Juju shows statuses (juju-semantics §6): a unit whose agent is in error shows its
// workload as `error` with the agent's message, and an application shows what its leader set
// or else the most severe status of its units.

#include <string>
#include <vector>

#include "controller/domain/core/rows.h"

namespace skein::controller::domain::status {

// error 100 > blocked 90 > maintenance 80 > waiting 70 > active 60 > terminated 50 > unknown 40;
// anything else ranks as unknown.
int Severity(const std::string& status);

// The workload status as shown: the agent's error (message, data, since) while the agent is
// in error, else the workload status.
StatusValue DisplayedWorkload(const UnitRow& unit);

// The status the leader set (`status-set --application`), else the most severe displayed
// workload status of `units` (the first such unit in the given order wins ties; its message is
// used), else `unknown` when there are no units.
StatusValue ApplicationStatus(const AppRow& app, const std::vector<UnitRow>& units);

// What Juju shows of a unit whose agent is not communicating with the controller: agent `lost`,
// workload `unknown` with a pointer to the unit's log, both since `since` (when its last stream
// ended). A unit whose agent never started (`allocating`) is left as it is: it waits for its
// machine, whose own status says why. Returns whether the unit was marked.
bool MarkAgentLost(UnitRow& unit, const std::string& since);

// A machine agent's status: `started` while connected, `down` once lost after having been
// connected at least once, else `pending` (not yet started, or reconnecting within the grace).
std::string MachineAgentStatus(bool connected, bool lost, bool ever_connected);

bool IsWorkloadStatus(const std::string& status);  // values a unit's workload may be set to
bool IsAgentStatus(const std::string& status);     // values a unit agent may report

}  // namespace skein::controller::domain::status
