#include "tools/cli/commands/config_args.h"

#include <set>

#include "lib/base/file_read.h"
#include "lib/base/limits.h"
#include "lib/charm/config.h"
#include "lib/format/output.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/cli/commands/command.h"

namespace skein::cli::commands {
namespace {

// A --config value is `key=value` unless it names a file (no `=`, or a path before it).
bool IsKeyValue(const std::string& arg) {
  auto eq = arg.find('=');
  return eq != std::string::npos && eq > 0 && arg.substr(0, eq).find('/') == std::string::npos;
}

// Reads a config YAML file as Juju's `deploy --config file.yaml` does: the settings under the
// application's name, or the top-level mapping when there is no such key.
absl::Status ReadConfigFile(const std::string& path, const std::string& app,
                            std::map<std::string, std::string>* values) {
  auto text = ReadFileCapped(path, limits::kYamlInput, FileKinds::kAnyReadable);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("cannot read config file \"", path, "\": no such file"));
  }
  if (!text.ok()) return text.status();
  auto doc = skein::format::YamlToJson(*text, skein::format::YamlDialect::kText);
  if (!doc.ok()) return absl::InvalidArgumentError(absl::StrCat("cannot parse \"", path, "\": ", doc.status().message()));
  nlohmann::json settings = *doc;
  if (settings.is_object() && settings.contains(app) && settings[app].is_object()) settings = settings[app];
  if (settings.is_null()) return absl::OkStatus();
  if (!settings.is_object()) return absl::InvalidArgumentError(absl::StrCat("config file \"", path, "\" is not a mapping"));
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    if (it.value().is_string()) {
      (*values)[it.key()] = it.value().get<std::string>();
    } else if (it.value().is_null()) {
      (*values)[it.key()] = "";
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("config file \"", path, "\": option \"", it.key(), "\" must be a scalar"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ConfigFlagValues(const std::vector<std::string>& flags,
                                                                    const std::string& application) {
  std::map<std::string, std::string> config;
  for (const auto& c : flags) {
    if (IsKeyValue(c)) continue;
    if (auto s = ReadConfigFile(c, application, &config); !s.ok()) return s;
  }
  for (const auto& c : flags) {
    if (!IsKeyValue(c)) continue;
    auto eq = c.find('=');
    config[c.substr(0, eq)] = c.substr(eq + 1);
  }
  if (auto s = charm::CheckConfigSizes(config); !s.ok()) return s;
  return config;
}


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
