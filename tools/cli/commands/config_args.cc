#include "tools/cli/commands/config_args.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/cli/commands/command.h"

namespace skein::cli::commands {

absl::StatusOr<ConfigArgs> ParseConfigArgs(const std::vector<std::string>& args,
                                           const std::vector<std::string>& reset_flags, bool has_file) {
  ConfigArgs out;
  std::vector<std::string> gets;
  for (const auto& arg : args) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      gets.push_back(arg);
    } else {
      if (eq == 0) return UsageError(absl::StrCat("expected \"key=value\", got \"", arg, "\""));
      out.sets.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
    }
  }
  for (const auto& r : reset_flags) {
    for (auto key : absl::StrSplit(r, ',', absl::SkipWhitespace())) out.resets.emplace_back(key);
  }
  const bool setting = !out.sets.empty() || has_file;
  if (!gets.empty() && setting) return UsageError("cannot set and retrieve values simultaneously");
  if (!gets.empty() && !out.resets.empty()) return UsageError("cannot reset and retrieve values simultaneously");
  if (gets.size() > 1) return UsageError("can only retrieve a single value, or all values");
  if (gets.size() == 1) out.get_key = gets[0];
  std::set<std::string> reset_set(out.resets.begin(), out.resets.end());
  for (const auto& [k, v] : out.sets) {
    if (reset_set.count(k)) return UsageError(absl::StrCat("cannot set and reset key \"", k, "\" simultaneously"));
  }
  return out;
}

}  // namespace skein::cli::commands
