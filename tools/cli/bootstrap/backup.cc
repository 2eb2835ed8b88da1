#include "tools/cli/bootstrap/backup.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <random>
#include <system_error>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/agent_conf.h"
#include "lib/base/file_write.h"
#include "lib/base/limits.h"
#include "lib/base/time.h"
#include "lib/charm/charm_zip.h"
#include "lib/store/database.h"
#include "tools/cli/bootstrap/bootstrap.h"
#include "tools/cli/bootstrap/controller_port.h"
#include "tools/cli/bootstrap/daemon.h"
#include "tools/cli/bootstrap/local_files.h"
#include "tools/cli/client/client_store.h"
#include "yaml-cpp/yaml.h"

namespace skein::cli::bootstrap {
namespace {

namespace fs = std::filesystem;

constexpr char kDatabase[] = "controller.db";

// Files of the controller's directory that are not its state: the database goes through the
// backup API instead of a file copy, and the rest belong to one running process.
bool LeftOutOfBackup(const fs::path& relative) {
  const std::string name = relative.filename().string();
  if (name == kDatabase || name == "controller.lock" || name == "controller.pid" || name == "supervisor.pid" ||
      name == "address") {
    return true;
  }
  if (absl::StartsWith(name, absl::StrCat(kDatabase, "-"))) return true;  // -wal, -shm, -journal
  if (relative.extension() == ".log") return true;                         // x.log and rotated x.1.log
  // Charm uploads that had not finished (controller/domain/application/charm_store.h).
  for (const auto& part : relative) {
    if (part == "tmp") return true;
  }
  return false;
}

uint32_t ModeOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0600;
  return st.st_mode & 0777;
}

// A private scratch directory beside `path`, so that the finished file is renamed, never copied,
// into place.
absl::StatusOr<std::string> ScratchDirBeside(const std::string& path) {
  fs::path parent = fs::absolute(path).parent_path();
  std::string pattern = (parent / ".skein-backup-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create a temporary directory in ", parent.string(), ": ",
                                            std::strerror(errno)));
  }
  return pattern;
}

absl::Status CheckManifest(const charm::CharmZip& zip, const std::string& backup) {
  auto manifest = zip.ReadSmallFile(kBackupManifest, limits::kCharmYaml);
  if (!manifest.ok()) return manifest.status();
  if (!manifest->has_value() || zip.Find(absl::StrCat("controller/", kDatabase)) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(backup, " is not a skein backup (made by skein create-backup)"));
  }
  int format = 0;
  try {
    format = YAML::Load(**manifest)["format"].as<int>(0);
  } catch (const YAML::Exception&) {
  }
  if (format != kBackupFormat) {
    return absl::InvalidArgumentError(
        absl::StrCat(backup, " has backup format ", format, "; this skein restores format ", kBackupFormat));
  }
  return absl::OkStatus();
}

// Points the restored CLI and machine agent at the restored controller's new address.
absl::Status RewriteAddress(const std::string& data_dir, const std::string& address) {
  if (auto s = WriteFileAtomic(data_dir + "/controller/address", address + "\n", 0600); !s.ok()) return s;
  auto config = client::LoadClientConfig(data_dir);
  if (!config.ok()) return config.status();
  for (auto& [name, entry] : config->controllers) entry.address = address;
  if (auto s = client::SaveClientConfig(data_dir, *config); !s.ok()) return s;
  const std::string agent_conf = data_dir + "/machine-0/agent.conf";
  auto conf = ReadAgentConf(agent_conf);
  if (!conf.ok()) return conf.status();
  conf->controller = address;
  return WriteAgentConf(agent_conf, *conf);
}

}  // namespace

std::string DefaultBackupName(std::chrono::system_clock::time_point now) {
  // FormatRfc3339 gives `2026-12-07T06:45:00Z`; the name keeps its digits.
  std::string stamp;
  for (char c : FormatRfc3339(now)) {
    if (std::isdigit(static_cast<unsigned char>(c))) stamp += c;
  }
  return absl::StrCat("skein-backup-", stamp.substr(0, 8), "-", stamp.substr(8, 6), ".zip");
}

