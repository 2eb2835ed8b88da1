#pragma once

// The argument rules `juju config` and `juju model-config` share: `key` reads one value,
// `key=value` sets, `--reset k1,k2` (repeatable) resets, `--file` sets from YAML; reading does
// not mix with setting or resetting.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace skein::cli::commands {

struct ConfigArgs {
  std::string get_key;  // empty = every value (or a set/reset)
  std::vector<std::pair<std::string, std::string>> sets;
  std::vector<std::string> resets;
};

// Usage errors with Juju's texts: `expected "key=value", got "=1"`,
// `cannot set and retrieve values simultaneously`, `cannot reset and retrieve values
// simultaneously`, `can only retrieve a single value, or all values`,
// `cannot set and reset key "k" simultaneously`.
absl::StatusOr<ConfigArgs> ParseConfigArgs(const std::vector<std::string>& args,
                                           const std::vector<std::string>& reset_flags, bool has_file);

// The values of repeated `--config` flags of deploy, refresh and add-model (with an empty
// `application`), as Juju reads them: each is
// `key=value` or a YAML file (the settings under the application's name, or its top-level
// mapping); key=value pairs win over files. NotFound `cannot read config file "f": no such
// file`, InvalidArgument for a file that is not a mapping of scalars, and the config size caps.
absl::StatusOr<std::map<std::string, std::string>> ConfigFlagValues(const std::vector<std::string>& flags,
                                                                    const std::string& application);

}  // namespace skein::cli::commands
