#pragma once

// The one place where absl::Status and grpc::Status meet (DESIGN §4: grpc::Status only at the
// API edge). Codes map one to one; messages pass through unchanged because clients parse some
// of them (`relation not found`, `not the leader`).

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace skein::rpc {

grpc::Status ToGrpc(const absl::Status& status);
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace skein::rpc
