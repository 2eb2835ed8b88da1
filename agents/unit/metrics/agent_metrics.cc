#include "agents/unit/metrics/agent_metrics.h"

#include <chrono>
#include <cmath>

#include "fmt/format.h"

namespace skein::agent::metrics {
namespace {

// Prometheus reads floats in Go's syntax; fmt's shortest round-trip form ("0.25", "1", "1e-05")
// is accepted by it and keeps the output short.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void Family(std::string& out, const char* name, const char* type, const char* help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename Map, typename Field>
void Counter(std::string& out, const char* name, const char* help, const char* label, const Map& stats,
             Field field) {
  Family(out, name, "counter", help);
  for (const auto& [key, s] : stats) {
    fmt::format_to(std::back_inserter(out), "{}{{{}=\"{}\"}} {}\n", name, label, EscapeLabelValue(key), s.*field);
  }
}

template <typename Map>
void Histogram(std::string& out, const char* name, const char* help, const char* label, const Map& stats) {
  Family(out, name, "histogram", help);
  for (const auto& [key, s] : stats) {
    const std::string value = EscapeLabelValue(key);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < s.buckets.size(); ++i) {
      cumulative += s.buckets[i];
      const std::string le = i < kDurationBuckets.size() ? FormatValue(kDurationBuckets[i]) : "+Inf";
      fmt::format_to(std::back_inserter(out), "{}_bucket{{{}=\"{}\",le=\"{}\"}} {}\n", name, label, value, le,
                     cumulative);
    }
    fmt::format_to(std::back_inserter(out), "{}_sum{{{}=\"{}\"}} {}\n", name, label, value, FormatValue(s.sum));
    fmt::format_to(std::back_inserter(out), "{}_count{{{}=\"{}\"}} {}\n", name, label, value, s.count);
  }
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

AgentMetrics::AgentMetrics(std::string unit, std::string model_uuid)
    : unit_(std::move(unit)),
      model_uuid_(std::move(model_uuid)),
      start_time_seconds_(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()) {}

void AgentMetrics::Record(Stats& stats, double seconds, bool failed) {
  // A clock step can make a measured duration negative; it still counts, in the first bucket.
  if (!(seconds >= 0)) seconds = 0;
  ++stats.count;
  if (failed) ++stats.errors;
  stats.sum += seconds;
  size_t i = 0;
  while (i < kDurationBuckets.size() && seconds > kDurationBuckets[i]) ++i;
  ++stats.buckets[i];
}

void AgentMetrics::HookFinished(const std::string& hook, double seconds, bool failed) {
  MutexLock lock(mu_);
  Record(hooks_[hook], seconds, failed);
}

void AgentMetrics::ActionFinished(const std::string& action, double seconds, bool failed) {
  MutexLock lock(mu_);
  Record(actions_[action], seconds, failed);
}

std::string AgentMetrics::Render() const {
  std::string out;
  Family(out, "skein_unit_agent_info", "gauge", "Always 1; labels identify the unit this agent runs.");
  fmt::format_to(std::back_inserter(out), "skein_unit_agent_info{{model_uuid=\"{}\",unit=\"{}\"}} 1\n",
                 EscapeLabelValue(model_uuid_), EscapeLabelValue(unit_));
  Family(out, "skein_unit_agent_start_time_seconds", "gauge",
         "Start time of the unit agent since the Unix epoch in seconds.");
  fmt::format_to(std::back_inserter(out), "skein_unit_agent_start_time_seconds {}\n",
                 fmt::format("{:.3f}", start_time_seconds_));

  MutexLock lock(mu_);
  Counter(out, "skein_unit_agent_hooks_total", "Hooks run to completion, by hook name.", "hook", hooks_,
          &Stats::count);
  Counter(out, "skein_unit_agent_hook_errors_total", "Hooks that failed, by hook name.", "hook", hooks_,
          &Stats::errors);
  Histogram(out, "skein_unit_agent_hook_duration_seconds", "Wall-clock time of hooks, by hook name.", "hook",
            hooks_);
  Counter(out, "skein_unit_agent_actions_total", "Actions run to completion, by action name.", "action", actions_,
          &Stats::count);
  Counter(out, "skein_unit_agent_action_errors_total", "Actions that failed, by action name.", "action", actions_,
          &Stats::errors);
  Histogram(out, "skein_unit_agent_action_duration_seconds", "Wall-clock time of actions, by action name.",
            "action", actions_);
  return out;
}

}  // namespace skein::agent::metrics
