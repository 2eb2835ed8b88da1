#pragma once

// Command-line parsing the way Juju's hook tools do it (github.com/juju/gnuflag as configured by
// juju/cmd with flags "known as" options):
//
//   --flag value   --flag=value   -f value   -fvalue   -abc (one-letter booleans together)
//   positionals may be interspersed with flags; `--` ends the flags; `-` is a positional
//   booleans take no separate value but accept `--flag=<strconv.ParseBool text>`
//   `-h`/`--help` (unless defined) asks for help
//
// Charms depend on these details: ops 2.x puts flags after positionals, ops 3.x passes
// `--application=True`, and messages after `--` may start with `-`.
//
// Error texts are Juju's: `option provided but not defined: -x`, `option needs an argument: -r`,
// `invalid value "x" for option -r: <why>`.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace skein::agent::tools {

// A flag's value, like gnuflag.Value. Set parses the text given on the command line; its error
// message becomes the `<why>` of `invalid value "x" for option -r: <why>`. String is the current
// value, shown as the default in help.
class FlagValue {
 public:
  virtual ~FlagValue() = default;
  virtual absl::Status Set(const std::string& text) = 0;
  virtual std::string String() const = 0;
  // Boolean flags need no separate argument.
  virtual bool IsBool() const { return false; }
  // Plain string flags show their default quoted in help (`-o, --output (= "")`).
  virtual bool QuoteDefault() const { return false; }
};

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
// InvalidArgument `strconv.ParseBool: parsing "x": invalid syntax` otherwise.
absl::Status ParseGoBool(const std::string& text, bool* out);

// Go's %q for one string (double quotes, backslash escapes for quotes and control bytes).
std::string GoQuote(const std::string& s);
// Go's %q for a []string: `["a" "b"]`.
std::string GoQuoteList(const std::vector<std::string>& items);

class FlagSet {
 public:
  enum class Outcome { kOk, kHelp, kError };
  struct Result {
    Outcome outcome = Outcome::kOk;
    std::string error;  // set for kError, without the `ERROR ` prefix
  };

  // Registers `value` under every name in `names` (one letter: `-x`, longer: `--name`); all
  // names share the value, as Juju's `-r`/`--relation` do.
  void Var(std::shared_ptr<FlagValue> value, std::vector<std::string> names, std::string usage);
  void BoolVar(bool* target, std::vector<std::string> names, std::string usage);
  void StringVar(std::string* target, std::vector<std::string> names, std::string usage);

  // Parses `args` (argv without the command name). Positionals are available from Args().
  Result Parse(const std::vector<std::string>& args);
  const std::vector<std::string>& Args() const { return args_; }

  bool Empty() const { return flags_.empty(); }
  // The option list for help, as gnuflag's PrintDefaults writes it:
  //   -r, --relation  (= db:1)
  //       Specify a relation by id
  std::string Defaults() const;

 private:
  struct Flag {
    std::vector<std::string> names;  // sorted shortest first, for help
    std::shared_ptr<FlagValue> value;
    std::string usage;
    std::string default_text;  // value when registered
  };
  const Flag* Find(const std::string& name) const;

  std::vector<Flag> flags_;
  std::vector<std::string> args_;
};

}  // namespace skein::agent::tools
