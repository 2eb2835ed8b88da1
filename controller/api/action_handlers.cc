// The action RPCs of both services: thin conversions around domain/action.

#include <algorithm>
#include <chrono>
#include <thread>

#include "controller/api/agent_service.h"
#include "controller/api/controller_service.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;
using domain::auth::Principal;

// A long poll answers after this long at most; the CLI asks again until its own deadline.
constexpr int64_t kMaxWaitMs = 60000;

void Fill(v1::TaskInfo* out, const domain::action::TaskRecord& t) {
  out->set_id(t.id);
  out->set_operation_id(t.operation_id);
  out->set_unit(t.unit);
  out->set_action(t.action);
  out->set_status(t.status);
  out->set_message(t.message);
  out->set_results_json(t.results.dump());
  out->set_params_json(t.params.dump());
  for (const auto& line : t.log) {
    v1::TaskLogEntry* e = out->add_log();
    e->set_timestamp(line.timestamp);
    e->set_message(line.message);
  }
  out->set_enqueued(t.enqueued);
  out->set_started(t.started);
  out->set_completed(t.completed);
}

}  // namespace

grpc::ServerUnaryReactor* ControllerService::RunAction(grpc::CallbackServerContext* ctx,
                                                       const v1::RunActionRequest* req, v1::RunActionResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    std::vector<std::string> units(req->units().begin(), req->units().end());
    ASSIGN_OR_RETURN(domain::action::Enqueued queued,
                     b_.actions->Enqueue(req->model(), units, req->action(), req->params_json()));
    resp->set_operation_id(queued.operation_id);
    for (const auto& t : queued.tasks) Fill(resp->add_tasks(), t);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::ShowTask(grpc::CallbackServerContext* ctx, const v1::ShowTaskRequest* req,
                                                      v1::TaskInfo* resp) {
  auto work = [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    auto wait = std::chrono::milliseconds(std::clamp<int64_t>(req->wait_ms(), 0, kMaxWaitMs));
    ASSIGN_OR_RETURN(domain::action::TaskRecord t, b_.actions->GetTask(req->model(), req->task_id(), wait));
    Fill(resp, t);
    return absl::OkStatus();
  };
  if (req->wait_ms() <= 0) return RunUnary(ctx, b_.executor, std::move(work));
  // A long poll blocks for up to a minute: it gets its own thread rather than one of the
  // executor's few. ActionService::Shutdown ends it when the server stops.
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  std::thread([reactor, work = std::move(work)]() mutable { reactor->Finish(rpc::ToGrpc(work())); }).detach();
  return reactor;
}

grpc::ServerUnaryReactor* AgentService::StartAction(grpc::CallbackServerContext* ctx,
                                                    const v1::StartActionRequest* req, v1::StartActionResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.actions->Start(who.unit_id, req->task_id());
  });
}

grpc::ServerUnaryReactor* AgentService::ActionLog(grpc::CallbackServerContext* ctx, const v1::ActionLogRequest* req,
                                                  v1::ActionLogResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.actions->AppendLog(who.unit_id, req->task_id(), req->message());
  });
}

grpc::ServerUnaryReactor* AgentService::FinishAction(grpc::CallbackServerContext* ctx,
                                                     const v1::FinishActionRequest* req,
                                                     v1::FinishActionResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(Principal who, b_.authn->Require(*ctx, Kind::kUnit));
    return b_.actions->Finish(who.unit_id, req->task_id(), req->failed(), req->message(), req->results_json());
  });
}

}  // namespace skein::controller::api
