#include "tools/cli/commands/command.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace skein::cli::commands {
namespace {

// Go's %q for the simple strings we quote.
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string LongName(const FlagDoc& d) {
  for (const auto& n : d.names) {
    if (n.rfind("--", 0) == 0) return n.substr(2);
  }
  return d.names.empty() ? "" : d.names[0].substr(1);
}

constexpr char kSilentMarker[] = "skein.silent";
constexpr char kExitCodeMarker[] = "skein.exit-code";

}  // namespace

FlagDoc FlagSet::Doc(const std::string& names, const std::string& default_text, const std::string& usage) {
  FlagDoc d;
  for (auto part : absl::StrSplit(names, ',')) d.names.emplace_back(part);
  // Short names first, as Juju prints `-m, --model`.
  std::stable_sort(d.names.begin(), d.names.end(),
                   [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
  d.default_text = default_text;
  d.usage = usage;
  return d;
}

void FlagSet::String(const std::string& names, std::string* value, const std::string& usage) {
  app_->add_option(names, *value)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  docs_.push_back(Doc(names, " (= " + Quote(*value) + ")", usage));
}

void FlagSet::Bool(const std::string& names, bool* value, const std::string& usage) {
  app_->add_flag(names, *value);
  docs_.push_back(Doc(names, std::string("  (= ") + (*value ? "true" : "false") + ")", usage));
}

void FlagSet::Strings(const std::string& names, std::vector<std::string>* values, const std::string& usage) {
  app_->add_option(names, *values)->allow_extra_args(false);
  docs_.push_back(Doc(names, "  (= )", usage));
}

void FlagSet::Int(const std::string& names, int* value, const std::string& usage) {
  auto text = std::make_unique<std::string>();
  std::string* raw = text.get();
  owned_texts_.push_back(std::move(text));
  CLI::Option* opt = app_->add_option(names, *raw)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  FlagDoc doc = Doc(names, "  (= " + std::to_string(*value) + ")", usage);
  std::string long_name = "--" + LongName(doc);
  converters_.push_back([opt, raw, value, long_name]() -> absl::Status {
    if (opt->count() == 0) return absl::OkStatus();
    int v = 0;
    auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
    if (raw->empty() || ec != std::errc() || ptr != raw->data() + raw->size()) {
      return UsageError(absl::StrCat("invalid value ", Quote(*raw), " for option ", long_name,
                                     ": expected an integer"));
    }
    *value = v;
    return absl::OkStatus();
  });
  docs_.push_back(std::move(doc));
}

void FlagSet::OptionalValue(const std::string& names, bool* given, std::string* value, const std::string& bare,
                            const std::string& usage) {
  auto text = std::make_unique<std::string>();
  std::string* raw = text.get();
  owned_texts_.push_back(std::move(text));
  // CLI11 reads a bare flag of a string variable as "true" and takes a value only after `=`.
  CLI::Option* opt = app_->add_flag(names, *raw);
  docs_.push_back(Doc(names, "[=" + bare + "]  (= false)", usage));
  converters_.push_back([opt, raw, given, value, bare]() -> absl::Status {
    if (opt->count() == 0) return absl::OkStatus();
    *given = true;
    *value = (raw->empty() || *raw == "true") ? bare : *raw;
    return absl::OkStatus();
  });
}

void FlagSet::Ignored(const std::string& names, bool takes_value, const std::string& usage) {
  CLI::Option* opt;
  if (takes_value) {
    auto values = std::make_unique<std::vector<std::string>>();
    opt = app_->add_option(names, *values)->allow_extra_args(false);
    ignored_values_.push_back(std::move(values));
  } else {
    opt = app_->add_flag(names);
  }
  FlagDoc doc = Doc(names, takes_value ? "  (= )" : "  (= false)", usage + " (accepted; not supported by skein yet)");
  ignored_.emplace_back("--" + LongName(doc), opt);
  docs_.push_back(std::move(doc));
}

absl::Status FlagSet::Finish(std::vector<std::string>* warnings) {
  for (auto& convert : converters_) {
    if (auto s = convert(); !s.ok()) return s;
  }
  for (const auto& [name, opt] : ignored_) {
    if (opt->count() > 0) warnings->push_back(absl::StrCat(name, " is not supported by skein yet; ignored"));
  }
  return absl::OkStatus();
}

std::string ProgramName(const std::string& argv0) {
  const size_t slash = argv0.rfind('/');
  return argv0.substr(slash == std::string::npos ? 0 : slash + 1) == "juju" ? "juju" : "skein";
}

std::string RenderHelp(const std::string& program, const CommandInfo& info, const std::vector<FlagDoc>& flags) {
  std::string out = absl::StrCat("Usage: ", program, " ", info.name, " [options]", info.args.empty() ? "" : " ", info.args,
                                 "\n\nSummary:\n", info.purpose, "\n");
  std::vector<FlagDoc> sorted = flags;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const FlagDoc& a, const FlagDoc& b) { return LongName(a) < LongName(b); });
  sorted.push_back(FlagDoc{{"-h", "--help"}, "  (= false)", "Show help on a command or other topic."});
  out += "\nOptions:\n";
  for (const auto& f : sorted) absl::StrAppend(&out, absl::StrJoin(f.names, ", "), f.default_text, "\n    ", f.usage, "\n");
  if (!info.doc.empty()) absl::StrAppend(&out, "\nDetails:\n", info.doc, info.doc.back() == '\n' ? "" : "\n");
  if (!info.examples.empty()) {
    // The examples are written for `skein`; run as `juju`, they read as the user calls it.
    std::string examples = absl::StrReplaceAll(info.examples, {{"    skein ", absl::StrCat("    ", program, " ")}});
    absl::StrAppend(&out, "\nExamples:\n", examples, examples.back() == '\n' ? "" : "\n");
  }
  if (!info.see_also.empty()) {
    out += "\nSee also:\n";
    for (const auto& s : info.see_also) absl::StrAppend(&out, " - ", s, "\n");
  }
  if (!info.aliases.empty()) absl::StrAppend(&out, "\nAliases: ", absl::StrJoin(info.aliases, ", "), "\n");
  return out;
}

absl::Status SilentError() {
  absl::Status s = absl::AbortedError("");
  s.SetPayload(kSilentMarker, absl::Cord("1"));
  return s;
}

bool IsSilentError(const absl::Status& status) { return status.GetPayload(kSilentMarker).has_value(); }

absl::Status WithExitCode(absl::Status status, int code) {
  status.SetPayload(kExitCodeMarker, absl::Cord(absl::StrCat(code)));
  return status;
}

std::optional<int> ExitCodeOf(const absl::Status& status) {
  auto payload = status.GetPayload(kExitCodeMarker);
  int code = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &code)) return std::nullopt;
  return code;
}

absl::Status UsageError(const std::string& message) { return absl::InvalidArgumentError(message); }

absl::Status CheckNoExtraArgs(const std::vector<std::string>& args, size_t max) {
  if (args.size() <= max) return absl::OkStatus();
  std::vector<std::string> extra;
  for (size_t i = max; i < args.size(); ++i) extra.push_back(Quote(args[i]));
  return UsageError(absl::StrCat("unrecognized args: [", absl::StrJoin(extra, " "), "]"));
}

}  // namespace skein::cli::commands
