#include "lib/base/paths.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace skein {

std::string SkeinDataDir() {
  if (const char* d = std::getenv("SKEIN_DATA"); d != nullptr && *d != '\0') return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0') {
    return std::string(x) + "/skein";
  }
  // Root's home is closed to other users, and unit agents run under their own uids must reach
  // their dirs: root keeps its data where system daemons keep theirs.
  if (::geteuid() == 0) return "/var/lib/skein";
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

std::string StorageDir(const std::string& model_dir, const std::string& storage_id) {
  const size_t slash = storage_id.find('/');
  if (slash == 0 || slash == std::string::npos || slash + 1 == storage_id.size()) return "";
  for (size_t i = 0; i < storage_id.size(); ++i) {
    const char c = storage_id[i];
    const bool ok = i < slash ? ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
                              : (i == slash || (c >= '0' && c <= '9'));
    if (!ok) return "";
  }
  return model_dir + "/storage/" + storage_id.substr(0, slash) + "-" + storage_id.substr(slash + 1);
}

bool ReachableByOthers(const std::string& path, std::string* blocker) {
  std::filesystem::path dir = std::filesystem::absolute(path).lexically_normal();
  std::vector<std::filesystem::path> chain;
  for (; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) chain.push_back(dir);
  chain.push_back(dir.root_path());
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    struct stat st {};
    if (::stat(it->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) break;  // the rest is not made yet
    if ((st.st_mode & S_IXOTH) == 0) {
      if (blocker != nullptr) *blocker = it->string();
      return false;
    }
  }
  return true;
}

}  // namespace skein
