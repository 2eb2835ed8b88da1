#include "controller/api/agent_service.h"

#include "absl/strings/str_cat.h"
#include "controller/api/charm_transfer.h"
#include "controller/api/stream_auth.h"
#include "controller/api/watch_stream.h"
#include "controller/watch/snapshots.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;
using domain::auth::Principal;

void Fill(v1::StatusInfo* out, const domain::StatusValue& v) {
  out->set_current(v.status);
  out->set_message(v.message);
  out->set_since(v.since);
  out->set_data_json(v.data_json);
}

}  // namespace

grpc::ServerUnaryReactor* AgentService::Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                              v1::LoginResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Authenticate(*ctx));
    if (who.kind == Kind::kAdmin) return absl::PermissionDeniedError("permission denied");
    ASSIGN_OR_RETURN(domain::unit::LoginInfo info, b_.units->Login(who));
    // A starting agent logs in before it opens its stream: it is not lost meanwhile.
    b_.presence->Seen(who.kind == Kind::kUnit ? domain::UnitKey(who.unit_id) : domain::MachineKey(who.machine_id));
    resp->set_entity(who.entity);
    resp->set_model_name(info.model_name);
    resp->set_model_uuid(info.model_uuid);
    resp->set_controller_uuid(info.controller_uuid);
    resp->set_machine_id(info.machine_id);
    resp->set_last_commit_seq(info.last_commit_seq);
    resp->set_unit(info.unit);
    resp->set_application(info.application);
    resp->set_agent_version(domain::kAgentVersion);
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::MachineSnapshot>* AgentService::WatchMachine(grpc::CallbackServerContext* ctx,
                                                                          const v1::WatchMachineRequest* req) {
  struct State {
    std::optional<rpc::Identity> claimed;
    std::string machine_id;
    bool started = false;
    watch::Sequencer<v1::MachineSnapshot> sequencer;
    std::unique_ptr<domain::presence::AgentStream> heartbeat;
  };
  auto st = std::make_shared<State>();
  st->heartbeat = std::make_unique<domain::presence::AgentStream>(b_.presence);
  st->claimed = rpc::ClaimedIdentity(*ctx);
  st->machine_id = req->machine_id();
  Backend b = b_;
  auto builder = [st, b]() {
    StreamUpdate<v1::MachineSnapshot> up;
    if (!st->started) {
      Principal who;
      auto same_machine = [&](const Principal& p) {
        return p.machine_id == st->machine_id ? absl::OkStatus() : absl::PermissionDeniedError("permission denied");
      };
      if (!Authorize(b, st->claimed, Kind::kMachine, same_machine, &who, &up)) return up;
      st->started = true;
      st->heartbeat->Open(domain::MachineKey(st->machine_id));
      (void)b.models->SetMachineAgentSeen(st->machine_id, true);
    }
    auto view = watch::BuildMachineSnapshot(*b.db, st->machine_id);
    if (!view.ok()) {
      up.finish = rpc::ToGrpc(view.status());
      return up;
    }
    up.keys = view->keys;
    if (auto next = st->sequencer.Next(std::move(view->snapshot))) up.messages.push_back(std::move(*next));
    return up;
  };
  auto on_done = [st, b]() {
    // A machine agent that went away shows as pending again, and `down` once its grace runs
    // out; not at shutdown: the agent may well still be running, and the next start resets
    // presence anyway. A restarted agent's new stream may open before the old one ends: only
    // the last one to end marks the agent gone.
    if (st->heartbeat->Close() && !b.hub->closed()) (void)b.models->SetMachineAgentSeen(st->machine_id, false);
  };
  return WatchStream<v1::MachineSnapshot>::Start(b_.hub, b_.executor, std::move(builder), /*coalesce=*/true,
                                                 std::move(on_done));
}

grpc::ServerUnaryReactor* AgentService::SetUnitCredential(grpc::CallbackServerContext* ctx,
                                                          const v1::SetUnitCredentialRequest* req,
                                                          v1::SetUnitCredentialResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kMachine));
    if (req->credential().empty()) return absl::InvalidArgumentError("empty credential");
    return b_.units->SetUnitCredential(who.machine_id, domain::unit::UnitRef{req->model_uuid(), req->unit()},
                                       req->credential());
  });
}

