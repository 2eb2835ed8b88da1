#include "lib/base/runtime_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/sha256.h"

namespace skein {
namespace {

namespace fs = std::filesystem;

constexpr size_t kKeyLength = 16;
// What follows the base in the longest path: `/<key>/agent.socket`.
constexpr size_t kUnitSuffixLength = 1 + kKeyLength + 1 + sizeof(kAgentSocketName) - 1;

// XDG_RUNTIME_DIR is used only as the spec describes it: absolute, ours, mode 0700, and we can
// create entries in it. A long one would leave no room for the socket, so it is skipped too.
bool UsableXdgRuntimeDir(const std::string& dir) {
  if (dir.empty() || dir[0] != '/') return false;
  if (dir.size() + std::strlen("/skein") + kUnitSuffixLength > kMaxSocketPathLength) return false;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  if (st.st_uid != ::getuid() || (st.st_mode & 077) != 0) return false;
  return ::access(dir.c_str(), W_OK | X_OK) == 0;
}

std::string BasePath() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg != nullptr && UsableXdgRuntimeDir(xdg)) return std::string(xdg) + "/skein";
  return absl::StrCat("/tmp/skein-", ::getuid());
}

// Checks that `path` (just created or found) is a private directory of ours, not a symlink.
absl::Status CheckPrivateDir(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    return absl::InternalError(absl::StrCat("cannot inspect ", path, ": ", std::strerror(errno)));
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a directory (a symlink or a file); remove it so skein can create its own"));
  }
  if (st.st_uid != ::getuid()) {
    return absl::FailedPreconditionError(absl::StrCat(path, " belongs to uid ", st.st_uid, ", not to us (uid ",
                                                      ::getuid(), "); remove it or set XDG_RUNTIME_DIR"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s is open to other users (mode %04o); run `chmod 700 %s` or remove it", path, st.st_mode & 07777, path));
  }
  return absl::OkStatus();
}

absl::Status EnsurePrivateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  return CheckPrivateDir(path);
}

std::string NormalAbsolute(const std::string& dir) {
  std::string out = fs::absolute(dir).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

absl::StatusOr<std::string> RuntimeBaseDir() {
  std::string base = BasePath();
  if (absl::Status s = EnsurePrivateDir(base); !s.ok()) return s;
  return base;
}

namespace {
std::string UnitKeyName(const std::string& agent_dir, const std::string& model_uuid, const std::string& unit) {
  // NUL separators keep ("a", "bc") and ("ab", "c") apart.
  std::string key = NormalAbsolute(agent_dir);
  key.push_back('\0');
  key += model_uuid;
  key.push_back('\0');
  key += unit;
  return Sha256Hex(key).substr(0, kKeyLength);
}
}  // namespace

std::string UnitRuntimeDir(const std::string& agent_dir, const std::string& model_uuid, const std::string& unit) {
  return BasePath() + "/" + UnitKeyName(agent_dir, model_uuid, unit);
}

std::string UnitRuntimeDirOfUid(uid_t uid, const std::string& agent_dir, const std::string& model_uuid,
                                const std::string& unit) {
  return RuntimeBaseOfUid(uid) + "/" + UnitKeyName(agent_dir, model_uuid, unit);
}

absl::StatusOr<std::string> MakeUnitRuntimeDir(const std::string& agent_dir, const std::string& model_uuid,
                                               const std::string& unit) {
  absl::StatusOr<std::string> base = RuntimeBaseDir();
  if (!base.ok()) return base.status();
  std::string dir = UnitRuntimeDir(agent_dir, model_uuid, unit);
  if (absl::Status s = EnsurePrivateDir(dir); !s.ok()) return s;
  return dir;
}

absl::Status RemoveUnitRuntimeDir(const std::string& agent_dir, const std::string& model_uuid,
                                  const std::string& unit) {
  std::string dir = UnitRuntimeDir(agent_dir, model_uuid, unit);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("cannot inspect ", dir, ": ", std::strerror(errno)));
  }
  if (absl::Status s = CheckPrivateDir(dir); !s.ok()) return s;
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot remove ", dir, ": ", ec.message()));
  return absl::OkStatus();
}

std::string RuntimeBaseOfUid(uid_t uid) { return absl::StrCat("/tmp/skein-", uid); }

absl::Status PrepareRuntimeBaseOfUid(uid_t uid, gid_t gid) {
  const std::string dir = RuntimeBaseOfUid(uid);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode) && st.st_uid == uid && (st.st_mode & 077) == 0) return absl::OkStatus();
    if (absl::Status s = RemoveRuntimeBaseOfUid(uid); !s.ok()) return s;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 || ::lchown(dir.c_str(), uid, gid) != 0) {
    return absl::InternalError(absl::StrCat("cannot create ", dir, " for uid ", uid, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status RemoveRuntimeBaseOfUid(uid_t uid) {
  // remove_all does not follow symlinks: a link planted there goes, not what it points to.
  std::error_code ec;
  fs::remove_all(RuntimeBaseOfUid(uid), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot remove ", RuntimeBaseOfUid(uid), ": ", ec.message()));
  return absl::OkStatus();
}

std::string AgentSocketPath(const std::string& runtime_dir) { return runtime_dir + "/" + kAgentSocketName; }

}  // namespace skein
