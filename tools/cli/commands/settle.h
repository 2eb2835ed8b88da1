#pragma once

// When is a model "settled"? Every unit's agent is idle (not `lost`: its agent is in contact with
// the controller), its workload status is one the caller accepts (default: active) and the agent
// of its machine is connected (`started`, not `pending` or `down`). A unit whose hook failed makes
// waiting pointless, so it is reported separately. EvaluateSettled is pure logic over a status snapshot; WaitUntilSettled
// follows the status stream with it, for `skein wait-for` and `deploy`/`refresh --wait`.

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/clock.h"
#include "skein/v1/controller.pb.h"
#include "tools/cli/commands/common.h"

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

// `applications` empty = every application of the model.
SettleReport EvaluateSettled(const skein::v1::ModelStatus& status, const std::set<std::string>& workloads,
                             const std::set<std::string>& applications = {});

struct SettleOptions {
  std::set<std::string> workloads = {"active"};
  std::set<std::string> applications;  // empty = every application of the model
  Clock::Duration timeout = std::chrono::minutes(10);
};

// Follows the session's model on the status stream until it is settled (a line on env.err
// whenever the summary changes, then `Model "m" settled: N units in 1.2s`). FailedPrecondition
// `model "m" cannot settle: app/0: hook failed: "install"` (with a hint) as soon as a unit is in
// error; DeadlineExceeded `timed out after 10m0s waiting for model "m" to settle: <summary>`.
absl::Status WaitUntilSettled(Environment& env, Session& session, const SettleOptions& options);

}  // namespace skein::cli::commands