absl::Status CreateBackup(const std::string& data_dir_in, const std::string& out_path, const Clock& clock) {
  const fs::path data_dir = fs::absolute(data_dir_in).lexically_normal();
  const fs::path controller_dir = data_dir / "controller";
  std::error_code ec;
  if (!fs::exists(controller_dir / kDatabase, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("there is no controller in ", data_dir.string(), " to back up (run skein bootstrap first)"));
  }
  auto scratch = ScratchDirBeside(out_path);
  if (!scratch.ok()) return scratch.status();
  absl::Cleanup remove_scratch = [dir = *scratch] {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  };
  const std::string db_copy = *scratch + "/" + kDatabase;
  if (auto s = store::BackupDatabase((controller_dir / kDatabase).string(), db_copy); !s.ok()) return s;

  std::vector<charm::PackEntry> entries;
  entries.push_back({kBackupManifest, charm::EntryKind::kFile, 0600,
                     absl::StrCat("format: ", kBackupFormat, "\ncreated: ", FormatRfc3339(clock.WallNow()), "\n"),
                     ""});
  entries.push_back({"controller", charm::EntryKind::kDirectory, 0700, "", ""});
  entries.push_back({absl::StrCat("controller/", kDatabase), charm::EntryKind::kFile, 0600, "", db_copy});
  for (auto it = fs::recursive_directory_iterator(controller_dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const fs::path relative = fs::relative(it->path(), controller_dir);
    if (LeftOutOfBackup(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const std::string path = ("controller" / relative).generic_string();
    if (it->is_directory()) {
      entries.push_back({path, charm::EntryKind::kDirectory, 0700, "", ""});
    } else if (it->is_regular_file()) {
      entries.push_back({path, charm::EntryKind::kFile, ModeOf(it->path()), "", it->path().string()});
    }
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", controller_dir.string(), ": ", ec.message()));
  for (const char* file : {"client.yaml", "machine-0/agent.conf"}) {
    if (!fs::exists(data_dir / file, ec)) {
      return absl::FailedPreconditionError(absl::StrCat((data_dir / file).string(), " is missing: the controller in ",
                                                        data_dir.string(), " is not complete"));
    }
  }
  entries.push_back({"client.yaml", charm::EntryKind::kFile, 0600, "", (data_dir / "client.yaml").string()});
  entries.push_back({"machine-0", charm::EntryKind::kDirectory, 0700, "", ""});
  entries.push_back({"machine-0/agent.conf", charm::EntryKind::kFile, 0600, "", (data_dir / "machine-0/agent.conf").string()});

  const std::string archive = *scratch + "/backup.zip";
  if (auto s = charm::WriteCharmZip(archive, entries); !s.ok()) return s;
  // The archive holds every credential: only its owner may read it, before it gets its name.
  if (::chmod(archive.c_str(), 0600) != 0) {
    return absl::InternalError(absl::StrCat("cannot make ", archive, " private: ", std::strerror(errno)));
  }
  fs::rename(archive, out_path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot write ", out_path, ": ", ec.message()));
  return absl::OkStatus();
}

absl::Status RestoreBackup(const BootstrapOptions& o, const std::string& backup) {
  std::ostream& progress = *o.progress;
  const std::string data_dir = fs::absolute(o.data_dir).lexically_normal().string();
  std::error_code ec;
  if (fs::exists(data_dir, ec) && !fs::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot restore into ", data_dir,
                     ": it is not empty; restore-backup needs a fresh data directory (set SKEIN_DATA to a new one)"));
  }
  auto zip = charm::CharmZip::Open(backup);
  if (!zip.ok()) {
    if (zip.status().code() == absl::StatusCode::kNotFound) return zip.status();
    return absl::InvalidArgumentError(
        absl::StrCat(backup, " is not a skein backup (made by skein create-backup): ", zip.status().message()));
  }
  if (auto s = CheckManifest(**zip, backup); !s.ok()) return s;
  if (auto s = CheckDaemonBinaries(o); !s.ok()) return s;

  progress << "Restoring " << backup << " into " << data_dir << "\n";
  if (auto s = MakePrivateDir(data_dir); !s.ok()) return s;
  if (auto s = (*zip)->ExtractTo(data_dir); !s.ok()) return s;
  fs::remove(fs::path(data_dir) / kBackupManifest, ec);
  for (const char* dir : {"controller", "machine-0"}) ::chmod((fs::path(data_dir) / dir).c_str(), 0700);
  // A machine whose units ran under their own uids goes on so: they pass through to their dirs.
  if (auto conf = ReadAgentConf(data_dir + "/machine-0/agent.conf"); conf.ok() && conf->unit_uids) {
    ::chmod(data_dir.c_str(), 0711);
  }

  std::mt19937 rng(std::random_device{}());
  auto port = PickControllerPort(HostControllerPortRange(), rng);
  if (!port.ok()) return port.status();
  if (auto s = RewriteAddress(data_dir, absl::StrCat("127.0.0.1:", *port)); !s.ok()) return s;

  // The daemons run as bootstrap runs them: under skein-supervisor unless --service=none.
  auto controller = StartDaemon(SupervisedAsBootstrapRunsIt(ControllerDaemonSpec(o), o, data_dir + "/controller"), *o.clock);
  if (!controller.ok()) return controller.status();
  progress << " - " << kControllerBinary << " (pid " << controller->pid << ") serving on " << controller->ready_line
           << "\n";
  auto machine = StartDaemon(SupervisedAsBootstrapRunsIt(MachineAgentDaemonSpec(o), o, data_dir + "/machine-0"), *o.clock);
  if (!machine.ok()) return machine.status();
  progress << " - " << kMachineAgentBinary << " (pid " << machine->pid << ")\n"
           << "Restore complete: the machine agent starts a unit agent for every unit again\n";
  return absl::OkStatus();
}

}  // namespace skein::cli::bootstrap
