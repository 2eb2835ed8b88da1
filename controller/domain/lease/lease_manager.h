#pragma once

// Leadership leases (juju-semantics §5). A unit agent claims its application's lease and renews
// it every half lease; the controller grants it only to the application's leader (the
// `leader_unit` the rest of the domain already uses). When the leader stops renewing, its lease
// expires and the manager elects another alive unit: the lowest-numbered one that claimed within
// the last lease duration, else the lowest-numbered alive one. Expiry is driven by one timer
// thread that sleeps until the next expiry (no table scans on a period).
//
// Bound: a leader that stops renewing at time t renewed at most one renew interval (duration/2)
// before t, so its lease ends by t + duration/2 ... t + duration; a new leader is written at that
// moment. Stated bound for users: a new leader within lease duration + renew interval.
//
// Leases live in memory: after a controller restart every current leader gets a fresh full lease
// at the first claim of its application (Juju also extends leases across controller restarts),
// so a restart never moves leadership by itself.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::controller::domain::lease {

struct ClaimResult {
  bool held = false;
  // How long the lease of the current leader still runs (the caller's own when `held`).
  std::chrono::milliseconds remaining{0};
  std::chrono::milliseconds duration{0};
  std::string leader;  // `app/0`, empty when none
};

class LeaseManager {
 public:
  // Leases are measured and expired on `clock` (a simulated one in tests: the timer thread then
  // expires leases when the test advances time past them).
  LeaseManager(Db* db, std::chrono::milliseconds duration, Clock& clock);
  // Stops the timer thread.
  ~LeaseManager();

  // Starts the timer thread that calls ExpireDue at each next expiry.
  void Start();
  void Stop();

  std::chrono::milliseconds duration() const { return duration_; }

  // The unit claims (or renews) its application's lease. NotFound when the unit is gone;
  // a dying unit is never granted a lease it does not already hold.
  absl::StatusOr<ClaimResult> Claim(int64_t unit_id);

  // Ends every lease whose expiry has passed and elects successors. Called by the timer thread;
  // tests may call it directly. Internal on database errors.
  absl::Status ExpireDue() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct AppLease {
    std::string holder;
    Clock::TimePoint expiry;
    std::map<std::string, Clock::TimePoint> last_claim;  // by unit name
  };

  absl::Status ExpireOne(int64_t app_id, AppLease& lease, Clock::TimePoint now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TimerLoop() ABSL_LOCKS_EXCLUDED(mu_);

  Db* const db_;
  const std::chrono::milliseconds duration_;
  Clock& clock_;

  Mutex mu_;
  CondVar cv_;
  std::map<int64_t, AppLease> leases_ ABSL_GUARDED_BY(mu_);  // by application row
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Bumped by every claim, so that the timer thread recomputes the next expiry.
  uint64_t claims_ ABSL_GUARDED_BY(mu_) = 0;
  // Started and joined only by the owner's thread (Start, Stop), never under mu_: joining under
  // it would wait for a timer thread that needs it.
  std::thread timer_;
};

}  // namespace skein::controller::domain::lease
