#include "tools/cli/output/version.h"

#include <sys/utsname.h>

#include <string>

namespace skein::cli::output {
namespace {

std::string GoArch() {
  utsname u{};
  if (uname(&u) != 0) return "amd64";
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m == "ppc64le") return "ppc64el";
  if (m == "s390x") return "s390x";
  if (m == "riscv64") return "riscv64";
  return m;
}

}  // namespace

std::string VersionString() { return std::string(kJujuVersion) + "-genericlinux-" + GoArch(); }

nlohmann::json VersionDetails() {
  return {{"version", VersionString()}, {"git-tree-state", "clean"}, {"compiler", "skein (C++20)"}};
}

}  // namespace skein::cli::output
