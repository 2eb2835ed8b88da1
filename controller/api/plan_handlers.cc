// Controller.ApplyPlan and Controller.DeploymentHistory (issue 13): converts the client's plan
// into the plan domain's changes, starts the job (domain/plan) and streams its progress from the
// watch hub. The job runs on the plan service's own thread: the stream only follows it, so a
// client that goes away stops nothing.

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/api/charm_transfer.h"
#include "controller/api/controller_service.h"
#include "controller/api/stream_auth.h"
#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

using domain::plan::ChangeState;

v1::PlanProgress::State ToProto(ChangeState state) {
  switch (state) {
    case ChangeState::kPending: return v1::PlanProgress::PENDING;
    case ChangeState::kRunning: return v1::PlanProgress::RUNNING;
    case ChangeState::kDone: return v1::PlanProgress::DONE;
    case ChangeState::kFailed: return v1::PlanProgress::FAILED;
  }
  return v1::PlanProgress::PENDING;
}

std::map<std::string, std::string> ToMap(const google::protobuf::Map<std::string, std::string>& m) {
  return {m.begin(), m.end()};
}

absl::StatusOr<domain::plan::ChangeArgs> ArgsOf(const Backend& b, const v1::PlanChange& c) {
  switch (c.change_case()) {
    case v1::PlanChange::kDeploy: {
      const v1::DeployRequest& d = c.deploy();
      // Files sent inline go into the charm store here; the stored change names the archive.
      ASSIGN_OR_RETURN(domain::application::UploadedCharm charm, CharmOfDeploy(b, d));
      return domain::plan::DeployChange{d.application(), charm.sha256, d.num_units(), ToMap(d.config()),
                                        d.charm_origin().empty() ? "local" : d.charm_origin(), d.channel(),
                                        d.revision(),    d.trust()};
    }
    case v1::PlanChange::kRefresh: {
      const v1::RefreshChange& r = c.refresh();
      return domain::plan::RefreshChange{r.application(), r.charm_sha256(),
                                         r.charm_origin().empty() ? "local" : r.charm_origin(),
                                         r.channel(),       r.revision(),   r.force(), r.force_units(),
                                         ToMap(r.config())};
    }
    case v1::PlanChange::kSetConfig:
      return domain::plan::SetConfigChange{c.set_config().application(), ToMap(c.set_config().config())};
    case v1::PlanChange::kAddUnits:
      return domain::plan::AddUnitsChange{c.add_units().application(), c.add_units().count()};
    case v1::PlanChange::kAddRelation:
      return domain::plan::AddRelationChange{c.add_relation().a(), c.add_relation().b()};
    case v1::PlanChange::kRemoveRelation:
      return domain::plan::RemoveRelationChange{c.remove_relation().a(), c.remove_relation().b()};
    case v1::PlanChange::kRemoveApplication:
      return domain::plan::RemoveApplicationChange{c.remove_application()};
    case v1::PlanChange::kWait:
      return domain::plan::WaitChange{{c.wait().applications().begin(), c.wait().applications().end()},
                                      std::chrono::milliseconds(c.wait().timeout_ms())};
    case v1::PlanChange::CHANGE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("change \"", c.id(), "\" has no change"));
}

absl::StatusOr<domain::plan::PlanRequest> PlanOf(const Backend& b, const v1::ApplyPlanRequest& req) {
  domain::plan::PlanRequest plan;
  plan.model = req.model();
  plan.deployment = req.deployment();
  plan.bundle_channel = req.bundle_channel();
  plan.bundle_revision = req.bundle_revision();
  plan.bundle_yaml = req.bundle_yaml();
  plan.description = req.description();
  plan.resume = req.resume();
  plan.rollback = req.rollback();
  plan.plan_text = req.plan_text();
  plan.resolved_json = req.resolved_json();
  plan.overlays_yaml = {req.overlays_yaml().begin(), req.overlays_yaml().end()};
  // A resumed job keeps its stored changes; the ones sent are not even read.
  if (req.resume()) return plan;
  for (const v1::PlanChange& c : req.changes()) {
    ASSIGN_OR_RETURN(domain::plan::ChangeArgs args, ArgsOf(b, c));
    plan.changes.push_back(
        domain::plan::Change{c.id(), {c.depends_on().begin(), c.depends_on().end()}, c.description(), std::move(args)});
  }
  return plan;
}

}  // namespace

