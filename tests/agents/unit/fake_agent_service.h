#pragma once

// A fake controller for agent tests: the Agent gRPC service on 127.0.0.1:0, serving the unit
// and machine snapshots the test sets, and recording every call the agent makes. Tests wait
// on what it recorded with WaitUntil (a condition variable with a deadline, no sleeps).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <set>
#include <tuple>
#include <vector>

#include "grpcpp/server.h"
#include "skein/v1/agent.grpc.pb.h"
#include "tests/test_tls.h"

namespace skein::agent::testing {

// The model Login places every unit in.
inline constexpr char kFakeModelUuid[] = "00000000-0000-4000-8000-000000000000";

struct StatusCall {
  v1::SetStatusRequest::Target target;
  std::string status;
  std::string message;
  std::string data_json;
};

class FakeAgentService final : public v1::Agent::Service {
 public:
  FakeAgentService();
  ~FakeAgentService() override;

  // Starts serving on 127.0.0.1:0 (Start) and stops (Shutdown, also ends open streams).
  void Start() { StartOn("127.0.0.1:0"); }
  // Serves on a given address (to stand in for a restarted controller on the same port).
  void StartOn(const std::string& address);
  void Shutdown();
  std::string address() const { return address_; }
  // The CA certificate (PEM) its certificate is signed by: what agent.conf carries.
  static const std::string& ca_pem() { return skein::testing::TestCaPem(); }

  // Replaces the snapshot WatchUnit streams send (the version is bumped automatically).
  void SetUnitSnapshot(v1::UnitSnapshot snapshot);
  v1::UnitSnapshot unit_snapshot();
  // Changes the unit snapshot in place and publishes it.
  void UpdateUnitSnapshot(const std::function<void(v1::UnitSnapshot&)>& change);
  void SetMachineSnapshot(v1::MachineSnapshot snapshot);
  // Packs `charm` into a zip, as the controller's charm store holds it, and serves it to
  // GetCharmContent; returns its SHA-256, which the unit snapshot must name.
  std::string SetCharm(const v1::CharmArchive& charm);
  // Makes GetCharmContent fail with `status` (OK: serve again). With `corrupt`, the bytes sent
  // no longer match the digest announced.
  void SetCharmError(grpc::Status status, bool corrupt = false);
  void SetLastCommitSeq(int64_t seq);
  void SetBag(int64_t relation_id, const std::string& owner, bool application, std::map<std::string, std::string> bag);
  // Makes WatchUnit answer NOT_FOUND (the unit was removed).
  void SetUnitGone(bool gone);
  // What GetUnitState answers (the committed charm state and opened ports).
  void SetUnitState(v1::GetUnitStateResponse state);

  // Waits until `pred` (called under the service's lock) holds, or `timeout` passes.
  bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Recorded calls. Read them under WaitUntil's predicate or after the agent stopped.
  std::vector<v1::CommitHookRequest> commits;
  std::vector<StatusCall> statuses;
  std::vector<int64_t> left_relations;
  int mark_dead_calls = 0;
  std::vector<int64_t> cleared_resolves;  // ClearResolved serials
  std::vector<std::string> started_actions;  // StartAction task ids
  std::vector<v1::FinishActionRequest> finished_actions;
  int login_calls = 0;
  int charm_downloads = 0;  // GetCharmContent calls
  int watch_unit_calls = 0;
  int watch_machine_calls = 0;
  std::vector<v1::LogEntry> logs;
  std::map<std::string, std::string> leader_settings;  // SetLeaderSettings applied
  std::vector<std::string> action_logs;                 // ActionLog messages
  std::vector<std::string> workload_versions;           // SetWorkloadVersion values
  // FinishAction answers RESOURCE_EXHAUSTED for these tasks unless their results are `{}`, as
  // the controller does for results over their cap.
  std::set<std::string> refuse_results;
  // (model uuid, unit) -> credential
  std::map<std::pair<std::string, std::string>, std::string> unit_credentials;
  std::vector<std::string> entities;                    // x-skein-entity of every call

  // Statuses of one target, in order.
  std::vector<StatusCall> StatusesOf(v1::SetStatusRequest::Target target);

