#pragma once

// `--format` and `-o/--output` for the tools that print a value (juju/cmd's cmd.Output).
//
//   smart (default for most tools)  strings raw, lists one item a line, booleans True/False,
//                                   null prints nothing, maps as YAML
//   yaml                            nothing for null
//   json                            compact, `\n`-terminated; null prints `null`
//
// `-o FILE` writes the rendered value to FILE (relative to the tool's cwd) instead of stdout.
// An unknown format is a usage error: `invalid value "x" for option --format: unknown format "x"`.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agents/unit/hook/tools/command.h"
#include "agents/unit/hook/tools/gnuflag_parser.h"
#include "nlohmann/json.hpp"

namespace skein::agent::tools {

class Output {
 public:
  // Adds `--format` (defaulting to `default_format`, one of `formats`) and `-o`/`--output`.
  void AddFlags(FlagSet& flags, const std::string& default_format = "smart",
                std::vector<std::string> formats = {"json", "smart", "yaml"});
  // Renders `value` and writes it to stdout or the -o file. Errors (exit 1): the file cannot be
  // written (`open /x/y: no such file or directory`), or the value cannot be rendered.
  absl::Status Write(RunContext& ctx, const nlohmann::json& value);
  // The chosen format name.
  std::string Name() const;

 private:
  class FormatValue;
  std::shared_ptr<FormatValue> format_;
  std::string out_path_;
};

// Renders `value` as Juju's formatters would (see above). Integral floats print as integers,
// as Go's encoders print float64(3) as `3`; invalid UTF-8 in strings becomes U+FFFD as in Go.
absl::StatusOr<std::string> RenderValue(const nlohmann::json& value, const std::string& format);

}  // namespace skein::agent::tools
