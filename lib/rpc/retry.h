#pragma once

// How the agents wait before trying the controller again: one backoff policy (initial delay,
// maximum, multiplier, jitter) and the stateful Backoff that walks it. Every retry loop of the
// agents (login, a watch stream reconnecting, a status or log line that could not be sent, an
// operation that met a restarting controller) takes its delays from here; where it waits is its
// own (a Clock wait it can end early on shutdown).

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>

#include "absl/status/status.h"
#include "lib/base/clock.h"

namespace skein::rpc {

struct BackoffPolicy {
  Clock::Duration initial{std::chrono::milliseconds(100)};
  Clock::Duration max{std::chrono::milliseconds(5000)};
  // Each delay is the previous one times this (at least 1), up to `max`.
  double multiplier = 2.0;
  // The fraction of each delay that is random, in [0, 1]: the delay is drawn uniformly from
  // [d * (1 - jitter), d]. Many agents reconnecting after a controller restart then spread out
  // instead of arriving in lockstep.
  double jitter = 0.0;
};

// A unary call to the controller that met Unavailable: 100 ms doubling to 5 s.
inline constexpr BackoffPolicy kControllerRetry{};
// A watch stream reopened after it broke: the same delays with the upper half of each one
// random, since every agent of a machine loses its stream at the same moment.
inline constexpr BackoffPolicy kStreamReconnect{std::chrono::milliseconds(100), std::chrono::milliseconds(5000), 2.0,
                                                0.5};

// The delays of one retry loop. Not thread-safe: one loop owns it.
class Backoff {
 public:
  // `random` returns a number in [0, 1) for the jitter; by default a generator seeded per Backoff.
  explicit Backoff(BackoffPolicy policy, std::function<double()> random = nullptr);

  // The delay to wait before the next attempt; the one after is `multiplier` times longer, up
  // to `max`.
  Clock::Duration Next();
  // The last attempt succeeded: the next delay is `initial` again.
  void Reset();

 private:
  const BackoffPolicy policy_;
  std::function<double()> random_;
  std::mt19937_64 rng_;
  Clock::Duration next_;
};

// How long a retry loop keeps trying a controller that is away, and with which delays.
struct RetryBudget {
  BackoffPolicy policy = kControllerRetry;
  // From the first attempt; Duration::max() = until the controller answers.
  Clock::Duration total = Clock::Duration::max();
};

// What the agent does for a hook while it runs (a hook tool, a built-in charm's call): a
// controller restart of up to 60 s costs no hook error; an outage longer than 90 s fails the
// hook with a message saying so (Juju's uniter would retry the hook later, and so does ours).
inline constexpr RetryBudget kHookCallBudget{kControllerRetry, std::chrono::seconds(90)};
// An agent's own step (a hook commit, leaving a relation): it waits for the controller however
// long it is away, since giving up would lose the step.
inline constexpr RetryBudget kUntilAnswered{};

// Runs `call` until it returns anything but a transient error (that result is returned), waiting
// between attempts with `pause(delay)`, which returns true when the caller is stopping (then
// Cancelled `agent stopping`). Once `budget.total` has passed on `clock` since the first attempt:
// Unavailable `the controller has been unreachable for 1m30s: <last error>`.
absl::Status RetryTransient(const Clock& clock, const RetryBudget& budget, const std::function<absl::Status()>& call,
                            const std::function<bool(Clock::Duration)>& pause);

// True for the errors of a controller that is away for now (Unavailable, DeadlineExceeded),
// which are worth retrying; any other error will not get better by asking again.
bool IsTransient(const absl::Status& status);

}  // namespace skein::rpc
