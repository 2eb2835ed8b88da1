#pragma once

// The one source of time. Production code asks a Clock for the time and waits through it; only
// clock.cc reads the system clock (a CI check enforces this). Tests inject a SimulatedClock and
// move time by hand, so that a lease expiring, a retry backing off or "nothing happens for
// five minutes" is asserted without waiting for it.

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "lib/base/mutex.h"

namespace skein {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;

  // Monotonic time, for timeouts, backoff, leases and durations.
  virtual TimePoint Now() const = 0;
  // Calendar time, for timestamps that are stored or shown (bind it to SQL as a parameter).
  virtual WallTime WallNow() const = 0;

  // Waits on `cv` (with `mu` held on entry and on return) until `done()` holds or Now() reaches
  // `deadline`, and returns done(). Whoever makes `done()` true notifies `cv` while holding `mu`.
  virtual bool WaitUntil(Mutex& mu, CondVar& cv, TimePoint deadline, absl::FunctionRef<bool()> done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) = 0;
  bool WaitFor(Mutex& mu, CondVar& cv, Duration d, absl::FunctionRef<bool()> done) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return WaitUntil(mu, cv, Now() + d, done);
  }
  // Blocks for `d` with nothing that can end the wait early. Prefer WaitFor with a stop flag.
  void SleepFor(Duration d);

  // The deadline for an RPC that may take `d`. gRPC measures deadlines in real time whatever the
  // clock, so a simulated clock gives the real time `d` from now too: simulated time moves in
  // jumps and would expire every call in flight.
  WallTime Deadline(Duration d) const;
};

// The process's real clock (steady_clock and system_clock).
Clock& RealClock();

// A clock that moves only when a test calls Advance. Waits end when Advance passes their deadline
// (or their condition holds); Now() starts at an arbitrary fixed point and WallNow() at
// 2026-01-01T00:00:00Z.
class SimulatedClock : public Clock {
 public:
  SimulatedClock();
  ~SimulatedClock() override;

  TimePoint Now() const override;
  WallTime WallNow() const override;
  bool WaitUntil(Mutex& mu, CondVar& cv, TimePoint deadline, absl::FunctionRef<bool()> done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) override;

  // Moves time forward by `d` and wakes every wait whose deadline has passed. Must not be called
  // while holding the Mutex of a wait on this clock (it takes each one to wake it).
  void Advance(Duration d);
  // How many waits are blocked on this clock now.
  size_t Waiters() const;
  // Blocks (in real time, up to `real_timeout`) until at least `n` waits are blocked on this
  // clock, so that a test advances time only once the code under test is waiting for it.
  // Returns false on timeout.
  bool AwaitWaiters(size_t n, std::chrono::milliseconds real_timeout);

 private:
  struct Waiter;
  mutable Mutex mu_;
  CondVar waiters_changed_;
  Duration offset_ ABSL_GUARDED_BY(mu_){};
  std::vector<std::shared_ptr<Waiter>> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein
