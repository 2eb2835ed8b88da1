#pragma once

// Credentials on the wire: every call carries the caller's entity tag and secret as gRPC
// metadata. The controller checks them on every call (DESIGN §10).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace skein::rpc {

inline constexpr char kEntityKey[] = "x-skein-entity";
inline constexpr char kCredentialKey[] = "x-skein-credential";

struct Identity {
  std::string entity;      // `user-admin`, `machine-0`, `unit-app-0`
  std::string credential;
};

// Adds the identity to a client call and sets its deadline (unary calls; pass zero for
// streams, which use keepalive instead).
void PrepareContext(grpc::ClientContext* ctx, const Identity& id, std::chrono::milliseconds deadline);

// Reads the identity a call claims (not yet verified). nullopt when the metadata is missing.
std::optional<Identity> ClaimedIdentity(const grpc::ServerContextBase& ctx);

// A channel to `address` (`127.0.0.1:17070`) with keepalive settings suited to long streams and
// no limit on the size of what it receives (auth.cc says why). The only channel factory: the
// CLI and every agent use it.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address);

// The HTTP/2 flow-control window of one stream, on the controller and on every channel to it:
// what a receiver buffers at most for a stream it has not read yet (a charm moving in 1 MiB
// chunks, say).
inline constexpr int kStreamWindowBytes = 1 << 20;

// Default deadline for unary calls.
inline constexpr std::chrono::milliseconds kDefaultDeadline{30000};

}  // namespace skein::rpc
