// create-backup, restore-backup (tools/cli/bootstrap/backup.h).

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "tools/cli/bootstrap/backup.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/registry.h"

namespace skein::cli::commands {
namespace {

class CreateBackupCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"create-backup",
            "",
            "Create a backup.",
            "Writes the local controller's state to one zip file, readable only by you (mode 0600):\n"
            "a copy of its database made with SQLite's online backup while the controller runs,\n"
            "its other files (charm archives, keys, certificates), client.yaml with the admin\n"
            "credential and machine 0's agent.conf. Logs are not included. `skein restore-backup`\n"
            "brings it back into an empty data directory.\n",
            "    skein create-backup\n    skein create-backup --file /srv/backups/skein.zip\n",
            {},
            {"restore-backup"}};
  }
  void SetFlags(FlagSet& f) override {
    f.String("--file,--filename", &file_, "Write the backup here (default: skein-backup-<date>-<time>.zip)");
  }
  absl::Status Init(const std::vector<std::string>& args) override { return CheckNoExtraArgs(args, 0); }
  absl::Status Run(Environment& env) override {
    std::string file = file_.empty() ? bootstrap::DefaultBackupName(env.clock->WallNow()) : file_;
    if (auto s = bootstrap::CreateBackup(env.data_dir, file, *env.clock); !s.ok()) return s;
    *env.out << "Backup written to " << std::filesystem::absolute(file).lexically_normal().string() << "\n";
    return absl::OkStatus();
  }

 private:
  std::string file_;
};

class RestoreBackupCommand : public Command {
 public:
  CommandInfo Info() const override {
    return {"restore-backup",
            "<backup file>",
            "Restore a backup into a fresh data directory.",
            "Unpacks a file `skein create-backup` wrote into $SKEIN_DATA, which must be empty or\n"
            "missing, and starts its controller (on a new port) and machine 0's agent, which starts\n"
            "a unit agent for every unit again. The units run their install and start hooks anew\n"
            "on this machine.\n",
            "    SKEIN_DATA=/srv/skein-restored skein restore-backup skein-backup-20261207-064500.zip\n",
            {},
            {"create-backup"}};
  }
  void SetFlags(FlagSet& f) override {}
  absl::Status Init(const std::vector<std::string>& args) override {
    if (args.empty()) return UsageError("restore-backup needs the backup file");
    if (auto s = CheckNoExtraArgs(args, 1); !s.ok()) return s;
    file_ = args[0];
    return absl::OkStatus();
  }
  absl::Status Run(Environment& env) override {
    return bootstrap::RestoreBackup(LocalDaemonOptions(env), std::filesystem::absolute(file_).lexically_normal().string());
  }

 private:
  std::string file_;
};

}  // namespace

std::unique_ptr<Command> NewCreateBackupCommand() { return std::make_unique<CreateBackupCommand>(); }
std::unique_ptr<Command> NewRestoreBackupCommand() { return std::make_unique<RestoreBackupCommand>(); }

}  // namespace skein::cli::commands
