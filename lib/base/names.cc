#include "lib/base/names.h"

#include <cctype>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

bool IsValidApplicationName(std::string_view name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  std::vector<std::string> segments = absl::StrSplit(std::string(name), '-');
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& seg = segments[i];
    if (seg.empty()) return false;  // leading, trailing or double hyphen
    for (char c : seg) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)))) {
        return false;
      }
    }
    if (i > 0 && AllDigits(seg)) return false;  // `app-2` is ambiguous with unit tags
  }
  return true;
}

bool IsValidModelName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!std::islower(static_cast<unsigned char>(name[0])) && !std::isdigit(static_cast<unsigned char>(name[0]))) {
    return false;
  }
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return name.back() != '-';
}

bool IsValidUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
    char c = text[i];
    if (hyphen ? c != '-' : !(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string UnitName::ToString() const { return absl::StrCat(application, "/", number); }
std::string UnitName::Tag() const { return absl::StrCat("unit-", application, "-", number); }

absl::StatusOr<UnitName> ParseUnitName(std::string_view text) {
  auto slash = text.find('/');
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("\"", std::string(text), "\" is not a valid unit name"));
  };
  if (slash == std::string_view::npos) return invalid();
  std::string_view app = text.substr(0, slash);
  std::string_view num = text.substr(slash + 1);
  if (!IsValidApplicationName(app) || !AllDigits(num)) return invalid();
  UnitName u;
  u.application = std::string(app);
  auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), u.number);
  if (ec != std::errc()) return invalid();
  return u;
}

absl::StatusOr<UnitName> ParseUnitTag(std::string_view tag) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat("\"", std::string(tag), "\" is not a valid unit tag"));
  };
  if (tag.substr(0, 5) != "unit-") return invalid();
  std::string_view rest = tag.substr(5);
  auto dash = rest.rfind('-');
  if (dash == std::string_view::npos) return invalid();
  return ParseUnitName(std::string(rest.substr(0, dash)) + "/" + std::string(rest.substr(dash + 1)));
}

std::string MachineTag(std::string_view machine_id) { return "machine-" + std::string(machine_id); }

bool NaturalLess(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = std::isdigit(static_cast<unsigned char>(a[i]));
    bool db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      std::string_view na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      while (na.size() > 1 && na[0] == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb[0] == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return (a.size() - i) < (b.size() - j);
}

}  // namespace skein
