#include "agents/unit/uniter/hook_retry.h"

#include <algorithm>
#include <cmath>

namespace skein::agent {

std::chrono::milliseconds HookRetryDelay(const HookRetryPolicy& policy, int attempt,
                                         const std::function<double()>& uniform01) {
  const double min = static_cast<double>(policy.min_delay.count());
  const double max = static_cast<double>(policy.max_delay.count());
  // Capped before the power overflows; anything past the cap is the cap anyway.
  double base = min * std::pow(policy.factor, std::min(attempt, 60));
  if (policy.jitter) {
    double r = std::clamp(uniform01(), 0.0, 1.0);
    base = min + r * (base - min);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(base, max)));
}

void HookRetryTimer::Arm(TimePoint now) {
  if (armed_) return;
  armed_ = true;
  deadline_ = now + HookRetryDelay(policy_, attempt_, uniform01_);
}

void HookRetryTimer::RetryStarted() {
  armed_ = false;
  ++attempt_;
}

void HookRetryTimer::Reset() {
  armed_ = false;
  attempt_ = 0;
}

}  // namespace skein::agent
