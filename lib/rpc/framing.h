#pragma once

// Length-prefixed protobuf messages on a stream socket (the hook-tool protocol,
// proto/skein/v1/hooktool.proto): a 4-byte big-endian length, then the serialized message.

#include <string>

#include "absl/status/status.h"
#include "lib/base/limits.h"
#include "google/protobuf/message_lite.h"

namespace skein::rpc {

// Largest frame accepted: limits::kMaxToolFrameBytes says what it must hold.
inline constexpr size_t kMaxFrameBytes = limits::kMaxToolFrameBytes;

absl::Status WriteFrame(int fd, const google::protobuf::MessageLite& msg);
// Unavailable on EOF before a whole frame, InvalidArgument on a malformed or oversized frame.
absl::Status ReadFrame(int fd, google::protobuf::MessageLite* msg);

// Connects to a unix socket path. Unavailable when nothing listens there.
absl::Status ConnectUnix(const std::string& path, int* fd);

}  // namespace skein::rpc
