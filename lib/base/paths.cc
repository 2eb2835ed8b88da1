#include "lib/base/paths.h"

#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace skein {

std::string SkeinDataDir() {
  if (const char* d = std::getenv("SKEIN_DATA"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0') {
    return std::string(x) + "/skein";
  }
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "/root") + "/.local/share/skein";
}

std::string ExecutableDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return std::filesystem::path(buf).parent_path().string();
}

std::string UnitAgentDir(const std::string& agents_dir, const std::string& model_uuid, const UnitName& unit) {
  return agents_dir + "/" + model_uuid + "/" + unit.Tag();
}

}  // namespace skein
