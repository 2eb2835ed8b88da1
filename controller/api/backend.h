#pragma once

// What the gRPC services call: the domain services, the hub and the executor. Owned by
// ControllerServer; the gRPC services only borrow them.

#include "controller/api/authn.h"
#include "controller/api/executor.h"
#include "controller/domain/action/action_service.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/bundle/bundle_service.h"
#include "controller/domain/cloud/cloud_store.h"
#include "controller/domain/core/db.h"
#include "controller/domain/hook/hook_service.h"
#include "controller/domain/lease/lease_manager.h"
#include "controller/domain/log/log_service.h"
#include "controller/domain/model/model_config.h"
#include "controller/domain/model/model_service.h"
#include "controller/domain/plan/plan_service.h"
#include "controller/domain/presence/agent_presence.h"
#include "controller/domain/relation/relation_service.h"
#include "controller/domain/resource/resource_service.h"
#include "controller/domain/secret/secret_service.h"
#include "controller/domain/status/status_service.h"
#include "controller/domain/storage/storage_service.h"
#include "controller/domain/substrate/substrate_service.h"
#include "controller/domain/unit/unit_service.h"
#include "controller/watch/hub.h"
#include "grpcpp/grpcpp.h"
#include "lib/rpc/status_convert.h"

namespace skein::controller::api {

struct Backend {
  domain::Db* db = nullptr;
  watch::Hub* hub = nullptr;
  Executor* executor = nullptr;
  Authenticator* authn = nullptr;
  domain::model::ModelService* models = nullptr;
  domain::application::ApplicationService* applications = nullptr;
  domain::relation::RelationService* relations = nullptr;
  domain::unit::UnitService* units = nullptr;
  domain::status::StatusService* status = nullptr;
  domain::log::LogService* logs = nullptr;
  domain::action::ActionService* actions = nullptr;
  domain::lease::LeaseManager* leases = nullptr;
  domain::hook::HookService* hooks = nullptr;
  domain::bundle::BundleService* bundles = nullptr;
  domain::substrate::SubstrateService* substrate = nullptr;
  domain::application::CharmStore* charms = nullptr;
  domain::model::ModelConfigService* model_config = nullptr;
  domain::plan::PlanService* plans = nullptr;
  domain::storage::StorageService* storage = nullptr;
  // Which agents have a watch stream open (their heartbeat); the agent streams report to it.
  domain::presence::AgentPresence* presence = nullptr;
  domain::secret::SecretService* secrets = nullptr;
  domain::resource::ResourceService* resources = nullptr;
  // The clouds and the Kubernetes clusters behind models (CloudService::ClusterForModel is what
  // the agent API calls to mint a unit's ServiceAccount token).
  domain::cloud::CloudStore* clouds = nullptr;
};

// Runs `work` (returning absl::Status) on the executor and finishes the unary call with its
// result. `work` may use the call's context, request and response until it returns.
template <typename Fn>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* ctx, Executor* executor, Fn work) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor->Post([reactor, work = std::move(work)]() mutable { reactor->Finish(rpc::ToGrpc(work())); });
  return reactor;
}

}  // namespace skein::controller::api