grpc::ServerWriteReactor<v1::UnitSnapshot>* AgentService::WatchUnit(grpc::CallbackServerContext* ctx,
                                                                    const v1::WatchUnitRequest* req) {
  struct State {
    std::optional<rpc::Identity> claimed;
    std::string unit;
    int64_t unit_id = 0;
    watch::Sequencer<v1::UnitSnapshot> sequencer;
    std::unique_ptr<domain::presence::AgentStream> heartbeat;
  };
  auto st = std::make_shared<State>();
  st->heartbeat = std::make_unique<domain::presence::AgentStream>(b_.presence);
  st->claimed = rpc::ClaimedIdentity(*ctx);
  st->unit = req->unit();
  Backend b = b_;
  auto builder = [st, b]() {
    StreamUpdate<v1::UnitSnapshot> up;
    if (st->unit_id == 0) {
      Principal who;
      auto same_unit = [&](const Principal& p) {
        return p.unit == st->unit ? absl::OkStatus() : absl::PermissionDeniedError("permission denied");
      };
      if (!Authorize(b, st->claimed, Kind::kUnit, same_unit, &who, &up)) return up;
      st->unit_id = who.unit_id;
      st->heartbeat->Open(domain::UnitKey(st->unit_id));
    }
    // Read before the build: every change published up to here is in the snapshot.
    const uint64_t hub_seq = b.hub->Seq();
    auto view = watch::BuildUnitSnapshot(*b.db, st->unit_id);
    if (!view.ok()) {
      // The unit was removed (MarkUnitDead): nothing more to watch.
      up.finish = rpc::ToGrpc(absl::IsNotFound(view.status())
                                  ? absl::NotFoundError(absl::StrCat("unit \"", st->unit, "\" not found"))
                                  : view.status());
      return up;
    }
    up.keys = view->keys;
    std::optional<int64_t> sent;
    if (auto next = st->sequencer.Next(std::move(view->snapshot))) {
      sent = next->version();
      up.messages.push_back(std::move(*next));
    }
    if (b.presence != nullptr) b.presence->SnapshotBuilt(domain::UnitKey(st->unit_id), hub_seq, up.keys, sent);
    return up;
  };
  auto on_done = [st]() { (void)st->heartbeat->Close(); };
  return WatchStream<v1::UnitSnapshot>::Start(b_.hub, b_.executor, std::move(builder), /*coalesce=*/true,
                                              std::move(on_done));
}

grpc::ServerWriteReactor<v1::CharmChunk>* AgentService::GetCharmContent(grpc::CallbackServerContext* ctx,
                                                                        const v1::GetCharmRequest* req) {
  return StartCharmDownload(ctx, b_, req->url());
}