grpc::ServerWriteReactor<v1::PlanProgress>* ControllerService::ApplyPlan(grpc::CallbackServerContext* ctx,
                                                                         const v1::ApplyPlanRequest* req) {
  // Everything the builder needs is copied now: the request dies with the call.
  struct Follow {
    std::optional<rpc::Identity> claimed;
    v1::ApplyPlanRequest request;
    bool authorized = false;
    domain::plan::StartedJob job;
    std::map<std::string, std::pair<ChangeState, std::string>> sent;  // by change id: what the client has
  };
  auto st = std::make_shared<Follow>();
  st->claimed = rpc::ClaimedIdentity(*ctx);
  st->request = *req;
  Backend b = b_;
  auto builder = [st, b]() {
    StreamUpdate<v1::PlanProgress> up;
    if (!AuthorizeAdminOnce(b, st->claimed, &st->authorized, &up)) return up;
    if (st->job.job == 0) {
      auto plan = PlanOf(b, st->request);
      if (FinishOnError(plan, &up)) return up;
      st->request.Clear();
      auto started = b.plans->Start(*plan);
      if (FinishOnError(started, &up)) return up;
      st->job = *started;
      v1::PlanProgress& first = up.messages.emplace_back();
      first.set_job(st->job.job);
      first.set_deployment_revision(st->job.deployment_revision);
      first.set_state(v1::PlanProgress::RUNNING);
      first.set_resumed(st->job.resumed);
    }
    up.keys = {domain::PlanJobKey(st->job.job)};
    auto view = b.plans->Job(st->job.job);
    if (FinishOnError(view, &up)) return up;
    for (const domain::plan::ChangeRecord& c : view->changes) {
      auto now = std::make_pair(c.state, c.message);
      if (c.state == ChangeState::kPending || st->sent[c.id] == now) continue;
      st->sent[c.id] = now;
      v1::PlanProgress& m = up.messages.emplace_back();
      m.set_job(st->job.job);
      m.set_deployment_revision(st->job.deployment_revision);
      m.set_change_id(c.id);
      m.set_state(ToProto(c.state));
      m.set_message(c.message);
      m.set_resumed(st->job.resumed);
    }
    if (view->state == ChangeState::kDone) up.finish = grpc::Status::OK;
    if (view->state == ChangeState::kFailed) {
      up.finish = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, view->message);
    }
    return up;
  };
  // Not coalesced: every change state is a message of its own.
  // A controller that stops ends the stream UNAVAILABLE (not OK, which means done): the job
  // continues when it starts again, and re-running the command follows it.
  return WatchStream<v1::PlanProgress>::Start(
      b_.hub, b_.executor, std::move(builder), /*coalesce=*/false, {},
      grpc::Status(grpc::StatusCode::UNAVAILABLE,
                   "the controller is stopping; the plan continues when it starts again: re-run the same command "
                   "to follow it"));
}

grpc::ServerUnaryReactor* ControllerService::DeploymentHistory(grpc::CallbackServerContext* ctx,
                                                               const v1::DeploymentHistoryRequest* req,
                                                               v1::DeploymentHistoryResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<domain::plan::RevisionView> history,
                     b_.plans->History(req->model(), req->deployment()));
    for (const domain::plan::RevisionView& r : history) {
      v1::DeploymentRevision* out = resp->add_revisions();
      out->set_revision(r.revision);
      out->set_updated(r.updated);
      out->set_status(r.status);
      out->set_bundle(r.bundle);
      out->set_channel(r.channel);
      out->set_bundle_revision(r.bundle_revision);
      out->set_description(r.description);
      out->set_bundle_yaml(r.bundle_yaml);
      for (const std::string& o : r.overlays_yaml) out->add_overlays_yaml(o);
      out->set_plan_text(r.plan_text);
      out->set_resolved_json(r.resolved_json);
      for (const domain::plan::ChangeRecord& c : r.changes) {
        v1::PlanChangeRecord* rec = out->add_changes();
        rec->set_id(c.id);
        rec->set_description(c.description);
        rec->set_state(ToProto(c.state));
        rec->set_message(c.message);
        rec->set_updated(c.updated);
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
