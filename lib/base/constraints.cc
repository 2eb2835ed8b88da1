#include "lib/base/constraints.h"

#include <cmath>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace skein {
namespace {

// How one key's text becomes its field and back. Every key is listed once here; ConstraintKeys,
// the parser and both printers walk this table, so a key cannot be known to one and not another.
struct KeySpec {
  const char* key;
  // Parses a non-empty value into `c`; InvalidArgument with the reason after `bad "key" constraint: `.
  std::function<absl::Status(Constraints& c, absl::string_view value)> parse;
  std::function<std::optional<ConstraintValue>(const Constraints& c)> get;
};

absl::Status Bad(absl::string_view reason) { return absl::InvalidArgumentError(reason); }

template <typename T>
std::optional<ConstraintValue> Get(const std::optional<T>& field) {
  if (!field) return std::nullopt;
  return ConstraintValue(*field);
}

auto String(std::optional<std::string> Constraints::*field) {
  return KeySpec{"", [field](Constraints& c, absl::string_view v) {
                   c.*field = std::string(v);
                   return absl::OkStatus();
                 },
                 [field](const Constraints& c) { return Get(c.*field); }};
}

auto OneOf(std::optional<std::string> Constraints::*field, std::vector<std::string> allowed, std::string what) {
  return KeySpec{"",
                 [field, allowed, what](Constraints& c, absl::string_view v) {
                   if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
                     return Bad(absl::StrCat(what, "\"", v, "\"", what.empty() ? " not recognized" : ""));
                   }
                   c.*field = std::string(v);
                   return absl::OkStatus();
                 },
                 [field](const Constraints& c) { return Get(c.*field); }};
}

auto Count(std::optional<uint64_t> Constraints::*field) {
  return KeySpec{"",
                 [field](Constraints& c, absl::string_view v) {
                   uint64_t n = 0;
                   if (!absl::SimpleAtoi(v, &n) || v.front() == '+' || v.front() == '-') {
                     return Bad("must be a non-negative integer");
                   }
                   c.*field = n;
                   return absl::OkStatus();
                 },
                 [field](const Constraints& c) { return Get(c.*field); }};
}

// Juju's sizes: a non-negative number of MiB, or of GiB, TiB, PiB with G, T, P (M is implied).
auto Size(std::optional<double> Constraints::*field) {
  return KeySpec{"",
                 [field](Constraints& c, absl::string_view v) {
                   double scale = 1;
                   switch (absl::ascii_toupper(v.back())) {
                     case 'M': v.remove_suffix(1); break;
                     case 'G': scale = 1024, v.remove_suffix(1); break;
                     case 'T': scale = 1024.0 * 1024, v.remove_suffix(1); break;
                     case 'P': scale = 1024.0 * 1024 * 1024, v.remove_suffix(1); break;
                     default: break;
                   }
                   double n = 0;
                   if (v.empty() || !absl::SimpleAtod(v, &n) || !std::isfinite(n) || n < 0 ||
                       !absl::ascii_isdigit(v.front())) {
                     return Bad("must be a non-negative float with optional M/G/T/P suffix");
                   }
                   c.*field = n * scale;
                   return absl::OkStatus();
                 },
                 [field](const Constraints& c) { return Get(c.*field); }};
}

auto List(std::optional<std::vector<std::string>> Constraints::*field) {
  return KeySpec{"",
                 [field](Constraints& c, absl::string_view v) {
                   c.*field = absl::StrSplit(v, ',', absl::SkipEmpty());
                   return absl::OkStatus();
                 },
                 [field](const Constraints& c) { return Get(c.*field); }};
}

KeySpec Named(const char* key, KeySpec spec) {
  spec.key = key;
  return spec;
}

