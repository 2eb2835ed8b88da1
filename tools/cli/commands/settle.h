#pragma once

// When is a model "settled"? Every unit's agent is idle, its workload status is one the
// caller accepts (default: active) and the agent of its machine is connected (`started`). A unit whose hook failed makes waiting pointless, so it is
// reported separately. Pure logic over a status snapshot, used by `skein wait-for`.

#include <set>
#include <string>
#include <vector>

#include "skein/v1/controller.pb.h"

namespace skein::cli::commands {

struct SettleReport {
  int units = 0;
  int settled = 0;
  // `app/0 waiting (executing: running install hook)`, for units not yet settled.
  std::vector<std::string> pending;
  // `app/0: hook failed: "install"`, for units in error.
  std::vector<std::string> errors;

  bool Settled() const { return errors.empty() && settled == units; }
  // One line for progress output: `3/5 units settled; waiting for app/1 ...`.
  std::string Summary() const;
};

SettleReport EvaluateSettled(const skein::v1::ModelStatus& status, const std::set<std::string>& workloads);

}  // namespace skein::cli::commands
