#include "lib/rpc/retry.h"

#include <algorithm>

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

bool IsTransient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable || status.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace skein::rpc
