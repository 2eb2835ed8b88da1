#pragma once

// The agents' side of the Agent gRPC service (proto/skein/v1/agent.proto) with absl::Status
// results: each call carries the agent's identity and a deadline. Shared by the unit agent and
// the machine agent. Thread-safe (gRPC stubs are).
//
// Errors are the controller's, converted by lib/rpc: Unavailable when the controller cannot be
// reached (callers retry), Unauthenticated, PermissionDenied (Juju's text), NotFound.

#include <chrono>
#include <deque>
#include <variant>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/rpc/auth.h"
#include "skein/v1/agent.grpc.pb.h"
#include "skein/v1/resources.grpc.pb.h"
#include "skein/v1/secrets.grpc.pb.h"

namespace skein::agent {

class AgentClient {
 public:
  // `clock` times the status worker's retries and DrainStatus.
  AgentClient(std::shared_ptr<grpc::Channel> channel, rpc::Identity identity, Clock& clock = RealClock());
  // Connects to `address` (`127.0.0.1:17070`) over TLS, trusting the CA certificate `ca_pem`.
  AgentClient(const std::string& address, const std::string& ca_pem, rpc::Identity identity,
              Clock& clock = RealClock());
  // Sends what SetStatusAsync queued (for up to two seconds), then stops its worker.
  ~AgentClient();

  const rpc::Identity& identity() const { return identity_; }
  v1::Agent::Stub& stub() { return *stub_; }
  // The Secrets service on the same channel (the hook context's secret-* calls).
  v1::Secrets::Stub& secrets() { return *secrets_stub_; }
  // The Resources service on the same channel (resource-get).
  v1::Resources::Stub& resources() { return *resources_stub_; }
  // Prepares a context for a call on the stub directly (streams pass a zero deadline).
  void Prepare(grpc::ClientContext* ctx, std::chrono::milliseconds deadline) const;

  absl::StatusOr<v1::LoginResponse> Login();
  // Streams the charm archive `url` (GetCharmContent) into the file `path` (replaced), hashing
  // it on the way; never more than one chunk in memory. Returns the archive's digest and size
  // once both match what the controller announced; otherwise the file is removed and the error
  // is DataLoss `charm download of "url" ...` (a transfer that went wrong: try again) or the
  // controller's (NotFound, PermissionDenied, Unavailable); Internal for a local write error.
  struct CharmDownload {
    std::string sha256;
    int64_t size = 0;
  };
  absl::StatusOr<CharmDownload> DownloadCharm(const std::string& url, const std::string& path);
  absl::StatusOr<std::map<std::string, std::string>> ReadRelationSettings(int64_t relation_id,
                                                                          const std::string& owner,
                                                                          bool application);
  absl::StatusOr<v1::CommitHookResponse> CommitHook(const v1::CommitHookRequest& request);
  // Sets a status and waits for the answer (a hook's status-set needs the leader check). Any
  // status queued by SetStatusAsync is sent first, so the order of status changes is kept.
  absl::Status SetStatus(v1::SetStatusRequest::Target target, const std::string& status, const std::string& message,
                         const std::string& data_json = "");
  // Queues a status change and returns at once; a worker sends queued changes in order,
  // retrying while the controller is unavailable. The agent's own statuses (`executing`,
  // `idle`, `installing charm software`) use this so that starting a hook never waits for a
  // status write to reach the controller's disk.
  void SetStatusAsync(v1::SetStatusRequest::Target target, const std::string& status, const std::string& message,
                      const std::string& data_json = "");
  // Waits (up to `deadline`) until every status queued before the call was sent.
  void DrainStatus(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // Reads statuses after the queued changes were sent.
  absl::StatusOr<v1::GetAgentStatusResponse> GetStatus(bool application);
  absl::Status SetWorkloadVersion(const std::string& version);
  absl::Status LeaveRelation(int64_t relation_id);
  absl::Status MarkUnitDead();
  // Acknowledges the `skein resolved` request with this serial.
  absl::Status ClearResolved(int64_t serial);
  // The agent has nothing left to do for the snapshot with this version (Agent.AckSnapshot),
  // queued behind the status changes set so far (SetStatusAsync), so that the controller hears
  // the unit idle before it hears it caught up, and the uniter does not wait for the answer.
  void AckSnapshotAsync(int64_t version);
  // Committed charm state and opened ports (state-get, opened-ports).
  absl::StatusOr<v1::GetUnitStateResponse> GetUnitState();
  // The unit's ServiceAccount token on a Kubernetes model (FailedPrecondition elsewhere).
  absl::StatusOr<v1::ServiceAccountToken> GetServiceAccountToken();
  absl::StatusOr<std::map<std::string, std::string>> GetLeaderSettings();
  // PermissionDenied `cannot write leadership settings: cannot write settings: not the leader`.
  absl::Status SetLeaderSettings(const std::map<std::string, std::string>& set, const std::vector<std::string>& unset);
  absl::Status PushLogs(const std::vector<v1::LogEntry>& entries);
  // Local substrate: replaces the unit's application's object set `set` (immediate).
  // InvalidArgument for a malformed object, FailedPrecondition when another owner holds one.
  absl::Status ApplyManifests(const std::string& set, const std::vector<v1::Manifest>& manifests);
  // Actions: NotFound when the task is not this unit's.
  absl::Status StartAction(const std::string& task_id);
  absl::Status ActionLog(const std::string& task_id, const std::string& message);
  absl::Status FinishAction(const v1::FinishActionRequest& request);
  // Machine agents: sets the credential of `unit` (by its model UUID and name).
  absl::Status SetUnitCredential(const v1::MachineUnit& unit, const std::string& credential);

 private:
  void StatusWorker();

  std::unique_ptr<v1::Agent::Stub> stub_;
  std::unique_ptr<v1::Secrets::Stub> secrets_stub_;
  std::unique_ptr<v1::Resources::Stub> resources_stub_;
  rpc::Identity identity_;
  Clock& clock_;

  Mutex status_mu_;
  CondVar status_cv_;
  // Status changes and snapshot acknowledgements, sent in order by StatusWorker.
  std::deque<std::variant<v1::SetStatusRequest, v1::AckSnapshotRequest>> status_queue_ ABSL_GUARDED_BY(status_mu_);
  uint64_t status_enqueued_ ABSL_GUARDED_BY(status_mu_) = 0;
  uint64_t status_done_ ABSL_GUARDED_BY(status_mu_) = 0;
  bool status_stopping_ ABSL_GUARDED_BY(status_mu_) = false;
  std::thread status_thread_ ABSL_GUARDED_BY(status_mu_);  // started on first SetStatusAsync
};

}  // namespace skein::agent
