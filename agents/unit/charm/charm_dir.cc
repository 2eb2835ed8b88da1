#include "agents/unit/charm/charm_dir.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "lib/charm/charm_zip.h"

namespace skein::agent {
namespace {

namespace fs = std::filesystem;

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::Status ExtractCharm(const std::string& zip_path, const std::string& dir) {
  auto archive = charm::CharmZip::Open(zip_path);
  if (!archive.ok()) return archive.status();
  return (*archive)->ExtractTo(dir);
}

absl::Status CreateToolsDir(const std::string& tools_dir, const std::string& tool_binary,
                            const std::vector<std::string>& names) {
  std::error_code ec;
  fs::create_directories(tools_dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", tools_dir, ": ", ec.message()));
  std::set<std::string> wanted(names.begin(), names.end());
  for (const auto& entry : fs::directory_iterator(tools_dir, ec)) {
    if (wanted.count(entry.path().filename().string()) == 0) fs::remove_all(entry.path(), ec);
  }
  for (const std::string& name : wanted) {
    fs::path link = fs::path(tools_dir) / name;
    std::string tmp = link.string() + ".skein-tmp";
    ::unlink(tmp.c_str());
    if (::symlink(tool_binary.c_str(), tmp.c_str()) != 0) return IoError("link", tmp);
    if (::rename(tmp.c_str(), link.c_str()) != 0) return IoError("link", link.string());
  }
  return absl::OkStatus();
}

}  // namespace skein::agent
