// The hook-tool socket's frames (lib/rpc/framing.h): what a peer that announces more than it
// sends may cost the reader, and a round trip.

#include "lib/rpc/framing.h"

#include <sys/socket.h>
#include <unistd.h>

#include <new>
#include <thread>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/format/allocation_budget.h"
#include "skein/v1/hooktool.pb.h"

namespace skein::rpc {
namespace {

class Socket {
 public:
  Socket() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds_), 0); }
  ~Socket() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int reader() const { return fds_[0]; }
  int writer() const { return fds_[1]; }
  void Send(const std::string& bytes) { ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), ssize_t(bytes.size())); }
  void Close() { ::shutdown(fds_[1], SHUT_WR); }

 private:
  int fds_[2] = {-1, -1};
};

// The tsan stage leaves out tests named *AllocationBudgetTest (tools/test): ThreadSanitizer's
// runtime owns operator new there.
TEST(FrameAllocationBudgetTest, AnnouncingTheLargestFrameAndSendingLittleCostsLittle) {
  Socket socket;
  const uint32_t announced = static_cast<uint32_t>(kMaxFrameBytes);
  socket.Send(std::string{static_cast<char>(announced >> 24), static_cast<char>(announced >> 16),
                          static_cast<char>(announced >> 8), static_cast<char>(announced)} +
              "abc");
  socket.Close();
  v1::ToolRequest request;
  absl::Status status;
  format::ScopedAllocationBudget budget(1 << 20);
  try {
    status = ReadFrame(socket.reader(), &request);
  } catch (const std::bad_alloc&) {
    FAIL() << "the reader allocated more than 1 MiB for a frame of 3 bytes";
  }
  EXPECT_FALSE(budget.exceeded());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "connection closed");
}

TEST(FramingTest, AFrameLargerThanTheFirstChunkArrivesWhole) {
  Socket socket;
  v1::ToolRequest sent;
  sent.set_command("relation-set");
  sent.set_stdin_set(true);
  sent.set_stdin(std::string(300 * 1024, 'x'));  // several chunks and reads
  std::thread writer([&] { EXPECT_TRUE(WriteFrame(socket.writer(), sent).ok()); });
  v1::ToolRequest received;
  ASSERT_TRUE(ReadFrame(socket.reader(), &received).ok());
  writer.join();
  EXPECT_EQ(received.command(), "relation-set");
  EXPECT_EQ(received.stdin(), sent.stdin());
}

TEST(FramingTest, AnOversizedAnnouncementIsRefusedBeforeAnyBody) {
  Socket socket;
  const uint32_t announced = static_cast<uint32_t>(kMaxFrameBytes + 1);
  socket.Send(std::string{static_cast<char>(announced >> 24), static_cast<char>(announced >> 16),
                          static_cast<char>(announced >> 8), static_cast<char>(announced)});
  v1::ToolRequest request;
  absl::Status status = ReadFrame(socket.reader(), &request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("frame of ", announced, " bytes exceeds the limit of ", kMaxFrameBytes));
}

}  // namespace
}  // namespace skein::rpc
