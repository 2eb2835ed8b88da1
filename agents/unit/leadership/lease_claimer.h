#pragma once

// Claims and renews the unit's application leadership lease (juju-semantics §5): one
// ClaimLeadership call at start, then one every half lease (the controller says how long its
// leases are). The controller decides who leads; the uniter learns it from UnitSnapshot.leader,
// so this class only keeps the lease alive. While the controller is unreachable it retries every
// second; an agent that stops (or is frozen) stops renewing, and its lease expires.

#include <chrono>
#include <functional>
#include <thread>

#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent {

class LeaseClaimer {
 public:
  using ClaimFn = std::function<absl::StatusOr<v1::ClaimLeadershipResponse>()>;

  // `claim` performs one ClaimLeadership call (AgentClient in production, a fake in tests); the
  // waits between claims run on `clock`, which must outlive the claimer.
  LeaseClaimer(ClaimFn claim, Clock& clock, std::chrono::milliseconds retry = std::chrono::seconds(1));
  ~LeaseClaimer();

  void Start();
  // Stops renewing; idempotent.
  void Stop();

  // The wait before the next claim after `result`: half the lease when it succeeded, `retry`
  // when it failed. Exposed for tests.
  std::chrono::milliseconds NextWait(const absl::StatusOr<v1::ClaimLeadershipResponse>& result) const;

 private:
  void Loop();

  const ClaimFn claim_;
  Clock& clock_;
  const std::chrono::milliseconds retry_;
  Mutex mu_;
  CondVar cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // started and joined by the owner's thread only
};

// ClaimLeadership through an AgentClient-prepared stub call.
class AgentClient;
absl::StatusOr<v1::ClaimLeadershipResponse> ClaimLeadership(AgentClient& client);

}  // namespace skein::agent
