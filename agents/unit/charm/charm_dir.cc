#include "agents/unit/charm/charm_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace skein::agent {
namespace {

namespace fs = std::filesystem;

absl::Status IoError(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat("cannot ", what, " ", path, ": ", std::strerror(errno)));
}

// A link target is fine when, resolved against the link's directory, it stays in the charm.
bool TargetStaysInside(const std::string& link_path, const std::string& target) {
  if (target.empty() || target[0] == '/') return false;
  std::vector<std::string> parts = absl::StrSplit(link_path, '/');
  parts.pop_back();  // the link's own name
  for (const std::string& part : std::vector<std::string>(absl::StrSplit(target, '/'))) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
    } else {
      parts.push_back(part);
    }
  }
  return true;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".skein-tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("write", tmp);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return IoError("write", tmp);
    }
    off += static_cast<size_t>(n);
  }
  // Mode explicitly, not through the umask: hooks must be executable exactly as packed.
  ::fchmod(fd, mode);
  ::close(fd);
  std::error_code ec;
  if (fs::is_directory(fs::symlink_status(path, ec))) fs::remove_all(path, ec);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return IoError("write", path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCharmPath(const std::string& path) {
  auto bad = [&] { return absl::InvalidArgumentError(absl::StrCat("invalid charm file path \"", path, "\"")); };
  if (path.empty() || path[0] == '/') return bad();
  for (const std::string& part : std::vector<std::string>(absl::StrSplit(path, '/'))) {
    if (part.empty() || part == "." || part == "..") return bad();
  }
  return absl::OkStatus();
}

absl::Status WriteCharmDir(const std::string& dir, const v1::CharmArchive& archive) {
  // Validate everything first so that a bad archive leaves the charm dir untouched.
  for (const auto& file : archive.files()) {
    if (absl::Status s = ValidateCharmPath(file.path()); !s.ok()) return s;
    if (file.is_symlink() && !TargetStaysInside(file.path(), file.content())) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid link target \"", file.content(), "\" for charm file \"", file.path(), "\""));
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  for (const auto& file : archive.files()) {
    fs::path target = fs::path(dir) / file.path();
    fs::create_directories(target.parent_path(), ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", target.parent_path().string(), ": ", ec.message()));
    if (file.is_symlink()) {
      fs::remove_all(target, ec);
      if (::symlink(file.content().c_str(), target.c_str()) != 0) return IoError("link", target.string());
      continue;
    }
    mode_t mode = file.mode() & 07777;
    if (mode == 0) mode = 0644;
    if (absl::Status s = WriteFileAtomically(target.string(), file.content(), mode); !s.ok()) return s;
  }
  return absl::OkStatus();
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
