#pragma once

// The shape every `skein` command has, after Juju's cmd.Command: Info (help text), flags,
// Init (argument validation; an error there is a usage error, exit 2) and Run (the work; an
// error there is a runtime error, exit 1).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"

namespace skein::cli::commands {

struct Environment;

struct CommandInfo {
  std::string name;
  std::string args;        // `<charm directory> [<application name>]`
  std::string purpose;     // one line, Summary:
  std::string doc;         // Details:
  std::string examples;    // Examples: (already indented)
  std::vector<std::string> aliases;
  std::vector<std::string> see_also;
  // Flags end at the first positional argument: everything after it is passed on as it is
  // (`ssh TARGET -i KEY cmd`), as for a command that runs another.
  bool flags_end_at_first_positional = false;
};

// One documented flag, for the help text.
struct FlagDoc {
  std::vector<std::string> names;  // `-m`, `--model`
  std::string default_text;        // `(= "")` / `(= false)` / `(= )`
  std::string usage;
};

// Registers flags in a CLI11 app and remembers them for Juju-style help. Integers are read as
// text and converted after parsing so that a bad value gets Juju's wording.
class FlagSet {
 public:
  explicit FlagSet(CLI::App* app) : app_(app) {}

  // `names` like "-m,--model". The current value of the variable is the default shown.
  void String(const std::string& names, std::string* value, const std::string& usage);
  void Bool(const std::string& names, bool* value, const std::string& usage);
  // Repeatable: every occurrence takes exactly one value.
  void Strings(const std::string& names, std::vector<std::string>* values, const std::string& usage);
  void Int(const std::string& names, int* value, const std::string& usage);
  // A flag whose value may only follow `=` (`--wait`, `--wait=5m`), so that it never takes the
  // next argument: `*given` tells whether it was used, `*value` is its value, or `bare` when it
  // came without one.
  void OptionalValue(const std::string& names, bool* given, std::string* value, const std::string& bare,
                     const std::string& usage);
  // Accepted for compatibility with Juju's flags but without effect yet; a use prints a warning.
  void Ignored(const std::string& names, bool takes_value, const std::string& usage);

  // Converts the integer flags and reports ignored flags. InvalidArgument with Juju's text
  // `invalid value "x" for option --num-units: expected an integer`.
  absl::Status Finish(std::vector<std::string>* warnings);

  const std::vector<FlagDoc>& docs() const { return docs_; }

 private:
  FlagDoc Doc(const std::string& names, const std::string& default_text, const std::string& usage);

  CLI::App* app_;
  std::vector<FlagDoc> docs_;
  std::vector<std::function<absl::Status()>> converters_;
  std::vector<std::pair<std::string, CLI::Option*>> ignored_;
  std::vector<std::unique_ptr<std::string>> owned_texts_;
  std::vector<std::unique_ptr<std::vector<std::string>>> ignored_values_;
};

class Command {
 public:
  virtual ~Command() = default;
  virtual CommandInfo Info() const = 0;
  virtual void SetFlags(FlagSet& flags) = 0;
  // Validates positional arguments (flags are already set). InvalidArgument = usage error.
  virtual absl::Status Init(const std::vector<std::string>& args) = 0;
  virtual absl::Status Run(Environment& env) = 0;
};

// Juju's help layout: Usage, Summary, Options, Details, Examples, See also.
std::string RenderHelp(const std::string& program, const CommandInfo& info, const std::vector<FlagDoc>& flags);

// `juju` when argv[0]'s file name is `juju` (a link to skein), else `skein`.
std::string ProgramName(const std::string& argv0);

// An error Run returns after it has already printed its own messages (exit 1, nothing more).
absl::Status SilentError();
bool IsSilentError(const absl::Status& status);

// `status` (not OK) carrying `code` as the process exit code (`diff-bundle --exit-code`: 2 on
// error); RunCli prints the message as usual, then exits with the code.
absl::Status WithExitCode(absl::Status status, int code);
// The code WithExitCode attached, if any.
std::optional<int> ExitCodeOf(const absl::Status& status);

// A usage error (exit 2).
absl::Status UsageError(const std::string& message);

// `unrecognized args: ["a" "b"]` (Juju's wording) when `args` has more than `max` items.
absl::Status CheckNoExtraArgs(const std::vector<std::string>& args, size_t max);

}  // namespace skein::cli::commands
