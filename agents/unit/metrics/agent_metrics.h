#pragma once

// Prometheus metrics about the unit agent itself: how many hooks and actions it ran, how many
// failed and how long they took. The registry is filled by InstrumentedRunner and rendered in
// the text exposition format (version 0.0.4) by MetricsServer on `GET /metrics`.

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "lib/base/mutex.h"

namespace skein::agent::metrics {

// The histogram's upper bounds in seconds; `+Inf` is implicit. They are Prometheus' default
// buckets, which cover hooks from a few milliseconds (built-in charms) to several seconds.
inline constexpr std::array<double, 11> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                            0.5,   1,    2.5,   5,    10};

// Escapes a label value as the exposition format requires: backslash, double quote and line
// feed become `\\`, `\"` and `\n`.
std::string EscapeLabelValue(const std::string& value);

// Thread-safe: hooks finish on the uniter's thread while the metrics server renders on its own.
class AgentMetrics {
 public:
  // `unit` is the unit's name (`app/0`) and `model_uuid` its model's UUID, exported as the
  // `unit` and `model_uuid` labels of skein_unit_agent_info (unit names repeat across models,
  // so the unit alone does not say which agent a series came from). The start time is the
  // moment of construction.
  AgentMetrics(std::string unit, std::string model_uuid);

  // Records one finished hook (`install`, `db-relation-changed`, ...) and its wall-clock time.
  void HookFinished(const std::string& hook, double seconds, bool failed);
  // Records one finished action, by the action's name (`backup`, not `actions/backup`).
  void ActionFinished(const std::string& action, double seconds, bool failed);

  // The whole registry in the Prometheus text format, families in a fixed order and samples
  // sorted by label, so that two renders of the same state are identical.
  std::string Render() const;

 private:
  struct Stats {
    uint64_t count = 0;
    uint64_t errors = 0;
    double sum = 0;
    // Per-bucket (not cumulative) counts; Render() accumulates them. The last is `+Inf`.
    std::array<uint64_t, kDurationBuckets.size() + 1> buckets{};
  };
  static void Record(Stats& stats, double seconds, bool failed);

  const std::string unit_;
  const std::string model_uuid_;
  const double start_time_seconds_;
  mutable Mutex mu_;
  std::map<std::string, Stats> hooks_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Stats> actions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::agent::metrics
