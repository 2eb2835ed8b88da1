#include "lib/base/clock.h"

#include <algorithm>

namespace skein {
namespace {

class SystemTimeClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  // The annotation is repeated: the analysis does not carry it over from the base class.
  bool WaitUntil(Mutex& mu, CondVar& cv, TimePoint deadline, absl::FunctionRef<bool()> done)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) override {
    while (!done()) {
      const TimePoint now = Now();
      if (now >= deadline) return false;
      cv.WaitForRealTime(mu, deadline - now);
    }
    return true;
  }
};

}  // namespace

void Clock::SleepFor(Duration d) {
  Mutex mu;
  CondVar cv;
  MutexLock lock(mu);
  WaitFor(mu, cv, d, [] { return false; });
}

Clock::WallTime Clock::Deadline(Duration d) const {
  return std::chrono::system_clock::now() + std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
}

Clock& RealClock() {
  static SystemTimeClock* clock = new SystemTimeClock();  // never destroyed: threads may outlive main
  return *clock;
}

// One blocked wait. `lock` guards `gone`: Advance takes it before the wait's own Mutex, and the
// wait marks itself gone only after releasing its Mutex, so the two never wait on each other.
struct SimulatedClock::Waiter {
  std::mutex lock;
  bool gone = false;
  Mutex* mu = nullptr;
  CondVar* cv = nullptr;
};

SimulatedClock::SimulatedClock() = default;
SimulatedClock::~SimulatedClock() = default;

Clock::TimePoint SimulatedClock::Now() const {
  MutexLock lock(mu_);
  return TimePoint(std::chrono::hours(24 * 365)) + offset_;
}

Clock::WallTime SimulatedClock::WallNow() const {
  MutexLock lock(mu_);
  // 2026-01-01T00:00:00Z
  return WallTime(std::chrono::seconds(1767225600)) + std::chrono::duration_cast<WallTime::duration>(offset_);
}

// The analysis cannot follow the Mutex being released and taken again around the removal of
// the waiter, which is what keeps the lock order acyclic (see Waiter).
bool SimulatedClock::WaitUntil(Mutex& mu, CondVar& cv, TimePoint deadline, absl::FunctionRef<bool()> done)
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  auto waiter = std::make_shared<Waiter>();
  waiter->mu = &mu;
  waiter->cv = &cv;
  {
    MutexLock lock(mu_);
    waiters_.push_back(waiter);
  }
  waiters_changed_.NotifyAll();
  bool result = false;
  while (true) {
    if (done()) {
      result = true;
      break;
    }
    if (Now() >= deadline) break;
    cv.Wait(mu);
  }
  mu.Unlock();
  {
    std::lock_guard<std::mutex> gone(waiter->lock);
    waiter->gone = true;
  }
  {
    MutexLock lock(mu_);
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), waiter));
  }
  waiters_changed_.NotifyAll();
  mu.Lock();
  return result;
}

void SimulatedClock::Advance(Duration d) {
  std::vector<std::shared_ptr<Waiter>> to_wake;
  {
    MutexLock lock(mu_);
    offset_ += d;
    to_wake = waiters_;
  }
  // Every wait re-checks its own deadline; waking one whose deadline has not come costs a check.
  for (const auto& waiter : to_wake) {
    std::lock_guard<std::mutex> gone(waiter->lock);
    if (waiter->gone) continue;
    waiter->mu->Lock();
    waiter->cv->NotifyAll();
    waiter->mu->Unlock();
  }
}

size_t SimulatedClock::Waiters() const {
  MutexLock lock(mu_);
  return waiters_.size();
}

bool SimulatedClock::AwaitWaiters(size_t n, std::chrono::milliseconds real_timeout) {
  const auto deadline = std::chrono::steady_clock::now() + real_timeout;
  MutexLock lock(mu_);
  while (waiters_.size() < n) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    waiters_changed_.WaitForRealTime(mu_, deadline - now);
  }
  return true;
}

}  // namespace skein
