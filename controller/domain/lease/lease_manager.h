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
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"

namespace skein::controller::domain::lease {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct ClaimResult {
  bool held = false;
  // How long the lease of the current leader still runs (the caller's own when `held`).
  std::chrono::milliseconds remaining{0};
  std::chrono::milliseconds duration{0};
  std::string leader;  // `app/0`, empty when none
};

class LeaseManager {
 public:
  // `clock` is injectable for tests; the timer thread (Start) always waits on the steady clock.
  LeaseManager(Db* db, std::chrono::milliseconds duration, Clock clock = nullptr);
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
  // tests with an injected clock call it directly. Internal on database errors.
  absl::Status ExpireDue();

 private:
  struct AppLease {
    std::string holder;
    std::chrono::steady_clock::time_point expiry;
    std::map<std::string, std::chrono::steady_clock::time_point> last_claim;  // by unit name
  };

  std::chrono::steady_clock::time_point Now() const;
  absl::Status ExpireOne(int64_t app_id, AppLease& lease, std::chrono::steady_clock::time_point now);
  void TimerLoop();

  Db* const db_;
  const std::chrono::milliseconds duration_;
  const Clock clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int64_t, AppLease> leases_;  // by application row; guarded by mu_
  bool stopping_ = false;               // guarded by mu_
  std::thread timer_;
};

}  // namespace skein::controller::domain::lease
