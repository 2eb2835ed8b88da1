#include "lib/base/file_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace skein {

absl::Status WriteFileAtomic(const std::string& path, const std::string& text, unsigned mode,
                             const std::optional<FileOwner>& owner) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a leftover of a crash, or a link planted in a dir someone else owns
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  ::fchmod(fd, mode);
  if (owner && ::fchown(fd, owner->uid, owner->gid) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot give ", tmp, " to uid ", owner->uid, ": ", std::strerror(e)));
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::InternalError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(e)));
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(e)));
  }
  return absl::OkStatus();
}

absl::Status GiveTree(const std::string& path, const FileOwner& owner) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return absl::InternalError(absl::StrCat("cannot inspect ", path));
  if (st.st_uid == owner.uid && st.st_gid == owner.gid) return absl::OkStatus();
  const uid_t previous = st.st_uid;
  std::error_code ec;
  if (S_ISDIR(st.st_mode)) {
    namespace fs = std::filesystem;
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      struct stat entry {};
      if (::lstat(it->path().c_str(), &entry) == 0 && entry.st_uid == previous) {
        (void)::lchown(it->path().c_str(), owner.uid, owner.gid);
      }
    }
  }
  if (::lchown(path.c_str(), owner.uid, owner.gid) != 0) {
    return absl::InternalError(absl::StrCat("cannot give ", path, " to uid ", owner.uid, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace skein
