#include "tools/cli/commands/environment.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/paths.h"

namespace skein::cli::commands {

Environment ProcessEnvironment() {
  Environment env;
  env.out = &std::cout;
  env.err = &std::cerr;
  env.in = &std::cin;
  env.data_dir = SkeinDataDir();
  env.bin_dir = ExecutableDir();
  env.clock = &RealClock();
  env.stdin_tty = ::isatty(0) == 1;
  env.stdout_tty = ::isatty(1) == 1;
  env.stderr_tty = ::isatty(2) == 1;
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  env.no_color = (no_color != nullptr && *no_color != '\0') || (term != nullptr && std::string(term) == "dumb");
  if (const char* store_path = std::getenv("SKEIN_STORE_PATH"); store_path != nullptr) {
    for (auto dir : absl::StrSplit(store_path, ':', absl::SkipEmpty())) env.store_path.emplace_back(dir);
  }
  if (const char* lease = std::getenv("SKEIN_LEASE_DURATION"); lease != nullptr) env.controller_lease_duration = lease;
  if (const char* dir = std::getenv("SKEIN_SYSTEMD_DIR"); dir != nullptr && *dir != '\0') env.systemd_dir = dir;
  // kubectl's order: $KUBECONFIG (a `:`-separated list; skein reads its first file), else
  // ~/.kube/config.
  const char* kubeconfig = std::getenv("KUBECONFIG");
  std::vector<std::string> kubeconfigs;
  if (kubeconfig != nullptr) kubeconfigs = absl::StrSplit(kubeconfig, ':', absl::SkipEmpty());
  if (!kubeconfigs.empty()) {
    env.default_kubeconfig = kubeconfigs.front();
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    env.default_kubeconfig = absl::StrCat(home, "/.kube/config");
  }
  return env;
}

bool AskYesNo(Environment& env, const std::string& question) {
  if (!env.stdin_tty || env.in == nullptr) return false;
  *env.err << question << std::flush;
  std::string answer;
  if (!std::getline(*env.in, answer)) return false;
  std::string a = absl::AsciiStrToLower(std::string(absl::StripAsciiWhitespace(answer)));
  return a == "y" || a == "yes";
}

absl::Status WriteOutput(Environment& env, const std::string& output_file, const std::string& text) {
  if (output_file.empty()) {
    *env.out << text << std::flush;
    return absl::OkStatus();
  }
  std::ofstream f(output_file, std::ios::trunc | std::ios::binary);
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", output_file));
  f << text;
  f.close();
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", output_file));
  return absl::OkStatus();
}

}  // namespace skein::cli::commands
