#include "tools/cli/commands/cli.h"


#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "tools/cli/commands/command.h"
#include "tools/cli/commands/registry.h"
#include "tools/cli/output/table.h"
#include "tools/cli/output/version.h"

namespace skein::cli::commands {
namespace {

std::vector<std::unique_ptr<Command>> AllCommands() {
  std::vector<std::unique_ptr<Command>> all;
  all.push_back(NewAddModelCommand());
  all.push_back(NewAddSecretCommand());
  all.push_back(NewGrantSecretCommand());
  all.push_back(NewRemoveSecretCommand());
  all.push_back(NewRevokeSecretCommand());
  all.push_back(NewSecretsCommand());
  all.push_back(NewShowSecretCommand());
  all.push_back(NewUpdateSecretCommand());
  all.push_back(NewAddUnitCommand());
  all.push_back(NewApplyCommand());
  all.push_back(NewBootstrapCommand());
  all.push_back(NewConfigCommand());
  all.push_back(NewCreateBackupCommand());
  all.push_back(NewDebugLogCommand());
  all.push_back(NewDeployCommand());
  all.push_back(NewExecCommand());
  all.push_back(NewDiffBundleCommand());
  all.push_back(NewExportBundleCommand());
  all.push_back(NewInfoCommand());
  all.push_back(NewIntegrateCommand());
  all.push_back(NewKillControllerCommand());
  all.push_back(NewManifestsCommand());
  all.push_back(NewModelConfigCommand());
  all.push_back(NewModelsCommand());
  all.push_back(NewRefreshCommand());
  all.push_back(NewAttachResourceCommand());
  all.push_back(NewResourcesCommand());
  all.push_back(NewHistoryCommand());
  all.push_back(NewRollbackCommand());
  all.push_back(NewRemoveApplicationCommand());
  all.push_back(NewRemoveRelationCommand());
  all.push_back(NewRemoveUnitCommand());
  all.push_back(NewResolvedCommand());
  all.push_back(NewRestoreBackupCommand());
  all.push_back(NewRunCommand());
  all.push_back(NewScpCommand());
  all.push_back(NewShowTaskCommand());
  all.push_back(NewShowStorageCommand());
  all.push_back(NewShowUnitCommand());
  all.push_back(NewSshCommand());
  all.push_back(NewAddMachineCommand());
  all.push_back(NewMachinesCommand());
  all.push_back(NewRemoveMachineCommand());
  all.push_back(NewAddSshKeyCommand());
  all.push_back(NewRemoveSshKeyCommand());
  all.push_back(NewSshKeysCommand());
  all.push_back(NewStatusCommand());
  all.push_back(NewStorageCommand());
  all.push_back(NewSwitchCommand());
  all.push_back(NewTrustCommand());
  all.push_back(NewDestroyModelCommand());
  all.push_back(NewShowModelCommand());
  all.push_back(NewModelConstraintsCommand());
  all.push_back(NewSetModelConstraintsCommand());
  all.push_back(NewControllersCommand());
  all.push_back(NewWhoamiCommand());
  all.push_back(NewVersionCommand());
  all.push_back(NewWaitForCommand());
  all.push_back(NewAddK8sCommand());
  all.push_back(NewCloudsCommand());
  all.push_back(NewRemoveCloudCommand());
  all.push_back(NewScaleApplicationCommand());
  return all;
}

std::unique_ptr<Command> FindCommand(const std::string& name) {
  for (auto& c : AllCommands()) {
    CommandInfo info = c->Info();
    if (info.name == name || std::find(info.aliases.begin(), info.aliases.end(), name) != info.aliases.end()) {
      return std::move(c);
    }
  }
  return nullptr;
}

void PrintError(Environment& env, const std::string& message) {
  *env.err << output::Paint("ERROR", output::Style::kBrightRed, env.ColorStderr()) << " " << message << "\n"
           << std::flush;
}

std::string TopLevelHelp(const std::string& program) {
  std::string out =
      "Usage: " + program + " [options] <command> ...\n\n"
      "Summary:\n"
      "skein is a Juju-style operator lifecycle manager: it bootstraps a local controller, deploys\n"
      "charms as applications, integrates them and reports their status, with Juju's commands.\n\n"
      "Options:\n"
      "-h, --help  (= false)\n    Show help on a command or other topic.\n"
      "--version  (= false)\n    Print the version of skein.\n\n"
      "Commands:\n";
  output::Table t(false);
  for (auto& c : AllCommands()) {
    CommandInfo info = c->Info();
    t.AddRow({"    " + info.name, "- " + info.purpose});
    for (const auto& alias : info.aliases) t.AddRow({"    " + alias, "- Alias for '" + info.name + "'."});
  }
  return absl::StrCat(out, t.Render(), "\nRun \"", program, " help <command>\" or \"", program,
                      " <command> --help\" for a command's options.\n");
}

// The option named in a CLI11 error message (`--model: 1 required TEXT missing`).
std::string OptionInMessage(const std::string& what) {
  auto colon = what.find(':');
  return colon == std::string::npos ? what : what.substr(0, colon);
}

std::string ParseErrorText(const CLI::ParseError& e) {
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    return "option needs an argument: " + OptionInMessage(what);
  }
  return what;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, Environment& env) {
  if (args.empty()) {
    *env.out << TopLevelHelp(env.program);
    return 0;
  }
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || (first == "help" && args.size() == 1) ||
      (first == "help" && args[1] == "commands")) {
    *env.out << TopLevelHelp(env.program);
    return 0;
  }
  if (first == "--version") {
    *env.out << output::VersionString() << "\n";
    return 0;
  }
  std::string name = first;
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (first == "help") {
    name = args[1];
    rest = {"--help"};
  }
  std::unique_ptr<Command> command = FindCommand(name);
  if (command == nullptr) {
    PrintError(env, absl::StrCat(env.program, ": \"", name, "\" is not a ", env.program, " command. See \"",
                                 env.program, " --help\"."));
    return 2;
  }

  CommandInfo info = command->Info();
  CLI::App app(info.purpose, info.name);
  app.set_help_flag("-h,--help");
  app.allow_extras(true);
  app.positionals_at_end(info.flags_end_at_first_positional);
  FlagSet flags(&app);
  command->SetFlags(flags);
  std::vector<std::string> positional;
  app.add_option("args", positional);
  std::vector<std::string> reversed(rest.rbegin(), rest.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    *env.out << RenderHelp(env.program, info, flags.docs());
    return 0;
  } catch (const CLI::ParseError& e) {
    PrintError(env, ParseErrorText(e));
    return 2;
  }
  for (const auto& extra : app.remaining()) {
    // CLI11 keeps the `--` that ended the flags (exec, scp) among the extras.
    if (!extra.empty() && extra[0] == '-' && extra != "--") {
      PrintError(env, "option provided but not defined: " + extra);
      return 2;
    }
  }
  std::vector<std::string> warnings;
  absl::Status status = flags.Finish(&warnings);
  if (status.ok()) status = command->Init(positional);
  if (!status.ok()) {
    PrintError(env, std::string(status.message()));
    return 2;
  }
  for (const auto& w : warnings) *env.err << "WARNING " << w << "\n";
  status = command->Run(env);
  env.out->flush();
  if (status.ok()) return 0;
  if (!IsSilentError(status)) PrintError(env, std::string(status.message()));
  if (auto code = ExitCodeOf(status)) return *code;
  return 1;
}

}  // namespace skein::cli::commands
