#include "controller/api/controller_service.h"

#include <memory>

#include "controller/api/charm_transfer.h"
#include "controller/api/stream_auth.h"
#include "controller/api/watch_stream.h"
#include "controller/watch/snapshots.h"
#include "lib/charm/storage_spec.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::auth::Kind;

std::vector<std::string> ToVector(const google::protobuf::RepeatedPtrField<std::string>& field) {
  return {field.begin(), field.end()};
}

v1::LogEntry ToProto(const domain::log::LogRecord& r) {
  v1::LogEntry e;
  e.set_seq(r.seq);
  e.set_entity(r.entity);
  e.set_timestamp(r.timestamp);
  e.set_level(r.level);
  e.set_module(r.module);
  e.set_message(r.message);
  return e;
}

// How many new log entries one stream build reads at most.
constexpr int kLogBatch = 500;

}  // namespace

absl::Status ControllerService::Admin(grpc::CallbackServerContext* ctx) {
  return b_.authn->Require(*ctx, Kind::kAdmin).status();
}

grpc::ServerUnaryReactor* ControllerService::AddModel(grpc::CallbackServerContext* ctx,
                                                      const v1::AddModelRequest* req, v1::AddModelResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::ModelRow model, b_.models->AddModel(req->name()));
    resp->set_name(model.name);
    resp->set_uuid(model.uuid);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::ListModels(grpc::CallbackServerContext* ctx,
                                                        const v1::ListModelsRequest* req,
                                                        v1::ListModelsResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<v1::ModelSummary> models, b_.models->ListModels());
    for (v1::ModelSummary& m : models) *resp->add_models() = std::move(m);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::Deploy(grpc::CallbackServerContext* ctx, const v1::DeployRequest* req,
                                                    v1::DeployResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    domain::application::DeployArgs args;
    args.model = req->model();
    args.application = req->application();
    ASSIGN_OR_RETURN(args.charm, CharmOfDeploy(b_, *req));
    args.num_units = req->num_units();
    args.config = {req->config().begin(), req->config().end()};
    args.charm_origin = req->charm_origin();
    args.channel = req->channel();
    args.revision = req->revision();
    args.trust = req->trust();
    for (const std::string& text : req->storage()) {
      ASSIGN_OR_RETURN(charm::StorageDirective directive, charm::ParseStorageDirective(text));
      args.storage[directive.name] = directive;
    }
    ASSIGN_OR_RETURN(domain::application::DeployResult result, b_.applications->Deploy(args));
    resp->set_application(result.application);
    resp->set_charm_url(result.charm_url);
    for (const std::string& u : result.units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::AddUnit(grpc::CallbackServerContext* ctx, const v1::AddUnitRequest* req,
                                                     v1::AddUnitResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<std::string> units,
                     b_.applications->AddUnit(req->model(), req->application(), req->num_units(),
                                              {.attach_storage = ToVector(req->attach_storage())}));
    for (const std::string& u : units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::RemoveUnit(grpc::CallbackServerContext* ctx,
                                                        const v1::RemoveUnitRequest* req,
                                                        v1::RemoveUnitResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<std::string> units,
                     b_.applications->RemoveUnits(req->model(), ToVector(req->units()), req->destroy_storage()));
    for (const std::string& u : units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::RemoveApplication(grpc::CallbackServerContext* ctx,
                                                               const v1::RemoveApplicationRequest* req,
                                                               v1::RemoveApplicationResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::application::RemoveApplicationResult result,
                     b_.applications->RemoveApplications(req->model(), ToVector(req->applications()),
                                                         req->destroy_storage()));
    for (const std::string& a : result.applications) resp->add_applications(a);
    for (const std::string& u : result.units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::Integrate(grpc::CallbackServerContext* ctx,
                                                       const v1::IntegrateRequest* req, v1::IntegrateResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::relation::IntegrateResult result,
                     b_.relations->Integrate(req->model(), ToVector(req->endpoints())));
    resp->set_relation_id(result.relation_id);
    resp->set_key(result.key);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::RemoveRelation(grpc::CallbackServerContext* ctx,
                                                            const v1::RemoveRelationRequest* req,
                                                            v1::RemoveRelationResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(int64_t id, b_.relations->RemoveRelation(req->model(), ToVector(req->endpoints())));
    resp->set_relation_id(id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::GetConfig(grpc::CallbackServerContext* ctx,
                                                       const v1::GetConfigRequest* req, v1::GetConfigResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::application::ConfigView view, b_.applications->GetConfig(req->model(), req->application()));
    resp->set_application(view.application);
    resp->set_charm(view.charm);
    resp->set_trust(view.trust);
    for (const auto& o : view.options) {
      v1::ConfigOption* out = resp->add_options();
      out->set_name(o.name);
      out->set_type(o.type);
      out->set_description(o.description);
      out->set_default_json(o.default_json);
      out->set_value_json(o.value_json);
      out->set_source(o.source);
      out->set_set_by_bundle(o.set_by_bundle);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ControllerService::SetConfig(grpc::CallbackServerContext* ctx,
                                                       const v1::SetConfigRequest* req, v1::SetConfigResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    return b_.applications->SetConfig(req->model(), req->application(), {req->values().begin(), req->values().end()},
                                      ToVector(req->reset()));
  });
}

grpc::ServerUnaryReactor* ControllerService::GetStatus(grpc::CallbackServerContext* ctx,
                                                       const v1::GetStatusRequest* req, v1::ModelStatus* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(*resp, b_.status->ModelStatus(req->model()));
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::ModelStatus>* ControllerService::WatchStatus(grpc::CallbackServerContext* ctx,
                                                                          const v1::GetStatusRequest* req) {
  struct Follow {
    std::optional<rpc::Identity> claimed;
    std::string model;
    bool authorized = false;
    watch::Sequencer<v1::ModelStatus> sequencer;
  };
  auto st = std::make_shared<Follow>();
  st->claimed = rpc::ClaimedIdentity(*ctx);
  st->model = req->model();
  Backend b = b_;
  auto builder = [st, b]() {
    StreamUpdate<v1::ModelStatus> up;
    if (!AuthorizeAdminOnce(b, st->claimed, &st->authorized, &up)) return up;
    auto view = b.status->WatchedModelStatus(st->model);
    if (FinishOnError(view, &up)) return up;
    up.keys = std::move(view->keys);
    // The timestamp changes on every build; only a change of what the model shows is news.
    std::string timestamp = view->status.controller_timestamp();
    view->status.clear_controller_timestamp();
    if (auto next = st->sequencer.Next(std::move(view->status))) {
      next->set_controller_timestamp(timestamp);
      up.messages.push_back(std::move(*next));
    }
    return up;
  };
  return WatchStream<v1::ModelStatus>::Start(b_.hub, b_.executor, std::move(builder), /*coalesce=*/true);
}

grpc::ServerUnaryReactor* ControllerService::ShowUnit(grpc::CallbackServerContext* ctx,
                                                      const v1::ShowUnitRequest* req, v1::UnitInfo* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(*resp, b_.status->ShowUnit(req->model(), req->unit()));
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<v1::LogEntry>* ControllerService::DebugLog(grpc::CallbackServerContext* ctx,
                                                                    const v1::DebugLogRequest* req) {
  // Everything the builder needs is copied now: the request dies with the call.
  struct Follow {
    std::optional<rpc::Identity> claimed;
    std::string model;
    domain::log::LogFilter filter;
    int lines = 0;
    bool follow = false;
    bool started = false;
    int64_t model_id = 0;
    int64_t last_seq = 0;
  };
  auto st = std::make_shared<Follow>();
  st->claimed = rpc::ClaimedIdentity(*ctx);
  st->model = req->model();
  st->filter.include = ToVector(req->include());
  st->filter.exclude = ToVector(req->exclude());
  st->filter.level = req->level();
  st->lines = req->lines();
  st->follow = req->follow();
  Backend b = b_;
  auto builder = [st, b]() {
    StreamUpdate<v1::LogEntry> up;
    up.keys = {domain::LogKey()};
    absl::StatusOr<std::vector<domain::log::LogRecord>> records;
    if (!st->started) {
      auto who = b.authn->Require(st->claimed, Kind::kAdmin);
      if (!who.ok()) {
        up.finish = rpc::ToGrpc(who.status());
        return up;
      }
      if (!st->filter.level.empty() && domain::log::LevelRank(st->filter.level) < 0) {
        up.finish = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "level value \"" + st->filter.level + "\" is not one of TRACE DEBUG INFO WARNING "
                                 "ERROR CRITICAL");
        return up;
      }
      auto model_id = b.logs->ModelId(st->model);
      if (!model_id.ok()) {
        up.finish = rpc::ToGrpc(model_id.status());
        return up;
      }
      st->model_id = *model_id;
      st->started = true;
      records = b.logs->Tail(st->model_id, st->filter, st->lines, &st->last_seq);
      if (!st->follow) up.finish = grpc::Status::OK;
    } else {
      int64_t before = st->last_seq;
      records = b.logs->Since(st->model_id, st->filter, before, kLogBatch, &st->last_seq);
      up.more = st->last_seq != before;  // read again until a batch finds nothing new
    }
    if (!records.ok()) {
      up.finish = rpc::ToGrpc(records.status());
      return up;
    }
    for (const auto& r : *records) up.messages.push_back(ToProto(r));
    return up;
  };
  return WatchStream<v1::LogEntry>::Start(b_.hub, b_.executor, std::move(builder), /*coalesce=*/false);
}

}  // namespace skein::controller::api