grpc::ServerUnaryReactor* AgentService::ReadRelationSettings(grpc::CallbackServerContext* ctx,
                                                             const v1::ReadRelationSettingsRequest* req,
                                                             v1::RelationSettings* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(domain::Bag bag,
                     b_.relations->ReadSettings(who.unit_id, req->relation_id(), req->owner(), req->application()));
    resp->mutable_settings()->insert(bag.begin(), bag.end());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::GetRelationMembers(grpc::CallbackServerContext* ctx,
                                                           const v1::GetRelationMembersRequest* req,
                                                           v1::GetRelationMembersResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(domain::relation::MembersView view, b_.relations->Members(who.unit_id, req->relation_id()));
    for (const auto& m : view.members) resp->add_units(m.unit);
    resp->set_remote_application(view.remote_application);
    resp->set_endpoint(view.endpoint);
    resp->set_remote_endpoint(view.remote_endpoint);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::CommitHook(grpc::CallbackServerContext* ctx,
                                                   const v1::CommitHookRequest* req, v1::CommitHookResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    domain::hook::HookCommit commit;
    commit.commit_seq = req->commit_seq();
    for (const v1::RelationSettingsChange& c : req->relation_changes()) {
      domain::relation::BagChange change;
      change.relation_id = c.relation_id();
      change.application = c.application();
      change.set = {c.set().begin(), c.set().end()};
      change.unset = {c.unset().begin(), c.unset().end()};
      commit.bags.push_back(std::move(change));
    }
    for (const v1::PortChange& c : req->port_changes()) {
      domain::hook::PortChange change;
      change.open = c.open();
      change.range = {c.range().protocol(), c.range().from_port(), c.range().to_port()};
      change.endpoints = {c.range().endpoints().begin(), c.range().endpoints().end()};
      commit.ports.push_back(std::move(change));
    }
    commit.state_set = {req->state_set().begin(), req->state_set().end()};
    commit.state_unset = {req->state_unset().begin(), req->state_unset().end()};
    commit.charm_url = req->charm_url();
    commit.upgrade_charm_skipped = req->upgrade_charm_skipped();
    commit.storage_add = {req->storage_add().begin(), req->storage_add().end()};
    commit.storage_attached = {req->storage_attached().begin(), req->storage_attached().end()};
    commit.secrets_rotated = {req->secrets_rotated().begin(), req->secrets_rotated().end()};
    ASSIGN_OR_RETURN(int64_t applied, b_.hooks->Commit(who.unit_id, commit));
    resp->set_applied_seq(applied);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::SetStatus(grpc::CallbackServerContext* ctx, const v1::SetStatusRequest* req,
                                                  v1::SetStatusResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    domain::unit::StatusTarget target = domain::unit::StatusTarget::kWorkload;
    if (req->target() == v1::SetStatusRequest::AGENT) target = domain::unit::StatusTarget::kAgent;
    if (req->target() == v1::SetStatusRequest::APPLICATION) target = domain::unit::StatusTarget::kApplication;
    domain::StatusValue value{req->status().current(), req->status().message(), req->status().data_json(), ""};
    return b_.units->SetStatus(who.unit_id, target, value);
  });
}

grpc::ServerUnaryReactor* AgentService::GetStatus(grpc::CallbackServerContext* ctx,
                                                  const v1::GetAgentStatusRequest* req,
                                                  v1::GetAgentStatusResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    ASSIGN_OR_RETURN(domain::unit::AgentStatusView view, b_.units->GetStatus(who.unit_id, req->application()));
    Fill(resp->mutable_unit(), view.unit);
    if (req->application()) {
      Fill(resp->mutable_application(), view.application);
      for (const auto& [name, value] : view.units) Fill(&(*resp->mutable_units())[name], value);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AgentService::SetWorkloadVersion(grpc::CallbackServerContext* ctx,
                                                           const v1::SetWorkloadVersionRequest* req,
                                                           v1::SetWorkloadVersionResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.units->SetWorkloadVersion(who.unit_id, req->version());
  });
}

grpc::ServerUnaryReactor* AgentService::LeaveRelation(grpc::CallbackServerContext* ctx,
                                                      const v1::LeaveRelationRequest* req,
                                                      v1::LeaveRelationResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.relations->LeaveRelation(who.unit_id, req->relation_id());
  });
}

grpc::ServerUnaryReactor* AgentService::MarkUnitDead(grpc::CallbackServerContext* ctx,
                                                     const v1::MarkUnitDeadRequest* req,
                                                     v1::MarkUnitDeadResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.units->MarkUnitDead(who.unit_id);
  });
}

grpc::ServerUnaryReactor* AgentService::PushLogs(grpc::CallbackServerContext* ctx, const v1::PushLogsRequest* req,
                                                 v1::PushLogsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Authenticate(*ctx));
    if (who.kind == Kind::kAdmin) return absl::PermissionDeniedError("permission denied");
    std::vector<domain::log::LogRecord> records;
    for (const v1::LogEntry& e : req->entries()) {
      if (e.entity() != who.entity) return absl::PermissionDeniedError("permission denied");
      records.push_back({0, e.entity(), e.timestamp(), e.level(), e.module(), e.message()});
    }
    return b_.logs->Append(who.kind == Kind::kUnit ? who.model_id : -1, std::move(records));
  });
}

}  // namespace skein::controller::api
