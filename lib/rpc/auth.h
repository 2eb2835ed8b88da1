#pragma once

// Credentials on the wire: every call carries the caller's entity tag and secret as gRPC
// metadata, over TLS. The controller checks them on every call (DESIGN §10), first when the
// call's headers arrive, before its message is read (controller/api/authn.h).

#include <chrono>
#include <map>
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
// The same from a call's metadata (what an auth metadata processor is given).
std::optional<Identity> ClaimedIdentity(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

// A TLS channel to `address` (`127.0.0.1:17070`) that trusts only the CA certificate `ca_pem`
// (lib/rpc/tls.h), with keepalive settings suited to long streams and no limit on the size of
// what it receives (auth.cc says why). The only channel factory: the CLI and every agent use
// it, so no credential is ever sent in the clear.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, const std::string& ca_pem);

// The HTTP/2 flow-control window of one stream, on the controller and on every channel to it:
// what a receiver buffers at most for a stream it has not read yet (a charm moving in 1 MiB
// chunks, say).
inline constexpr int kStreamWindowBytes = 1 << 20;

// Default deadline for unary calls.
inline constexpr std::chrono::milliseconds kDefaultDeadline{30000};

}  // namespace skein::rpc
