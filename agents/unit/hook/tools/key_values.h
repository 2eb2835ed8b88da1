#pragma once

// The settings syntax several tools share (relation-set, state-set, leader-set).

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agents/unit/hook/tools/command.h"

namespace skein::agent::tools {

// Juju's keyvalues.Parse(args, allowEmptyValues=true): every arg is `key=value`; a key may be
// given once. InvalidArgument `expected "key=value", got "x"` / `key "k" specified more than once`.
absl::Status ParseKeyValues(const std::vector<std::string>& args, std::map<std::string, std::string>* out);

// Go's yaml.Unmarshal(data, map[string]string): a YAML (or JSON) map of scalars; a plain null
// becomes "". InvalidArgument with yaml.v2's texts (`yaml: line 2: <reason>`,
// `yaml: unmarshal errors: ...`), or the YAML budget's error after `source` (the --file
// argument; `-` reads as "stdin"): `stdin: YAML expands to more than 250000 nodes (limit); ...`.
absl::Status ParseSettingsYaml(const std::string& text, const std::string& source,
                               std::map<std::string, std::string>* out);

// `--file` (a path, or `-` for stdin) read and parsed as ParseSettingsYaml does, then the
// key=value `overrides` applied over it. NeedsStdin() while the client has not sent stdin.
absl::Status ReadSettings(RunContext& ctx, const std::string& file, const std::map<std::string, std::string>& overrides,
                          std::map<std::string, std::string>* out);

}  // namespace skein::agent::tools
