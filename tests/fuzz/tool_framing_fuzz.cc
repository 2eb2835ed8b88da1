// libFuzzer target: the hook-tool socket's framing (lib/rpc/framing.h ReadFrame) as the unit
// agent's tool server reads it: the input is what a client wrote on the socket before closing
// it, read frame after frame as ToolRequests until the first error.

#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "lib/rpc/framing.h"
#include "skein/v1/hooktool.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) abort();
  // At most 64 KiB fits the socket's buffer, so one thread writes it all before reading.
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fds[1], data + written, size - written);
    if (n <= 0) abort();
    written += static_cast<size_t>(n);
  }
  ::shutdown(fds[1], SHUT_WR);
  for (int frames = 0; frames < 64; ++frames) {
    skein::v1::ToolRequest request;
    if (!skein::rpc::ReadFrame(fds[0], &request).ok()) break;
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
