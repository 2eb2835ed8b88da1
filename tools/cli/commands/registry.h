#pragma once

// One factory per command; cli.cc lists them. Each lives in the file named after its group.

#include <memory>

#include "tools/cli/commands/command.h"

namespace skein::cli::commands {

// controller_commands.cc
std::unique_ptr<Command> NewBootstrapCommand();
std::unique_ptr<Command> NewKillControllerCommand();
std::unique_ptr<Command> NewVersionCommand();
// backup_commands.cc
std::unique_ptr<Command> NewCreateBackupCommand();
std::unique_ptr<Command> NewRestoreBackupCommand();
// model_commands.cc
std::unique_ptr<Command> NewAddModelCommand();
std::unique_ptr<Command> NewModelsCommand();
std::unique_ptr<Command> NewSwitchCommand();
// model_lifecycle_commands.cc
std::unique_ptr<Command> NewDestroyModelCommand();
std::unique_ptr<Command> NewShowModelCommand();
std::unique_ptr<Command> NewModelConstraintsCommand();
std::unique_ptr<Command> NewSetModelConstraintsCommand();
// whoami_commands.cc
std::unique_ptr<Command> NewControllersCommand();
std::unique_ptr<Command> NewWhoamiCommand();
// deploy_command.cc
std::unique_ptr<Command> NewDeployCommand();
// refresh_command.cc
std::unique_ptr<Command> NewRefreshCommand();
// resource_commands.cc
std::unique_ptr<Command> NewAttachResourceCommand();
std::unique_ptr<Command> NewResourcesCommand();
// application_commands.cc
std::unique_ptr<Command> NewIntegrateCommand();
std::unique_ptr<Command> NewRemoveRelationCommand();
std::unique_ptr<Command> NewAddUnitCommand();
std::unique_ptr<Command> NewRemoveUnitCommand();
std::unique_ptr<Command> NewRemoveApplicationCommand();
// config_command.cc
std::unique_ptr<Command> NewConfigCommand();
std::unique_ptr<Command> NewTrustCommand();
// status_commands.cc
std::unique_ptr<Command> NewStatusCommand();
std::unique_ptr<Command> NewShowUnitCommand();
// action_commands.cc
std::unique_ptr<Command> NewRunCommand();
std::unique_ptr<Command> NewShowTaskCommand();
// exec_command.cc
std::unique_ptr<Command> NewExecCommand();
// machine_commands.cc
std::unique_ptr<Command> NewAddMachineCommand();
std::unique_ptr<Command> NewMachinesCommand();
std::unique_ptr<Command> NewRemoveMachineCommand();
// ssh_key_commands.cc
std::unique_ptr<Command> NewAddSshKeyCommand();
std::unique_ptr<Command> NewRemoveSshKeyCommand();
std::unique_ptr<Command> NewSshKeysCommand();
// ssh_commands.cc
std::unique_ptr<Command> NewSshCommand();
std::unique_ptr<Command> NewScpCommand();
// debug_log_command.cc
std::unique_ptr<Command> NewDebugLogCommand();
// resolve_commands.cc
std::unique_ptr<Command> NewResolvedCommand();
// model_config_command.cc
std::unique_ptr<Command> NewModelConfigCommand();
// info_command.cc
std::unique_ptr<Command> NewInfoCommand();
// history_commands.cc
std::unique_ptr<Command> NewHistoryCommand();
std::unique_ptr<Command> NewRollbackCommand();
// wait_command.cc
std::unique_ptr<Command> NewWaitForCommand();
// bundle_export_diff_commands.cc
std::unique_ptr<Command> NewDiffBundleCommand();
std::unique_ptr<Command> NewExportBundleCommand();
// manifest_commands.cc
std::unique_ptr<Command> NewManifestsCommand();
std::unique_ptr<Command> NewApplyCommand();
// secret_commands.cc
std::unique_ptr<Command> NewAddSecretCommand();
std::unique_ptr<Command> NewUpdateSecretCommand();
std::unique_ptr<Command> NewRemoveSecretCommand();
std::unique_ptr<Command> NewSecretsCommand();
std::unique_ptr<Command> NewShowSecretCommand();
std::unique_ptr<Command> NewGrantSecretCommand();
std::unique_ptr<Command> NewRevokeSecretCommand();
// storage_commands.cc
std::unique_ptr<Command> NewStorageCommand();
std::unique_ptr<Command> NewShowStorageCommand();

}  // namespace skein::cli::commands
