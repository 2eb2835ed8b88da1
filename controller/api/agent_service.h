#pragma once

// The agent-facing Agent service (agent.proto). Each call is authenticated as one entity;
// machine agents may only use the machine methods, unit agents the unit methods, and each only
// for itself (PERMISSION_DENIED otherwise).

#include "controller/api/backend.h"
#include "skein/v1/agent.grpc.pb.h"

namespace skein::controller::api {

class AgentService final : public v1::Agent::CallbackService {
 public:
  explicit AgentService(Backend backend) : b_(backend) {}

  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                  v1::LoginResponse* resp) override;
  grpc::ServerWriteReactor<v1::MachineSnapshot>* WatchMachine(grpc::CallbackServerContext* ctx,
                                                              const v1::WatchMachineRequest* req) override;
  grpc::ServerUnaryReactor* SetUnitCredential(grpc::CallbackServerContext* ctx,
                                              const v1::SetUnitCredentialRequest* req,
                                              v1::SetUnitCredentialResponse* resp) override;
  grpc::ServerWriteReactor<v1::UnitSnapshot>* WatchUnit(grpc::CallbackServerContext* ctx,
                                                        const v1::WatchUnitRequest* req) override;
  // GetCharm is not served any more (UNIMPLEMENTED): charms stream (charm_transfer.cc).
  grpc::ServerWriteReactor<v1::CharmChunk>* GetCharmContent(grpc::CallbackServerContext* ctx,
                                                            const v1::GetCharmRequest* req) override;
  grpc::ServerUnaryReactor* ReadRelationSettings(grpc::CallbackServerContext* ctx,
                                                 const v1::ReadRelationSettingsRequest* req,
                                                 v1::RelationSettings* resp) override;
  grpc::ServerUnaryReactor* GetRelationMembers(grpc::CallbackServerContext* ctx,
                                               const v1::GetRelationMembersRequest* req,
                                               v1::GetRelationMembersResponse* resp) override;
  grpc::ServerUnaryReactor* CommitHook(grpc::CallbackServerContext* ctx, const v1::CommitHookRequest* req,
                                       v1::CommitHookResponse* resp) override;
  grpc::ServerUnaryReactor* SetStatus(grpc::CallbackServerContext* ctx, const v1::SetStatusRequest* req,
                                      v1::SetStatusResponse* resp) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx, const v1::GetAgentStatusRequest* req,
                                      v1::GetAgentStatusResponse* resp) override;
  grpc::ServerUnaryReactor* SetWorkloadVersion(grpc::CallbackServerContext* ctx,
                                               const v1::SetWorkloadVersionRequest* req,
                                               v1::SetWorkloadVersionResponse* resp) override;
  grpc::ServerUnaryReactor* LeaveRelation(grpc::CallbackServerContext* ctx, const v1::LeaveRelationRequest* req,
                                          v1::LeaveRelationResponse* resp) override;
  grpc::ServerUnaryReactor* MarkUnitDead(grpc::CallbackServerContext* ctx, const v1::MarkUnitDeadRequest* req,
                                         v1::MarkUnitDeadResponse* resp) override;
  // Actions (action_handlers.cc).
  grpc::ServerUnaryReactor* StartAction(grpc::CallbackServerContext* ctx, const v1::StartActionRequest* req,
                                        v1::StartActionResponse* resp) override;
  grpc::ServerUnaryReactor* ActionLog(grpc::CallbackServerContext* ctx, const v1::ActionLogRequest* req,
                                      v1::ActionLogResponse* resp) override;
  grpc::ServerUnaryReactor* FinishAction(grpc::CallbackServerContext* ctx, const v1::FinishActionRequest* req,
                                         v1::FinishActionResponse* resp) override;
  grpc::ServerUnaryReactor* PushLogs(grpc::CallbackServerContext* ctx, const v1::PushLogsRequest* req,
                                     v1::PushLogsResponse* resp) override;
  // Resolve (errors_handlers.cc).
  grpc::ServerUnaryReactor* ClearResolved(grpc::CallbackServerContext* ctx, const v1::ClearResolvedRequest* req,
                                          v1::ClearResolvedResponse* resp) override;
  grpc::ServerUnaryReactor* AckSnapshot(grpc::CallbackServerContext* ctx, const v1::AckSnapshotRequest* req,
                                        v1::AckSnapshotResponse* resp) override;
  // Leadership leases (lease_handlers.cc).
  grpc::ServerUnaryReactor* ClaimLeadership(grpc::CallbackServerContext* ctx, const v1::ClaimLeadershipRequest* req,
                                            v1::ClaimLeadershipResponse* resp) override;
  // hook_state_handlers.cc
  grpc::ServerUnaryReactor* GetServiceAccountToken(grpc::CallbackServerContext* ctx,
                                                   const v1::GetServiceAccountTokenRequest* req,
                                                   v1::ServiceAccountToken* resp) override;
  grpc::ServerUnaryReactor* GetUnitState(grpc::CallbackServerContext* ctx, const v1::GetUnitStateRequest* req,
                                         v1::GetUnitStateResponse* resp) override;
  grpc::ServerUnaryReactor* GetLeaderSettings(grpc::CallbackServerContext* ctx,
                                              const v1::GetLeaderSettingsRequest* req,
                                              v1::GetLeaderSettingsResponse* resp) override;
  grpc::ServerUnaryReactor* SetLeaderSettings(grpc::CallbackServerContext* ctx,
                                              const v1::SetLeaderSettingsRequest* req,
                                              v1::SetLeaderSettingsResponse* resp) override;
  // The local substrate (substrate_handlers.cc).
  grpc::ServerUnaryReactor* ApplyManifests(grpc::CallbackServerContext* ctx, const v1::ApplyManifestsRequest* req,
                                           v1::ApplyManifestsResponse* resp) override;

 private:
  Backend b_;
};

}  // namespace skein::controller::api
