#pragma once

// The automatic retry of a failed hook (juju-semantics §1.7; Juju's HookRetryStrategy: first
// retry after 5 s, then ×2 per attempt, capped at 5 min, with jitter). Pure: the caller passes
// the time and the random source, so tests check the schedule without waiting.

#include <chrono>
#include <cstdint>
#include <functional>

namespace skein::agent {

struct HookRetryPolicy {
  std::chrono::milliseconds min_delay = std::chrono::seconds(5);
  std::chrono::milliseconds max_delay = std::chrono::minutes(5);
  double factor = 2;
  bool jitter = true;
};

// The delay before retry number `attempt` (0-based), as juju/retry's ExpBackoff computes it:
// base = min_delay × factor^attempt; with jitter a uniform value in [min_delay, base]; then
// capped at max_delay. So the first retry is always exactly min_delay. `uniform01` returns a
// value in [0, 1).
std::chrono::milliseconds HookRetryDelay(const HookRetryPolicy& policy, int attempt,
                                         const std::function<double()>& uniform01);

// The retry timer of one failure episode: armed when a hook fails, advanced after each retry
// that fails again, reset after a hook succeeds or the unit is resolved by hand.
class HookRetryTimer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  HookRetryTimer(HookRetryPolicy policy, std::function<double()> uniform01)
      : policy_(policy), uniform01_(std::move(uniform01)) {}

  // Called while the unit is in error: arms the timer (if not armed) from `now`.
  void Arm(TimePoint now);
  // A retry was started: the next one (if it fails again) waits one step longer.
  void RetryStarted();
  // No hook is in error any more: the next failure starts again at min_delay.
  void Reset();

  bool armed() const { return armed_; }
  // TimePoint::max() when not armed.
  TimePoint deadline() const { return armed_ ? deadline_ : TimePoint::max(); }
  bool Due(TimePoint now) const { return armed_ && now >= deadline_; }
  int attempt() const { return attempt_; }

 private:
  HookRetryPolicy policy_;
  std::function<double()> uniform01_;
  bool armed_ = false;
  int attempt_ = 0;
  TimePoint deadline_;
};

}  // namespace skein::agent