const std::vector<KeySpec>& Specs() {
  static const auto* specs = new std::vector<KeySpec>{
      Named("arch", OneOf(&Constraints::arch, {"amd64", "arm64", "ppc64el", "s390x", "riscv64"}, "")),
      Named("container", OneOf(&Constraints::container, {"lxd", "kvm"}, "invalid container type ")),
      Named("cores", Count(&Constraints::cores)),
      Named("cpu-power", Count(&Constraints::cpu_power)),
      Named("mem", Size(&Constraints::mem)),
      Named("root-disk", Size(&Constraints::root_disk)),
      Named("root-disk-source", String(&Constraints::root_disk_source)),
      Named("tags", List(&Constraints::tags)),
      Named("instance-role", String(&Constraints::instance_role)),
      Named("instance-type", String(&Constraints::instance_type)),
      Named("spaces", List(&Constraints::spaces)),
      Named("virt-type", String(&Constraints::virt_type)),
      Named("zones", List(&Constraints::zones)),
      Named("allocate-public-ip",
            KeySpec{"",
                    [](Constraints& c, absl::string_view v) {
                      if (v != "true" && v != "false") return Bad("must be true or false");
                      c.allocate_public_ip = v == "true";
                      return absl::OkStatus();
                    },
                    [](const Constraints& c) { return Get(c.allocate_public_ip); }}),
      Named("image-id", String(&Constraints::image_id)),
  };
  return *specs;
}

// `1024` for whole MiB, else the shortest text that reads back the same.
std::string SizeText(double mib) {
  if (std::optional<uint64_t> whole = WholeMib(mib)) return absl::StrCat(*whole);
  return absl::StrCat(mib);
}

std::string ValueText(const ConstraintValue& value) {
  struct Visitor {
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(uint64_t n) const { return absl::StrCat(n); }
    std::string operator()(double mib) const { return SizeText(mib) + "M"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& l) const { return absl::StrJoin(l, ","); }
  };
  return std::visit(Visitor{}, value);
}

}  // namespace

std::optional<uint64_t> WholeMib(double mib) {
  // Below 2^53 every whole double is exact.
  if (mib != std::floor(mib) || mib >= 9007199254740992.0) return std::nullopt;
  return static_cast<uint64_t>(mib);
}

const std::vector<std::string>& ConstraintKeys() {
  static const auto* keys = [] {
    auto* out = new std::vector<std::string>;
    for (const KeySpec& s : Specs()) out->push_back(s.key);
    return out;
  }();
  return *keys;
}

absl::StatusOr<Constraints> ParseConstraints(std::string_view std_text) {
  const absl::string_view text(std_text.data(), std_text.size());
  Constraints out;
  std::vector<std::string> seen;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(" \t\n"), absl::SkipEmpty())) {
    size_t eq = item.find('=');
    if (eq == absl::string_view::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat("malformed constraint \"", item, "\": expected key=value"));
    }
    absl::string_view key = item.substr(0, eq);
    absl::string_view value = item.substr(eq + 1);
    auto spec = std::find_if(Specs().begin(), Specs().end(), [&](const KeySpec& s) { return key == s.key; });
    if (spec == Specs().end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown constraint \"", key, "\" (valid constraints: ",
                                                     absl::StrJoin(ConstraintKeys(), ", "), ")"));
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      return absl::InvalidArgumentError(absl::StrCat("bad \"", key, "\" constraint: already set"));
    }
    seen.emplace_back(key);
    if (value.empty()) continue;
    if (absl::Status s = spec->parse(out, value); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("bad \"", key, "\" constraint: ", s.message()));
    }
  }
  return out;
}

std::vector<ConstraintField> ConstraintFields(const Constraints& constraints) {
  std::vector<ConstraintField> out;
  for (const KeySpec& s : Specs()) {
    if (std::optional<ConstraintValue> v = s.get(constraints)) out.push_back({s.key, std::move(*v)});
  }
  return out;
}

std::string FormatConstraints(const Constraints& constraints) {
  std::vector<std::string> items;
  for (const ConstraintField& f : ConstraintFields(constraints)) items.push_back(f.key + "=" + ValueText(f.value));
  return absl::StrJoin(items, " ");
}

}  // namespace skein
