// The action RPCs of both services: thin conversions around domain/action.

#include <algorithm>
#include <chrono>

#include "controller/api/agent_service.h"
#include "controller/api/controller_service.h"
#include "controller/api/stream_auth.h"
#include "controller/api/watch_stream.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;
using domain::auth::Principal;

// A ShowTask long poll answers after this long at most; its client asks again until its own
// deadline.
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
  if (req->wait_ms() <= 0) {
    return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
      RETURN_IF_ERROR(Admin(ctx));
      ASSIGN_OR_RETURN(domain::action::TaskRecord t, b_.actions->GetTask(req->model(), req->task_id()));
      Fill(resp, t);
      return absl::OkStatus();
    });
  }
  // A long poll (clients older than WatchTask): the hub wakes it when the task changes, and it
  // answers once the task is done or the wait has passed. The builder may run after the call's
  // context is gone, so it keeps copies of what it needs.
  auto claimed = rpc::ClaimedIdentity(*ctx);
  Backend b = b_;
  std::string model = req->model();
  std::string task_id = req->task_id();
  auto builder = [claimed, b, model, task_id, authorized = false](bool expired) mutable {
    StreamUpdate<v1::TaskInfo> up;
    if (!AuthorizeAdminOnce(b, claimed, &authorized, &up)) return up;
    auto view = b.actions->WatchedTask(model, task_id);
    if (FinishOnError(view, &up)) return up;
    up.keys = view->keys;
    if (view->task.Done() || expired) {
      Fill(&up.messages.emplace_back(), view->task);
      up.finish = grpc::Status::OK;
    }
    return up;
  };
  auto wait = std::chrono::milliseconds(std::clamp<int64_t>(req->wait_ms(), 0, kMaxWaitMs));
  return WatchUnary<v1::TaskInfo>::Start(b_.hub, b_.executor, resp, wait, std::move(builder));
}

grpc::ServerWriteReactor<v1::TaskInfo>* ControllerService::WatchTask(grpc::CallbackServerContext* ctx,
                                                                     const v1::WatchTaskRequest* req) {
  // Everything the builder needs is copied now: the request dies with the call.
  struct Follow {
    std::optional<rpc::Identity> claimed;
    std::string model;
    std::string task_id;
    bool authorized = false;
  };
  auto st = std::make_shared<Follow>();
  st->claimed = rpc::ClaimedIdentity(*ctx);
  st->model = req->model();
  st->task_id = req->task_id();
  Backend b = b_;
  auto builder = [st, b]() {
    StreamUpdate<v1::TaskInfo> up;
    if (!AuthorizeAdminOnce(b, st->claimed, &st->authorized, &up)) return up;
    auto view = b.actions->WatchedTask(st->model, st->task_id);
    if (FinishOnError(view, &up)) return up;
    up.keys = view->keys;
    Fill(&up.messages.emplace_back(), view->task);
    if (view->task.Done()) up.finish = grpc::Status::OK;
    return up;
  };
  // Coalesced: a reader that falls behind gets the newest state of the task, which holds the
  // whole log so far.
  return WatchStream<v1::TaskInfo>::Start(b_.hub, b_.executor, std::move(builder), /*coalesce=*/true);
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
