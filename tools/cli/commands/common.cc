#include "tools/cli/commands/common.h"

#include "tools/cli/output/render.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/duration.h"
#include "lib/base/status_macros.h"

namespace skein::cli::commands {

void WaitFlag::Add(FlagSet& flags, const std::string& usage) { flags.OptionalValue("--wait", &given, &text, "10m", usage); }

absl::Status WaitFlag::Parse() {
  if (!given) return absl::OkStatus();
  auto d = ParseDuration(text);
  if (!d.ok()) {
    return UsageError(absl::StrCat("invalid value \"", text, "\" for option --wait: ", d.status().message()));
  }
  if (d->count() <= 0) return UsageError(absl::StrCat("invalid value \"", text, "\" for option --wait: not positive"));
  timeout = std::chrono::duration_cast<Clock::Duration>(*d);
  return absl::OkStatus();
}

void AddModelFlag(FlagSet& flags, std::string* model) {
  flags.String("-m,--model", model, "Model to operate in. Accepts [<controller name>:][<user>/]<model name>");
}

void AddFormatFlag(FlagSet& flags, std::string* format, const std::vector<std::string>& allowed) {
  flags.String("--format", format, absl::StrCat("Specify output format (", absl::StrJoin(allowed, "|"), ")"));
}

void AddOutputFlag(FlagSet& flags, std::string* output) {
  flags.String("-o,--output", output, "Specify an output file");
}

absl::Status WriteData(Environment& env, const std::string& output_file, const nlohmann::json& doc,
                       const std::string& format) {
  auto text = output::RenderData(doc, format);
  if (!text.ok()) return text.status();
  return WriteOutput(env, output_file, *text);
}

absl::Status CheckFormat(const std::string& format, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), format) != allowed.end()) return absl::OkStatus();
  return UsageError(absl::StrCat("invalid value \"", format, "\" for option --format: unknown format \"", format, "\""));
}

absl::StatusOr<Session> Connect(Environment& env, const std::string& model_flag) {
  Session session;
  auto config = client::LoadClientConfig(env.data_dir);
  if (!config.ok()) return config.status();
  session.config = *config;
  auto target = client::ResolveTarget(session.config, model_flag);
  if (!target.ok()) return target.status();
  session.target = *target;
  session.connection =
      std::make_unique<client::Connection>(env.data_dir, session.target.controller_name, session.target.controller);
  return session;
}

void AddControllerFlag(FlagSet& flags, std::string* controller) {
  flags.String("-c,--controller", controller, "Controller to operate in");
}

absl::StatusOr<Session> ConnectController(Environment& env, const std::string& controller_flag) {
  Session session;
  auto config = client::LoadClientConfig(env.data_dir);
  if (!config.ok()) return config.status();
  session.config = *config;
  auto current = client::CurrentController(session.config);
  if (!current.ok()) return current.status();
  session.target.controller_name = current->first;
  session.target.controller = current->second;
  session.target.model = current->second.current_model;
  session.connection =
      std::make_unique<client::Connection>(env.data_dir, session.target.controller_name, session.target.controller);
  if (!controller_flag.empty() && controller_flag != session.target.controller_name) {
    return absl::NotFoundError(absl::StrCat("controller \"", controller_flag, "\" not found"));
  }
  return session;
}

bootstrap::BootstrapOptions LocalDaemonOptions(const Environment& env) {
  bootstrap::BootstrapOptions o;
  o.data_dir = env.data_dir;
  o.bin_dir = env.bin_dir;
  o.ready_timeout = env.ready_timeout;
  o.progress = env.err;
  o.clock = env.clock;
  o.controller_lease_duration = env.controller_lease_duration;
  o.systemd_dir = env.systemd_dir;
  return o;
}

ModelQueryCommand::ModelQueryCommand(std::vector<std::string> formats)
    : formats_(std::move(formats)), format_(formats_.front()) {}

void ModelQueryCommand::SetFlags(FlagSet& f) {
  AddModelFlag(f, &model_);
  AddFormatFlag(f, &format_, formats_);
  AddOutputFlag(f, &output_);
  AddFlags(f);
}

absl::Status ModelQueryCommand::Init(const std::vector<std::string>& args) {
  RETURN_IF_ERROR(CheckFormat(format_, formats_));
  return InitArgs(args);
}

absl::Status ModelQueryCommand::InitArgs(const std::vector<std::string>& args) { return CheckNoExtraArgs(args, 0); }

absl::Status ModelQueryCommand::Run(Environment& env) {
  ASSIGN_OR_RETURN(Session session, Connect(env, model_));
  return Query(env, session);
}

absl::Status ModelQueryCommand::PrintText(Environment& env, const std::string& text) const {
  return WriteOutput(env, output_, text);
}

absl::Status ModelQueryCommand::PrintData(Environment& env, const nlohmann::json& doc) const {
  return WriteData(env, output_, doc, format_);
}

}  // namespace skein::cli::commands
