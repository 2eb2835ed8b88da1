#include "lib/base/time.h"

#include <ctime>

#include "absl/strings/str_format.h"

namespace skein {

std::string FormatRfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRfc3339Micros(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return absl::StrFormat("%s.%06dZ", buf, micros);
}

namespace {
bool ParseRfc3339(const std::string& text, std::tm* tm) {
  *tm = {};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", tm);
  return end != nullptr;
}
}  // namespace

std::string JujuSince(const std::string& rfc3339) {
  std::tm tm{};
  if (!ParseRfc3339(rfc3339, &tm)) return rfc3339;
  char buf[40];
  std::strftime(buf, sizeof(buf), "%d %b %Y %H:%M:%SZ", &tm);
  return buf;
}

std::string ClockTime(const std::string& rfc3339) {
  std::tm tm{};
  if (!ParseRfc3339(rfc3339, &tm)) return rfc3339;
  char buf[16];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  return buf;
}

}  // namespace skein
