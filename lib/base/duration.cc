#include "lib/base/duration.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace skein {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Go's time package quotes the text in its errors with `\xNN` for bytes outside printable
// ASCII (it cannot use strconv), so a message names exactly the bytes that were given.
std::string GoQuote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || c < ' ') {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += ch;
    }
  }
  return out + "\"";
}

absl::Status Invalid(std::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat("time: invalid duration ", GoQuote(text)));
}

// The unit as absl::ParseDuration spells it, or empty when Go does not know it. Go takes both
// the micro sign (U+00B5) and the Greek mu (U+03BC) for microseconds; absl takes only `us`.
std::string_view CanonicalUnit(std::string_view unit) {
  if (unit == "ns" || unit == "us" || unit == "ms" || unit == "s" || unit == "m" || unit == "h") return unit;
  if (unit == "\xc2\xb5s" || unit == "\xce\xbcs") return "us";
  return {};
}

int64_t UnitNanos(std::string_view canonical_unit) {
  if (canonical_unit == "ns") return 1;
  if (canonical_unit == "us") return 1000;
  if (canonical_unit == "ms") return 1000000;
  if (canonical_unit == "s") return 1000000000;
  if (canonical_unit == "m") return 60 * int64_t{1000000000};
  return 3600 * int64_t{1000000000};
}

// The nanoseconds that the digits after a point add to one `unit`, as Go's ParseDuration
// computes them: the digits as an integer until one more would pass 2^63 (later digits are
// ignored), times unit / 10^digits in float64, truncated.
uint64_t GoFractionNanos(std::string_view digits, int64_t unit_nanos) {
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  uint64_t value = 0;
  double scale = 1;
  for (char c : digits) {
    if (value > (kLimit - 1) / 10) break;
    uint64_t next = value * 10 + static_cast<uint64_t>(c - '0');
    if (next > kLimit) break;
    value = next;
    scale *= 10;
  }
  if (value == 0) return 0;
  return static_cast<uint64_t>(static_cast<double>(value) * (static_cast<double>(unit_nanos) / scale));
}

}  // namespace

absl::StatusOr<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  // Go's grammar is [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ with "0" as the one unitless value. absl
  // reads the same numbers but differs at the edges (it takes `inf`, refuses `µs`, saturates
  // instead of failing, and has a single error), so this walks Go's grammar first, for Go's
  // errors, and hands absl a canonical spelling to do the arithmetic.
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return Invalid(text);
  std::string canonical = negative ? "-" : "";
  while (!s.empty()) {
    if (s.front() != '.' && !IsDigit(s.front())) return Invalid(text);
    size_t i = 0;
    while (i < s.size() && IsDigit(s[i])) ++i;
    bool digits_before_point = i > 0;
    bool digits_after_point = false;
    if (i < s.size() && s[i] == '.') {
      size_t fraction_start = ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
      digits_after_point = i > fraction_start;
    }
    if (!digits_before_point && !digits_after_point) return Invalid(text);  // `.s`, `-.s`
    std::string_view whole = s.substr(0, i);
    std::string_view fraction;
    if (size_t point = whole.find('.'); point != std::string_view::npos) {
      fraction = whole.substr(point + 1);
      whole = whole.substr(0, point);
    }
    s.remove_prefix(i);
    // A unit is everything up to the next number, so `5 m` names the unit " m".
    size_t unit_length = 0;
    while (unit_length < s.size() && s[unit_length] != '.' && !IsDigit(s[unit_length])) ++unit_length;
    if (unit_length == 0) {
      return absl::InvalidArgumentError(absl::StrCat("time: missing unit in duration ", GoQuote(text)));
    }
    std::string_view unit = s.substr(0, unit_length);
    s.remove_prefix(unit_length);
    std::string_view canonical_unit = CanonicalUnit(unit);
    if (canonical_unit.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("time: unknown unit ", GoQuote(unit), " in duration ", GoQuote(text)));
    }
    if (!whole.empty()) canonical.append(whole).append(canonical_unit);
    // Go computes a fraction in float64 and truncates it to whole nanoseconds (so that
    // `0.3333333333333333333h` is exactly 20m); absl would compute it exactly, which differs in
    // the last nanosecond. The fraction goes to absl already in Go's nanoseconds.
    absl::StrAppend(&canonical, GoFractionNanos(fraction, UnitNanos(canonical_unit)), "ns");
  }
  absl::Duration parsed;
  // absl refuses a number beyond int64 (so does Go), and saturates a sum; the range check below
  // then refuses what Go's int64 of nanoseconds cannot hold. One spelling Go takes is refused
  // here: exactly -9223372036854775808ns, whose digits alone overflow int64.
  if (!absl::ParseDuration(canonical, &parsed)) return Invalid(text);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  if (parsed > absl::Nanoseconds(kMax) || parsed < absl::Nanoseconds(kMin)) return Invalid(text);
  return std::chrono::nanoseconds(absl::ToInt64Nanoseconds(parsed));
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  // Go's Duration.String: below a second in the largest unit that keeps a whole number before
  // the point (ns, µs, ms); from a second on as h, m and s with only the needed parts, the
  // seconds with up to nine decimals and no trailing zeros.
  int64_t count = d.count();
  if (count == 0) return "0s";
  uint64_t magnitude = count < 0 ? 0 - static_cast<uint64_t>(count) : static_cast<uint64_t>(count);
  // `value` / 10^digits with the fraction's trailing zeros (and a bare point) left out.
  auto decimal = [](uint64_t value, int digits) {
    uint64_t scale = 1;
    for (int i = 0; i < digits; ++i) scale *= 10;
    std::string out = std::to_string(value / scale);
    std::string fraction = std::to_string(value % scale);
    fraction.insert(0, digits - fraction.size(), '0');
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    if (!fraction.empty()) absl::StrAppend(&out, ".", fraction);
    return out;
  };
  std::string out = count < 0 ? "-" : "";
  constexpr uint64_t kSecond = 1000000000;
  if (magnitude < 1000) {
    absl::StrAppend(&out, magnitude, "ns");
  } else if (magnitude < 1000000) {
    absl::StrAppend(&out, decimal(magnitude, 3), "\xc2\xb5s");
  } else if (magnitude < kSecond) {
    absl::StrAppend(&out, decimal(magnitude, 6), "ms");
  } else {
    uint64_t whole_seconds = magnitude / kSecond;
    uint64_t hours = whole_seconds / 3600;
    uint64_t minutes = whole_seconds / 60 % 60;
    if (hours > 0) absl::StrAppend(&out, hours, "h");
    if (hours > 0 || minutes > 0) absl::StrAppend(&out, minutes, "m");
    absl::StrAppend(&out, decimal(magnitude % (60 * kSecond), 9), "s");
  }
  return out;
}

}  // namespace skein
