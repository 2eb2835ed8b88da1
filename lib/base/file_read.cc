#include "lib/base/file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>

#include "absl/strings/str_cat.h"

namespace skein {
namespace {

// Go prints `open /x: no such file or directory`: strerror's text, lower-cased.
absl::Status GoError(const char* op, const std::string& path, int err) {
  std::string why = strerror(err);
  if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return absl::NotFoundError(absl::StrCat(op, " ", path, ": ", why));
}

const char* KindName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> ReadFileCapped(const std::string& path, const limits::Cap& cap, FileKinds kinds) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before we can even
  // look at what the path is.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return GoError("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return GoError("stat", path, errno);
  if (S_ISDIR(st.st_mode)) return GoError("read", path, EISDIR);
  bool regular = S_ISREG(st.st_mode);
  if (!regular && kinds == FileKinds::kRegularOnly) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a regular file (", KindName(st.st_mode), ")"));
  }
  if (regular && static_cast<size_t>(st.st_size) > cap.bytes) {
    return limits::SizeError(cap, path, static_cast<size_t>(st.st_size));
  }
  if (!regular) {
    int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  }
  std::string out;
  if (regular) out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return GoError("read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > cap.bytes) return limits::OverCapError(cap, path);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace skein
