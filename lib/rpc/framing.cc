#include "lib/rpc/framing.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace skein::rpc {
namespace {

constexpr size_t kFirstChunkBytes = 64 * 1024;

absl::Status WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("write: ", strerror(errno)));
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

absl::Status ReadAll(int fd, char* data, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, data, n);
    if (r < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("read: ", strerror(errno)));
    }
    if (r == 0) return absl::UnavailableError("connection closed");
    data += r;
    n -= static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFrame(int fd, const google::protobuf::MessageLite& msg) {
  std::string body;
  if (!msg.SerializeToString(&body)) return absl::InternalError("cannot serialize message");
  uint32_t n = static_cast<uint32_t>(body.size());
  char header[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                    static_cast<char>(n)};
  std::string frame(header, 4);
  frame += body;
  return WriteAll(fd, frame.data(), frame.size());
}

absl::Status ReadFrame(int fd, google::protobuf::MessageLite* msg) {
  unsigned char header[4];
  if (auto s = ReadAll(fd, reinterpret_cast<char*>(header), 4); !s.ok()) return s;
  uint32_t n = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) | (uint32_t{header[2]} << 8) | header[3];
  if (n > kMaxFrameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("frame of ", n, " bytes exceeds the limit of ", kMaxFrameBytes));
  }
  // The body grows with what arrives, doubling from 64 KiB, rather than being allocated at the
  // size the header announces: a peer that announces the largest frame and sends a few bytes
  // costs a few bytes, not ~100 MiB.
  std::string body;
  while (body.size() < n) {
    const size_t have = body.size();
    const size_t chunk = std::min<size_t>(n - have, std::max<size_t>(kFirstChunkBytes, have));
    body.resize(have + chunk);
    if (auto s = ReadAll(fd, body.data() + have, chunk); !s.ok()) return s;
  }
  if (!msg->ParseFromString(body)) return absl::InvalidArgumentError("malformed frame");
  return absl::OkStatus();
}

absl::Status ConnectUnix(const std::string& path, int* fd) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return absl::InvalidArgumentError("socket path too long: " + path);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return absl::UnavailableError(absl::StrCat("socket: ", strerror(errno)));
  if (::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    ::close(s);
    return absl::UnavailableError(absl::StrCat("cannot connect to ", path, ": ", strerror(err)));
  }
  *fd = s;
  return absl::OkStatus();
}

}  // namespace skein::rpc
