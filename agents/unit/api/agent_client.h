#pragma once

// The agents' side of the Agent gRPC service (proto/skein/v1/agent.proto) with absl::Status
// results: each call carries the agent's identity and a deadline. Shared by the unit agent and
// the machine agent. Thread-safe (gRPC stubs are).
//
// Errors are the controller's, converted by lib/rpc: Unavailable when the controller cannot be
// reached (callers retry), Unauthenticated, PermissionDenied (Juju's text), NotFound.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/rpc/auth.h"
#include "skein/v1/agent.grpc.pb.h"

namespace skein::agent {

class AgentClient {
 public:
  AgentClient(std::shared_ptr<grpc::Channel> channel, rpc::Identity identity);
  // Connects to `address` (`127.0.0.1:17070`).
  AgentClient(const std::string& address, rpc::Identity identity);

  const rpc::Identity& identity() const { return identity_; }
  v1::Agent::Stub& stub() { return *stub_; }
  // Prepares a context for a call on the stub directly (streams pass a zero deadline).
  void Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds deadline) const;

  absl::StatusOr<v1::LoginResponse> Login();
  absl::StatusOr<v1::CharmArchive> GetCharm(const std::string& url);
  absl::StatusOr<std::map<std::string, std::string>> ReadRelationSettings(int64_t relation_id,
                                                                          const std::string& owner,
                                                                          bool application);
  absl::StatusOr<v1::CommitHookResponse> CommitHook(const v1::CommitHookRequest& request);
  absl::Status SetStatus(v1::SetStatusRequest::Target target, const std::string& status, const std::string& message,
                         const std::string& data_json = "");
  absl::StatusOr<v1::GetAgentStatusResponse> GetStatus(bool application);
  absl::Status SetWorkloadVersion(const std::string& version);
  absl::Status LeaveRelation(int64_t relation_id);
  absl::Status MarkUnitDead();
  absl::Status PushLogs(const std::vector<v1::LogEntry>& entries);
  absl::Status SetUnitCredential(const std::string& unit, const std::string& credential);

 private:
  std::unique_ptr<v1::Agent::Stub> stub_;
  rpc::Identity identity_;
};

}  // namespace skein::agent
