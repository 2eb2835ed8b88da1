#include "tools/cli/bootstrap/systemd_units.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/file_write.h"
#include "lib/base/sha256.h"
#include "lib/process/subprocess.h"
#include "tools/cli/bootstrap/bootstrap.h"

namespace skein::cli::bootstrap {
namespace fs = std::filesystem;
namespace {

// systemd splits ExecStart= on spaces and treats `\`, `"`, `'`, `%` and `$` specially: such an
// argument is double-quoted with those characters escaped.
std::string QuoteArg(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\"'\\%$;") == std::string::npos) return arg;
  std::string out = "\"";
  for (char c : arg) {
    if (c == '%') {
      out += "%%";
      continue;
    }
    if (c == '$') {
      out += "$$";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string ExecLine(const std::vector<std::string>& argv) {
  std::vector<std::string> quoted;
  for (const auto& a : argv) quoted.push_back(QuoteArg(a));
  return absl::StrJoin(quoted, " ");
}

const char* const kSuffixes[] = {"-controller.service", "-machine-agent.service"};

absl::Status Systemctl(const std::vector<std::string>& args) {
  process::SpawnOptions o;
  o.argv = {"/usr/bin/systemctl"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  auto r = process::Run(o, std::chrono::seconds(60));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(absl::StrCat("systemctl ", absl::StrJoin(args, " "), " failed: ", r->stderr_text));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SystemdUnitPrefix(const std::string& data_dir) {
  return absl::StrCat("skein-", Sha256Hex(fs::path(data_dir).lexically_normal().string()).substr(0, 12));
}

std::vector<SystemdUnit> SystemdUnits(const SystemdUnitsSpec& spec) {
  const std::string prefix = SystemdUnitPrefix(spec.data_dir);
  const std::string controller_dir = spec.data_dir + "/controller";
  const std::string machine_dir = spec.data_dir + "/machine-0";
  std::vector<std::string> controller_argv = {spec.bin_dir + "/" + kControllerBinary, "--data-dir", controller_dir};
  controller_argv.insert(controller_argv.end(), spec.controller_args.begin(), spec.controller_args.end());
  const std::string controller_unit = prefix + kSuffixes[0];
  // Restart=on-failure matches skein-supervisor: a clean exit (SIGTERM, code 0) is not restarted.
  auto service = [](const std::string& description, const std::string& exec, const std::string& log,
                    const std::string& extra_unit) {
    return absl::StrCat("[Unit]\nDescription=", description, "\n", extra_unit,
                        "\n[Service]\nType=simple\nExecStart=", exec,
                        "\nRestart=on-failure\nRestartSec=1s\nTimeoutStopSec=15s\n"
                        "StandardOutput=append:", log, "\nStandardError=append:", log,
                        "\n\n[Install]\nWantedBy=multi-user.target\n");
  };
  std::vector<SystemdUnit> units;
  units.push_back({controller_unit,
                   service("skein controller of " + spec.data_dir, ExecLine(controller_argv),
                           controller_dir + "/controller.log", "After=network.target\n")});
  units.push_back(
      {prefix + kSuffixes[1],
       service("skein machine agent of machine 0 of " + spec.data_dir,
               ExecLine({spec.bin_dir + "/" + kMachineAgentBinary, "--data-dir", machine_dir}),
               machine_dir + "/machine-agent.log", absl::StrCat("After=", controller_unit, "\nWants=", controller_unit, "\n"))});
  return units;
}

absl::Status WriteSystemdUnits(const std::string& dir, const std::vector<SystemdUnit>& units) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  for (const auto& unit : units) {
    if (auto s = WriteFileAtomic(dir + "/" + unit.name, unit.content, 0644); !s.ok()) return s;
  }
  return absl::OkStatus();
}

bool SystemdRuns() {
  std::error_code ec;
  return fs::is_directory("/run/systemd/system", ec);
}

absl::Status StartSystemdUnit(const std::string& unit) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"daemon-reload"}, std::vector<std::string>{"enable", "--now", unit}}) {
    if (auto s = Systemctl(args); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status StopSystemdUnits(const std::string& dir, const std::string& data_dir, std::vector<std::string>* removed) {
  const std::string prefix = SystemdUnitPrefix(data_dir);
  bool any = false;
  // The machine agent's first: it stops its unit agents while the controller still answers.
  for (auto it = std::rbegin(kSuffixes); it != std::rend(kSuffixes); ++it) {
    const char* suffix = *it;
    const std::string path = dir + "/" + prefix + suffix;
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    any = true;
    // A unit that is not loaded (never started) makes systemctl fail; the file goes anyway.
    if (SystemdRuns()) (void)Systemctl({"disable", "--now", prefix + suffix});
    if (!fs::remove(path, ec) || ec) return absl::InternalError(absl::StrCat("cannot remove ", path, ": ", ec.message()));
    if (removed != nullptr) removed->push_back(prefix + suffix);
  }
  if (any && SystemdRuns()) (void)Systemctl({"daemon-reload"});
  return absl::OkStatus();
}

}  // namespace skein::cli::bootstrap
