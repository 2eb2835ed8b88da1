#pragma once

// Waits of a plan (issue 13): the controller waits until applications settle on their new charm
// (every alive unit reports the application's charm url with its hook commits, its agent is idle
// and its workload is not in error). It wakes on the watch hub's notifications of the units and
// applications it looks at, with a deadline from the injected clock: no sleep, no polling.

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "controller/domain/core/db.h"
#include "controller/domain/plan/plan.h"
#include "controller/domain/presence/agent_presence.h"
#include "controller/watch/hub.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::controller::domain::plan {

enum class SettleOutcome { kWaiting, kSettled, kFailed };

struct SettleState {
  SettleOutcome outcome = SettleOutcome::kWaiting;
  // kWaiting: what is still waited for (`x/0 runs local:x-1, not local:x-2; y/1 agent executing`);
  // kFailed: the unit in error, its hook and what to do.
  std::string message;
  std::set<std::string> keys;  // what the state depends on (hub keys)
};

// The applications' state in `model` now. An application that does not exist fails the wait. With
// `presence`, a unit whose agent is lost is waited for (`x/0 agent lost`) whatever its last status
// says: the agent that reported it is gone.
SettleState CheckSettled(Tx& tx, const std::string& model, const std::vector<std::string>& applications,
                         const presence::AgentPresence* presence = nullptr);

// A hub watcher that a waiting thread blocks on: woken by a commit touching its keys, closed by
// the hub's shutdown or the plan service stopping.
class WaitSignal : public watch::Watcher {
 public:
  enum class Outcome { kWoken, kClosed, kDeadline };

  explicit WaitSignal(Clock& clock) : clock_(clock) {}
  void Wake() override;
  void Close() override;
  // Blocks until a Wake (since the last Await), Close or `deadline` on the clock.
  Outcome Await(Clock::TimePoint deadline);

 private:
  Clock& clock_;
  Mutex mu_;
  CondVar cv_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

// Waits for `wait` on `signal` (already added to `hub`). OK once settled; FailedPrecondition
// naming the unit in error; DeadlineExceeded `timed out after <d> waiting for <what>` exactly
// when the clock reaches the deadline; Aborted when the signal is closed (the controller stops:
// the job stays running and continues at the next start). `on_waiting` gets each new message of
// what is still waited for.
absl::Status WaitForSettled(Db& db, watch::Hub& hub, WaitSignal& signal, const std::string& model,
                            const WaitChange& wait, const std::function<void(const std::string&)>& on_waiting,
                            const presence::AgentPresence* presence = nullptr);

}  // namespace skein::controller::domain::plan
