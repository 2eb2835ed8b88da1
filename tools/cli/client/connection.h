#pragma once

// The CLI's connection to a controller: a gRPC channel and the admin identity from
// client.yaml. Every unary call gets the identity and a deadline (lib/rpc PrepareContext).

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/client_context.h"
#include "lib/rpc/auth.h"
#include "skein/v1/controller.grpc.pb.h"
#include "tools/cli/client/client_store.h"

namespace skein::cli::client {

class Connection {
 public:
  // The address is the one the local controller last wrote to `<data_dir>/controller/address`
  // when that file exists (it is rewritten on every start, so a restarted controller is found
  // again), else the one in client.yaml.
  Connection(const std::string& data_dir, const std::string& controller_name, const ControllerEntry& entry);

  const std::string& address() const { return address_; }
  skein::v1::Controller::StubInterface& stub() { return *stub_; }

  // Adds the admin identity and, when non-zero, a deadline.
  void Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds deadline = rpc::kDefaultDeadline) const;

  // How long the second attempt of a call whose first connection attempt failed waits.
  static constexpr std::chrono::milliseconds kReconnectDeadline{10000};
  // A call whose connection attempt timed out (UNAVAILABLE from the transport, the request
  // never sent); a refused connection is not retried.
  static bool IsConnectFailure(const grpc::Status& status);

  // The user-facing error for a failed call: the controller's own message (Juju wording), or
  // `cannot connect to controller "local" at ADDR: ...` when it could not be reached.
  absl::Status Error(const grpc::Status& status) const;

  // One unary call with the identity and the default deadline.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(grpc::Status (skein::v1::Controller::StubInterface::*method)(grpc::ClientContext*,
                                                                                       const Req&, Resp*),
                            const Req& request) {
    return CallOn(*stub_, method, request);
  }

  // The channel, for the stubs of the controller's other services (proto/skein/v1/<area>.proto).
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Call on a stub of another service of the controller, made on channel().
  template <typename Stub, typename Req, typename Resp>
  absl::StatusOr<Resp> CallOn(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                              const Req& request) {
    Resp response;
    grpc::Status s;
    {
      grpc::ClientContext ctx;
      Prepare(&ctx);
      s = (stub.*method)(&ctx, request, &response);
    }
    if (IsConnectFailure(s)) {
      // The first connection attempt failed before the request left (a busy machine can be slow
      // to finish the HTTP/2 handshake). Try once more, waiting for the connection up to the
      // deadline; a controller that is not running still fails, just later.
      grpc::ClientContext ctx;
      Prepare(&ctx, kReconnectDeadline);
      ctx.set_wait_for_ready(true);
      grpc::Status again = (stub.*method)(&ctx, request, &response);
      // Still no connection: report the connection error, not the deadline.
      if (again.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) s = again;
    }
    if (!s.ok()) return Error(s);
    return response;
  }

 private:
  std::string controller_name_;
  std::string address_;
  std::string ca_source_;  // the file the CA certificate came from, for errors
  rpc::Identity identity_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<skein::v1::Controller::StubInterface> stub_;
};

}  // namespace skein::cli::client
