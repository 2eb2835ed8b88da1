#pragma once

// Pods -> units: what a pod of an application's StatefulSet says about its unit. Unit
// `<app>/<n>` is pod `<app>-<n>`; a pod that is not running puts its unit's workload status at
// `waiting` with the reason (`pod not scheduled: 0/1 nodes are available: ...`), and a deleted
// pod makes its unit dying.

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/core/db.h"
#include "lib/kube/client.h"

namespace skein::controller::provisioner {

struct PodState {
  std::string app;
  std::string unit;    // "<app>/<n>"
  std::string status;  // "running" (Running and Ready) | "not-ready" | "pending" | "unschedulable" | "failed" | ...
  std::string message; // why it is not running, "" when it is
};

// Reads a pod as the API shows it. nullopt for a pod that is not an application's (no
// app.kubernetes.io/name label, or a name that is not `<app>-<n>`).
std::optional<PodState> PodStateOf(const kube::Json& pod);

// Records what the pod says of its unit: while the pod is not running the unit's workload
// status is `waiting` with the pod's message; once it runs, a status the provisioner set goes
// back to `waiting: agent initialising` for the unit's agent to replace. Nothing is written when
// nothing changed. OK when the model or unit no longer exists (a pod outlives its unit briefly).
absl::Status RecordPodState(domain::Db& db, const std::string& model, const PodState& state);

// A pod of the unit was deleted: an alive unit becomes dying (Juju: a deleted pod is a dying
// unit). OK when the unit is gone or already dying.
absl::Status RecordPodDeleted(domain::Db& db, domain::application::ApplicationService& applications,
                              const std::string& model, const PodState& state);

}  // namespace skein::controller::provisioner
