#include "agents/unit/hook/tools/gnuflag_parser.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "lib/base/go_bool.h"

namespace skein::agent::tools {
namespace {

class BoolValue : public FlagValue {
 public:
  explicit BoolValue(bool* target) : target_(target) {}
  absl::Status Set(const std::string& text) override { return ParseGoBool(text, target_); }
  std::string String() const override { return *target_ ? "true" : "false"; }
  bool IsBool() const override { return true; }

 private:
  bool* target_;
};

class StringValue : public FlagValue {
 public:
  explicit StringValue(std::string* target) : target_(target) {}
  absl::Status Set(const std::string& text) override {
    *target_ = text;
    return absl::OkStatus();
  }
  std::string String() const override { return *target_; }
  bool QuoteDefault() const override { return true; }

 private:
  std::string* target_;
};

std::string WithMinus(const std::string& name) { return (name.size() > 1 ? "--" : "-") + name; }

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for anything malformed), so that
// `-é` is one flag as it is for Go's utf8.DecodeRuneInString.
size_t RuneLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xe) return 3;
  if ((lead >> 3) == 0x1e) return 4;
  return 1;
}

}  // namespace

absl::Status ParseGoBool(const std::string& text, bool* out) {
  if (std::optional<bool> value = skein::ParseGoBool(text)) {
    *out = *value;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("strconv.ParseBool: parsing ", GoQuote(text), ": invalid syntax"));
}

std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

std::string GoQuoteList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += " ";
    out += GoQuote(items[i]);
  }
  return out + "]";
}

void FlagSet::Var(std::shared_ptr<FlagValue> value, std::vector<std::string> names, std::string usage) {
  std::stable_sort(names.begin(), names.end(),
                   [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  Flag flag;
  flag.default_text = value->String();
  flag.names = std::move(names);
  flag.value = std::move(value);
  flag.usage = std::move(usage);
  flags_.push_back(std::move(flag));
}

void FlagSet::BoolVar(bool* target, std::vector<std::string> names, std::string usage) {
  Var(std::make_shared<BoolValue>(target), std::move(names), std::move(usage));
}

void FlagSet::StringVar(std::string* target, std::vector<std::string> names, std::string usage) {
  Var(std::make_shared<StringValue>(target), std::move(names), std::move(usage));
}

const FlagSet::Flag* FlagSet::Find(const std::string& name) const {
  for (const Flag& f : flags_) {
    if (std::find(f.names.begin(), f.names.end(), name) != f.names.end()) return &f;
  }
  return nullptr;
}

FlagSet::Result FlagSet::Parse(const std::vector<std::string>& args) {
  args_.clear();
  auto fail = [](std::string message) { return Result{Outcome::kError, std::move(message)}; };
  size_t i = 0;
  // The not yet consumed rest of a `-abc` group, or `=value` of a `--flag=value`.
  std::string pending;
  while (true) {
    std::string name;
    bool is_long = false;
    if (!pending.empty()) {
      size_t n = std::min(RuneLength(static_cast<unsigned char>(pending[0])), pending.size());
      name = pending.substr(0, n);
      pending = pending.substr(n);
    } else {
      if (i >= args.size()) break;
      const std::string& a = args[i];
      if (a.empty() || a == "-" || a[0] != '-') {
        args_.push_back(a);  // interspersed positional
        ++i;
        continue;
      }
      if (a == "--") {
        args_.insert(args_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
        break;
      }
      ++i;
      if (a[1] == '-') {
        is_long = true;
        size_t eq = a.find('=');
        if (eq == std::string::npos) {
          name = a.substr(2);
        } else {
          name = a.substr(2, eq - 2);
          if (name.empty()) return fail(absl::StrCat("empty option in argument ", GoQuote(a)));
          pending = a.substr(eq);  // keeps the '=' so a boolean knows a value was given
        }
      } else {
        std::string rest = a.substr(1);
        size_t n = std::min(RuneLength(static_cast<unsigned char>(rest[0])), rest.size());
        name = rest.substr(0, n);
        pending = rest.substr(n);
      }
    }

    const Flag* flag = Find(name);
    if (flag == nullptr) {
      if (name == "help" || name == "h") return Result{Outcome::kHelp, ""};
      return fail(absl::StrCat("option provided but not defined: ", WithMinus(name)));
    }
    if (flag->value->IsBool() && (pending.empty() || pending[0] != '=')) {
      (void)flag->value->Set("true");
      continue;
    }
    std::string value;
    bool has_value = false;
    if (!pending.empty()) {
      value = pending;
      if (is_long) value = value.substr(1);  // strip the '='; `-r=7` keeps it, as in gnuflag
      has_value = true;
      pending.clear();
    }
    if (!has_value && i < args.size()) {
      value = args[i++];
      has_value = true;
    }
    if (!has_value) return fail(absl::StrCat("option needs an argument: ", WithMinus(name)));
    if (absl::Status s = flag->value->Set(value); !s.ok()) {
      return fail(absl::StrCat("invalid value ", GoQuote(value), " for option ", WithMinus(name), ": ",
                               std::string(s.message())));
    }
  }
  return Result{};
}

std::string FlagSet::Defaults() const {
  std::vector<const Flag*> sorted;
  for (const Flag& f : flags_) sorted.push_back(&f);
  std::sort(sorted.begin(), sorted.end(), [](const Flag* a, const Flag* b) { return a->names[0] < b->names[0]; });
  std::string out;
  for (const Flag* f : sorted) {
    std::string line;
    for (size_t i = 0; i < f->names.size(); ++i) {
      if (i > 0) line += ", ";
      line += WithMinus(f->names[i]);
    }
    if (f->value->QuoteDefault()) {
      absl::StrAppend(&out, line, " (= ", GoQuote(f->default_text), ")\n    ", f->usage, "\n");
    } else {
      absl::StrAppend(&out, line, "  (= ", f->default_text, ")\n    ", f->usage, "\n");
    }
  }
  return out;
}

}  // namespace skein::agent::tools
