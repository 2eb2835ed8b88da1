#pragma once

// `skein create-backup` and `skein restore-backup`: a local controller's state as one zip file
// (lib/charm/charm_zip.h writes and checks it), mode 0600 because it holds every credential.
//
//   skein-backup.yaml          `format: 1` and when the backup was made
//   controller/controller.db   a copy made with SQLite's online backup API while the controller
//                              runs (lib/store/database.h BackupDatabase)
//   controller/...             every other file of the controller's directory (charm archives,
//                              bootstrap.yaml, keys and certificates), but not its logs, lock,
//                              pid file, address or the database's WAL files
//   client.yaml                the admin credential and the CLI's controllers and models
//   machine-0/agent.conf       machine 0's credential (its unit agents are made anew: the
//                              machine agent starts one for each unit of the restored model)
//
// The database is copied first, then the files, so that every charm archive the copy names is
// in the backup (the controller removes an unused archive only after a grace period).

#include <chrono>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "tools/cli/bootstrap/bootstrap.h"

namespace skein::cli::bootstrap {

inline constexpr int kBackupFormat = 1;
inline constexpr char kBackupManifest[] = "skein-backup.yaml";

// The default file name in the working directory: `skein-backup-20261207-064500.zip`.
std::string DefaultBackupName(std::chrono::system_clock::time_point now);

// Writes the backup of the controller in `data_dir` to `out_path` (replacing it), mode 0600.
// FailedPrecondition when `data_dir` holds no controller; Internal on I/O or SQLite errors.
absl::Status CreateBackup(const std::string& data_dir, const std::string& out_path, const Clock& clock);

// Unpacks `backup` into `daemons.data_dir`, gives the controller a new port (the old one may
// still be served by the controller that was backed up) and rewrites the address in client.yaml
// and machine-0/agent.conf, then starts the controller and the machine agent as bootstrap does.
// `daemons` says where the data directory is and how the daemons start, as for Bootstrap (its
// controller name, cloud and region are not used: they come from the backup). Errors:
// FailedPrecondition when the data directory is not empty; InvalidArgument when `backup` is not
// a skein backup; NotFound when it does not exist.
absl::Status RestoreBackup(const BootstrapOptions& daemons, const std::string& backup);

}  // namespace skein::cli::bootstrap
