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

  // The user-facing error for a failed call: the controller's own message (Juju wording), or
  // `cannot connect to controller "local" at ADDR: ...` when it could not be reached.
  absl::Status Error(const grpc::Status& status) const;

  // One unary call with the identity and the default deadline.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(grpc::Status (skein::v1::Controller::StubInterface::*method)(grpc::ClientContext*,
                                                                                       const Req&, Resp*),
                            const Req& request) {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    Resp response;
    grpc::Status s = ((*stub_).*method)(&ctx, request, &response);
    if (!s.ok()) return Error(s);
    return response;
  }

 private:
  std::string controller_name_;
  std::string address_;
  rpc::Identity identity_;
  std::unique_ptr<skein::v1::Controller::StubInterface> stub_;
};

}  // namespace skein::cli::client
