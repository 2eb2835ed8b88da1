#include "lib/rpc/retry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/duration.h"

namespace skein::rpc {

Backoff::Backoff(BackoffPolicy policy, std::function<double()> random)
    : policy_(policy), random_(std::move(random)), rng_(std::random_device{}()), next_(policy.initial) {}

Clock::Duration Backoff::Next() {
  const Clock::Duration delay = next_;
  const double grown = static_cast<double>(next_.count()) * std::max(policy_.multiplier, 1.0);
  next_ = grown >= static_cast<double>(policy_.max.count()) ? policy_.max
                                                             : Clock::Duration(static_cast<Clock::Duration::rep>(grown));
  const double jitter = std::clamp(policy_.jitter, 0.0, 1.0);
  if (jitter == 0.0) return delay;
  const double draw = random_ ? random_() : std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  const double scale = 1.0 - jitter * draw;
  return Clock::Duration(static_cast<Clock::Duration::rep>(static_cast<double>(delay.count()) * scale));
}

void Backoff::Reset() { next_ = policy_.initial; }

absl::Status RetryTransient(const Clock& clock, const RetryBudget& budget, const std::function<absl::Status()>& call,
                            const std::function<bool(Clock::Duration)>& pause) {
  Backoff backoff(budget.policy);
  const Clock::TimePoint start = clock.Now();
  while (true) {
    absl::Status s = call();
    if (!IsTransient(s)) return s;
    Clock::Duration delay = backoff.Next();
    if (budget.total != Clock::Duration::max()) {
      const Clock::Duration spent = clock.Now() - start;
      if (spent >= budget.total) {
        return absl::UnavailableError(absl::StrCat("the controller has been unreachable for ",
                                                   FormatDuration(budget.total), ": ", s.message()));
      }
      delay = std::min(delay, budget.total - spent);  // one last attempt when the budget ends
    }
    if (pause(delay)) return absl::CancelledError("agent stopping");
  }
}

bool IsTransient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace skein::rpc