  // v1::Agent::Service.
  grpc::Status Login(grpc::ServerContext*, const v1::LoginRequest*, v1::LoginResponse*) override;
  grpc::Status WatchMachine(grpc::ServerContext*, const v1::WatchMachineRequest*,
                            grpc::ServerWriter<v1::MachineSnapshot>*) override;
  grpc::Status SetUnitCredential(grpc::ServerContext*, const v1::SetUnitCredentialRequest*,
                                 v1::SetUnitCredentialResponse*) override;
  grpc::Status WatchUnit(grpc::ServerContext*, const v1::WatchUnitRequest*,
                         grpc::ServerWriter<v1::UnitSnapshot>*) override;
  grpc::Status GetCharmContent(grpc::ServerContext*, const v1::GetCharmRequest*,
                               grpc::ServerWriter<v1::CharmChunk>*) override;
  grpc::Status ReadRelationSettings(grpc::ServerContext*, const v1::ReadRelationSettingsRequest*,
                                    v1::RelationSettings*) override;
  grpc::Status CommitHook(grpc::ServerContext*, const v1::CommitHookRequest*, v1::CommitHookResponse*) override;
  grpc::Status SetStatus(grpc::ServerContext*, const v1::SetStatusRequest*, v1::SetStatusResponse*) override;
  grpc::Status GetStatus(grpc::ServerContext*, const v1::GetAgentStatusRequest*, v1::GetAgentStatusResponse*) override;
  grpc::Status SetWorkloadVersion(grpc::ServerContext*, const v1::SetWorkloadVersionRequest*,
                                  v1::SetWorkloadVersionResponse*) override;
  grpc::Status LeaveRelation(grpc::ServerContext*, const v1::LeaveRelationRequest*,
                             v1::LeaveRelationResponse*) override;
  grpc::Status MarkUnitDead(grpc::ServerContext*, const v1::MarkUnitDeadRequest*, v1::MarkUnitDeadResponse*) override;
  grpc::Status PushLogs(grpc::ServerContext*, const v1::PushLogsRequest*, v1::PushLogsResponse*) override;
  grpc::Status GetUnitState(grpc::ServerContext*, const v1::GetUnitStateRequest*, v1::GetUnitStateResponse*) override;
  // Records the serial and clears the snapshot's resolve request, as the controller does.
  grpc::Status ClearResolved(grpc::ServerContext*, const v1::ClearResolvedRequest*, v1::ClearResolvedResponse*) override;
  grpc::Status StartAction(grpc::ServerContext*, const v1::StartActionRequest*, v1::StartActionResponse*) override;
  // Records the result and drops the task from the snapshot, as the controller does.
  grpc::Status FinishAction(grpc::ServerContext*, const v1::FinishActionRequest*, v1::FinishActionResponse*) override;
  grpc::Status ActionLog(grpc::ServerContext*, const v1::ActionLogRequest*, v1::ActionLogResponse*) override;
  grpc::Status SetLeaderSettings(grpc::ServerContext*, const v1::SetLeaderSettingsRequest*,
                                 v1::SetLeaderSettingsResponse*) override;

 private:
  void Record(grpc::ServerContext* ctx);
  template <typename Snapshot>
  grpc::Status Stream(grpc::ServerContext* ctx, grpc::ServerWriter<Snapshot>* writer, const Snapshot& (FakeAgentService::*get)() const);
  const v1::UnitSnapshot& UnitLocked() const { return unit_; }
  const v1::MachineSnapshot& MachineLocked() const { return machine_; }

  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool shutting_down_ = false;
  bool unit_gone_ = false;
  v1::UnitSnapshot unit_;
  v1::MachineSnapshot machine_;
  std::string charm_zip_;
  std::string charm_sha256_;
  grpc::Status charm_error_;
  bool charm_corrupt_ = false;
  int64_t last_commit_seq_ = 0;
  v1::GetUnitStateResponse unit_state_;
  v1::StatusInfo workload_;
  std::map<std::tuple<int64_t, std::string, bool>, std::map<std::string, std::string>> bags_;
};

}  // namespace skein::agent::testing
