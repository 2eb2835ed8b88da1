#include "agents/unit/hook/tools/relation_flag.h"

#include <charconv>

#include "absl/strings/str_cat.h"

namespace skein::agent::tools {

bool ParseGoInt(const std::string& text, int64_t* out) {
  std::string digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits = digits.substr(1);
  }
  if (digits.empty()) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return false;
  if (negative) {
    if (magnitude > uint64_t{1} << 63) return false;
    *out = magnitude == (uint64_t{1} << 63) ? INT64_MIN : -static_cast<int64_t>(magnitude);
  } else {
    if (magnitude > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

std::string FakeId(const HookRelation& relation) { return absl::StrCat(relation.endpoint, ":", relation.id); }

RelationIdValue::RelationIdValue(HookContext& ctx) : ctx_(ctx) {
  if (std::optional<int64_t> hook_id = ctx.HookRelationId()) {
    id_ = *hook_id;
    absl::StatusOr<HookRelation> r = ctx.Relation(*hook_id);
    text_ = r.ok() ? FakeId(*r) : absl::StrCat(*hook_id);
  }
}

absl::Status RelationIdValue::Set(const std::string& text) {
  std::string trimmed = text;
  if (size_t colon = trimmed.rfind(':'); colon != std::string::npos) trimmed = trimmed.substr(colon + 1);
  int64_t id = 0;
  if (!ParseGoInt(trimmed, &id)) return absl::InvalidArgumentError("invalid relation id");
  absl::StatusOr<HookRelation> r = ctx_.Relation(id);
  if (!r.ok()) {
    if (absl::IsNotFound(r.status())) return absl::NotFoundError("relation not found");
    return r.status();
  }
  id_ = id;
  text_ = text;
  return absl::OkStatus();
}

std::shared_ptr<RelationIdValue> RelationIdValue::AddFlag(FlagSet& flags, HookContext& ctx, const std::string& usage) {
  auto value = std::make_shared<RelationIdValue>(ctx);
  flags.Var(value, {"r", "relation"}, usage);
  return value;
}

}  // namespace skein::agent::tools
