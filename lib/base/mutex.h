#pragma once

// The one mutex type for shared state. It is std::mutex underneath (so ThreadSanitizer sees the
// pthread lock it understands) with Clang's thread-safety annotations on top, so that members
// marked ABSL_GUARDED_BY(mu_) are checked by the `-Wthread-safety` build in CI. Use it with
// MutexLock for a scope and CondVar to wait; waits with a deadline go through Clock (clock.h),
// never through the system clock.

#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"

namespace skein {

class ABSL_LOCKABLE Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { m_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { m_.unlock(); }
  bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) { return m_.try_lock(); }
  // Tells the analysis the caller holds the lock where it cannot see it (a callback run under it).
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() {}

 private:
  friend class CondVar;
  std::mutex m_;
};

// Holds `mu` for the scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// A condition variable over Mutex. Wait() is the only wait without a deadline; a wait with one
// is Clock::WaitUntil, so that a simulated clock can end it.
class CondVar {
 public:
  // Releases `mu`, blocks until notified (or woken spuriously), and takes `mu` again.
  void Wait(Mutex& mu) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu.m_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // The same, for at most `d` of real time. Only clocks call this (RealClock with the time left,
  // the simulated clock never); everything else waits through a Clock.
  template <class Rep, class Period>
  void WaitForRealTime(Mutex& mu, std::chrono::duration<Rep, Period> d) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    std::unique_lock<std::mutex> lock(mu.m_, std::adopt_lock);
    cv_.wait_for(lock, d);
    lock.release();
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace skein
