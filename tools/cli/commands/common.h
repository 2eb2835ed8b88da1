#pragma once

// Flags and steps many commands share: -m/--model, --format, -o/--output, connecting to the
// controller of the target model.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "lib/base/clock.h"
#include "tools/cli/bootstrap/bootstrap.h"
#include "tools/cli/client/client_store.h"
#include "tools/cli/client/connection.h"
#include "tools/cli/client/model_ref.h"
#include "tools/cli/commands/command.h"
#include "tools/cli/commands/environment.h"

namespace skein::cli::commands {

void AddModelFlag(FlagSet& flags, std::string* model);
void AddFormatFlag(FlagSet& flags, std::string* format, const std::vector<std::string>& allowed);
void AddOutputFlag(FlagSet& flags, std::string* output);

// InvalidArgument `invalid value "x" for option --format: unknown format "x"` unless allowed.
absl::Status CheckFormat(const std::string& format, const std::vector<std::string>& allowed);

// A data document rendered as `format` (json or yaml, output::RenderData) to stdout or -o FILE.
absl::Status WriteData(Environment& env, const std::string& output_file, const nlohmann::json& doc,
                       const std::string& format);

// `--wait[=duration]` of deploy, refresh and rollback: bare it waits up to 10m.
struct WaitFlag {
  bool given = false;
  std::string text;
  std::optional<Clock::Duration> timeout;  // set by Parse when the flag was given

  void Add(FlagSet& flags, const std::string& usage);
  // Usage error `invalid value "x" for option --wait: time: invalid duration "x"` (Go's
  // duration syntax, lib/base/duration.h), or `...: not positive`.
  absl::Status Parse();
};

// A connection to the controller of the target model.
struct Session {
  client::ClientConfig config;
  client::Target target;
  std::unique_ptr<client::Connection> connection;

  const std::string& model() const { return target.model; }
};

// Loads client.yaml, resolves `model_flag` (or the current model) and opens a connection.
// Errors are ResolveTarget's (No controllers registered..., controller "x" not found, ...).
absl::StatusOr<Session> Connect(Environment& env, const std::string& model_flag);

// The controller only (for commands that do not work on a model: add-model, models, switch).
// With a non-empty `controller_flag` (-c/--controller), NotFound `controller "x" not found` unless
// it names the current controller, the only one a client here knows.
absl::StatusOr<Session> ConnectController(Environment& env, const std::string& controller_flag = "");

// -c/--controller of the commands that work on a controller rather than a model.
void AddControllerFlag(FlagSet& flags, std::string* controller);

// A command that reads from the target model and prints what it found: -m/--model, --format
// (the first of `formats` is the default) and -o/--output, no positional arguments unless
// InitArgs takes them, and a connection made before Query runs. The listing commands (machines,
// ssh-keys, storage, show-storage, resources) differ only in their request and rendering.
class ModelQueryCommand : public Command {
 public:
  explicit ModelQueryCommand(std::vector<std::string> formats);

  void SetFlags(FlagSet& f) final;
  absl::Status Init(const std::vector<std::string>& args) final;
  absl::Status Run(Environment& env) final;

 protected:
  // The command's own flags beside the three shared ones.
  virtual void AddFlags(FlagSet&) {}
  // Checks the positional arguments (usage errors); by default there must be none.
  virtual absl::Status InitArgs(const std::vector<std::string>& args);
  virtual absl::Status Query(Environment& env, Session& session) = 0;

  const std::string& format() const { return format_; }
  // Text to -o FILE or stdout.
  absl::Status PrintText(Environment& env, const std::string& text) const;
  // A data document rendered in the chosen format (json or yaml) to -o FILE or stdout.
  absl::Status PrintData(Environment& env, const nlohmann::json& doc) const;

 private:
  std::vector<std::string> formats_;
  std::string model_;
  std::string format_;
  std::string output_;
};

// How bootstrap and restore-backup start the local daemons: $SKEIN_DATA, the binaries next to
// skein, progress on stderr and the controller's test knobs from the environment.
bootstrap::BootstrapOptions LocalDaemonOptions(const Environment& env);

}  // namespace skein::cli::commands
