#include "lib/base/duration.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace skein {

absl::StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  auto invalid = [&] { return absl::InvalidArgumentError(absl::StrCat("time: invalid duration \"", text, "\"")); };
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return invalid();
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return invalid();
    char* end = nullptr;
    std::string number = text.substr(start, i - start);
    double value = std::strtod(number.c_str(), &end);
    if (end == nullptr || *end != '\0') return invalid();
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60 * 1000;
    } else if (unit == "h") {
      scale = 3600 * 1000;
    } else {
      return invalid();
    }
    total_ms += value * scale;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total_ms)));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  int64_t h = ms / 3600000, m = (ms / 60000) % 60;
  double s = static_cast<double>(ms % 60000) / 1000.0;
  std::string out;
  if (h > 0) absl::StrAppend(&out, h, "h");
  if (h > 0 || m > 0) absl::StrAppend(&out, m, "m");
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%gs", s);
  absl::StrAppend(&out, buf);
  return out;
}

}  // namespace skein
