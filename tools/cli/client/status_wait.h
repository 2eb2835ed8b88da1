#pragma once

// The one loop that waits for a condition to hold on a model's status stream (WatchStatus): `skein
// wait-for`, `deploy --wait`, `refresh --wait` and the e2e harness's WaitForStatus all call it, so
// they agree on what "holds" means. The first snapshot comes from GetStatus (which reconnects once
// to a controller slow to answer), then every change from the stream: no polling.
//
// The stream shows every state, also one that lasts an instant (a unit is idle for a moment
// between two hooks): the condition counts as met once it has held, on every snapshot seen,
// for `hold` without a break.

#include <chrono>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "skein/v1/controller.pb.h"
#include "tools/cli/client/connection.h"

namespace skein::cli::client {

// What the condition says of one snapshot. kFailed ends the wait at once (a hook failed: waiting
// longer is pointless).
enum class StatusCheck { kNotYet, kHolds, kFailed };

enum class StatusWaitEnd { kHeld, kFailed, kTimedOut };

struct StatusWaitResult {
  StatusWaitEnd end = StatusWaitEnd::kTimedOut;
  skein::v1::ModelStatus last;  // the snapshot the wait ended on
};

// How long a condition must hold (jubilant's `successes=3` does the same with three reads).
inline constexpr std::chrono::milliseconds kStatusHeldFor{100};

// Follows `model`'s status until `check` holds for `hold`, returns kFailed, or `timeout` passes.
// `check` sees every snapshot (also to print progress). Errors: GetStatus's, and the stream
// ending before the timeout (its error, or UNAVAILABLE `the controller ended the status stream`).
absl::StatusOr<StatusWaitResult> WaitForStatus(Connection& connection, Clock& clock, const std::string& model,
                                               Clock::Duration timeout,
                                               const std::function<StatusCheck(const skein::v1::ModelStatus&)>& check,
                                               Clock::Duration hold = kStatusHeldFor);

}  // namespace skein::cli::client
