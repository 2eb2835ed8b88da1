#include "controller/domain/secret/secret_types.h"

#include "absl/strings/str_cat.h"

namespace skein::controller::domain::secret {
namespace {

constexpr std::pair<RotatePolicy, const char*> kPolicies[] = {
    {RotatePolicy::kNever, "never"},       {RotatePolicy::kHourly, "hourly"},
    {RotatePolicy::kDaily, "daily"},       {RotatePolicy::kWeekly, "weekly"},
    {RotatePolicy::kMonthly, "monthly"},   {RotatePolicy::kQuarterly, "quarterly"},
    {RotatePolicy::kYearly, "yearly"},
};

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsLowerOrDigit(char c) { return IsLower(c) || (c >= '0' && c <= '9'); }

// `^[a-z](?:-?[a-z0-9]){2,}$`
bool ValidKey(const std::string& key) {
  if (key.empty() || !IsLower(key[0])) return false;
  int groups = 0;
  for (size_t i = 1; i < key.size(); ++i) {
    if (key[i] == '-') {
      if (i + 1 >= key.size() || !IsLowerOrDigit(key[i + 1])) return false;
      ++i;
    } else if (!IsLowerOrDigit(key[i])) {
      return false;
    }
    ++groups;
  }
  return groups >= 2;
}

}  // namespace

const char* OwnerKindName(OwnerKind kind) {
  switch (kind) {
    case OwnerKind::kApplication:
      return "application";
    case OwnerKind::kUnit:
      return "unit";
    case OwnerKind::kModel:
      return "model";
  }
  return "model";
}

absl::StatusOr<OwnerKind> ParseOwnerKind(const std::string& text) {
  for (OwnerKind k : {OwnerKind::kApplication, OwnerKind::kUnit, OwnerKind::kModel}) {
    if (text == OwnerKindName(k)) return k;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("invalid secret owner \"", text, "\": use application or unit"));
}

const char* RotatePolicyName(RotatePolicy policy) {
  for (const auto& [p, name] : kPolicies) {
    if (p == policy) return name;
  }
  return "never";
}

absl::StatusOr<RotatePolicy> ParseRotatePolicy(const std::string& text) {
  for (const auto& [p, name] : kPolicies) {
    if (text == name) return p;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid secret rotate policy \"", text, "\": use never, hourly, daily, weekly, monthly, quarterly or yearly"));
}

absl::Status CheckContentKeys(const SecretContent& content) {
  for (const auto& [key, value] : content) {
    if (!ValidKey(key)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid secret key \"", key, "\": keys are at least 3 lowercase letters, digits or single hyphens, "
          "starting with a letter"));
    }
  }
  return absl::OkStatus();
}

}  // namespace skein::controller::domain::secret
