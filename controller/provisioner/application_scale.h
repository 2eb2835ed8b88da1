#pragma once

// scale-application: the number of units of an application of a Kubernetes model, which is the
// StatefulSet's replica count (unit <app>/<n> is pod <app>-<n>).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/core/db.h"

namespace skein::controller::provisioner {

struct ScaleResult {
  std::vector<std::string> added;    // new units, lowest numbers first
  std::vector<std::string> removed;  // units marked dying, highest numbers first
};

// Adds units up to `scale` alive ones, or marks the highest-numbered alive units dying down to
// it. InvalidArgument for a negative scale; NotFound model/application; FailedPrecondition for a
// machine model (`add-unit`/`remove-unit` there), and for a scale-up while units are still dying:
// their pods still hold the ordinals new units would take.
absl::StatusOr<ScaleResult> ScaleApplication(domain::Db& db, domain::application::ApplicationService& applications,
                                             const std::string& model, const std::string& app, int scale);

}  // namespace skein::controller::provisioner
