#include "tests/tools/cli/fake_controller.h"

#include <chrono>
#include <thread>

#include "grpcpp/server_builder.h"
#include "lib/base/credential.h"
#include "lib/base/sha256.h"
#include "lib/rpc/auth.h"

namespace skein::cli::testing {

FakeController::FakeController(std::string admin_credential_hash) : admin_hash_(std::move(admin_credential_hash)) {}

grpc::Status FakeController::Check(grpc::ServerContext* ctx, const std::string& call, const std::string& model) {
  std::lock_guard<std::mutex> lock(mu);
  calls.push_back(call);
  auto id = rpc::ClaimedIdentity(*ctx);
  if (!id || id->entity != "user-admin" || !CredentialMatches(id->credential, admin_hash_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid entity name or password");
  }
  if (!fail_with.ok()) return fail_with;
  if (!model.empty() && !models.count(model)) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "model \"" + model + "\" not found");
  }
  return grpc::Status::OK;
}

grpc::Status FakeController::AddModel(grpc::ServerContext* ctx, const skein::v1::AddModelRequest* req,
                                      skein::v1::AddModelResponse* resp) {
  if (auto s = Check(ctx, "AddModel", ""); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  if (!models.insert(req->name()).second) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                        "failed to create new model: model \"" + req->name() + "\" for admin already exists");
  }
  resp->set_name(req->name());
  resp->set_uuid("0b9c0c7e-0000-4000-8000-000000000001");
  return grpc::Status::OK;
}

grpc::Status FakeController::ListModels(grpc::ServerContext* ctx, const skein::v1::ListModelsRequest*,
                                        skein::v1::ListModelsResponse* resp) {
  if (auto s = Check(ctx, "ListModels", ""); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  int i = 0;
  for (const auto& name : models) {
    auto* m = resp->add_models();
    m->set_name(name);
    m->set_uuid("0b9c0c7e-0000-4000-8000-00000000000" + std::to_string(++i));
    m->set_type("iaas");
    m->set_cloud("local");
    m->set_region("localhost");
    m->mutable_status()->set_current("available");
    m->mutable_status()->set_since("2026-11-23T20:10:00Z");
    m->set_machine_count(name == "controller" ? 1 : 0);
    m->set_unit_count(name == "controller" ? 2 : 0);
    m->set_controller("local");
    m->set_agent_version("3.6.11");
  }
  return grpc::Status::OK;
}

grpc::Status FakeController::Deploy(grpc::ServerContext* ctx, const skein::v1::DeployRequest* req,
                                    skein::v1::DeployResponse* resp) {
  if (auto s = Check(ctx, "Deploy", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_deploy = *req;
  resp->set_application(req->application());
  resp->set_charm_url("local:" + req->application() + "-3");
  for (int i = 0; i < req->num_units(); ++i) resp->add_units(req->application() + "/" + std::to_string(i));
  return grpc::Status::OK;
}

grpc::Status FakeController::UploadCharm(grpc::ServerContext* ctx, grpc::ServerReader<skein::v1::UploadCharmRequest>* reader,
                                         skein::v1::UploadCharmResponse* resp) {
  if (auto s = Check(ctx, "UploadCharm", ""); !s.ok()) return s;
  skein::v1::UploadCharmRequest req;
  std::string bytes;
  std::string sha256;
  int64_t size = -1;
  while (reader->Read(&req)) {
    if (size < 0) {
      sha256 = req.sha256();
      size = req.size();
    }
    bytes += req.chunk();
  }
  if (static_cast<int64_t>(bytes.size()) != size || Sha256Hex(bytes) != sha256) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "charm upload does not match its SHA-256");
  }
  std::lock_guard<std::mutex> lock(mu);
  last_upload = bytes;
  resp->set_sha256(sha256);
  resp->set_size(size);
  return grpc::Status::OK;
}

grpc::Status FakeController::AddUnit(grpc::ServerContext* ctx, const skein::v1::AddUnitRequest* req,
                                     skein::v1::AddUnitResponse* resp) {
  if (auto s = Check(ctx, "AddUnit", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_add_unit = *req;
  for (int i = 0; i < req->num_units(); ++i) resp->add_units(req->application() + "/" + std::to_string(i + 1));
  return grpc::Status::OK;
}

grpc::Status FakeController::RemoveUnit(grpc::ServerContext* ctx, const skein::v1::RemoveUnitRequest* req,
                                        skein::v1::RemoveUnitResponse* resp) {
  if (auto s = Check(ctx, "RemoveUnit", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_remove_unit = *req;
  for (const auto& u : req->units()) resp->add_units(u);
  return grpc::Status::OK;
}

grpc::Status FakeController::RemoveApplication(grpc::ServerContext* ctx,
                                               const skein::v1::RemoveApplicationRequest* req,
                                               skein::v1::RemoveApplicationResponse* resp) {
  if (auto s = Check(ctx, "RemoveApplication", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_remove_application = *req;
  for (const auto& a : req->applications()) {
    resp->add_applications(a);
    resp->add_units(a + "/0");
    resp->add_units(a + "/1");
  }
  return grpc::Status::OK;
}

grpc::Status FakeController::Integrate(grpc::ServerContext* ctx, const skein::v1::IntegrateRequest* req,
                                       skein::v1::IntegrateResponse* resp) {
  if (auto s = Check(ctx, "Integrate", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_integrate = *req;
  resp->set_relation_id(7);
  return grpc::Status::OK;
}

grpc::Status FakeController::RemoveRelation(grpc::ServerContext* ctx, const skein::v1::RemoveRelationRequest* req,
                                            skein::v1::RemoveRelationResponse* resp) {
  if (auto s = Check(ctx, "RemoveRelation", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_remove_relation = *req;
  resp->set_relation_id(7);
  return grpc::Status::OK;
}

grpc::Status FakeController::GetConfig(grpc::ServerContext* ctx, const skein::v1::GetConfigRequest* req,
                                       skein::v1::GetConfigResponse* resp) {
  if (auto s = Check(ctx, "GetConfig", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  *resp = config;
  return grpc::Status::OK;
}

grpc::Status FakeController::SetConfig(grpc::ServerContext* ctx, const skein::v1::SetConfigRequest* req,
                                       skein::v1::SetConfigResponse*) {
  if (auto s = Check(ctx, "SetConfig", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  last_set_config = *req;
  return grpc::Status::OK;
}

grpc::Status FakeController::GetStatus(grpc::ServerContext* ctx, const skein::v1::GetStatusRequest* req,
                                       skein::v1::ModelStatus* resp) {
  if (auto s = Check(ctx, "GetStatus", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  *resp = status;
  return grpc::Status::OK;
}

grpc::Status FakeController::WatchStatus(grpc::ServerContext* ctx, const skein::v1::GetStatusRequest* req,
                                         grpc::ServerWriter<skein::v1::ModelStatus>* writer) {
  if (auto s = Check(ctx, "WatchStatus", req->model()); !s.ok()) return s;
  skein::v1::ModelStatus snapshot;
  {
    std::lock_guard<std::mutex> lock(mu);
    snapshot = status;
  }
  writer->Write(snapshot);
  // A fake has nothing more to say; the sync API offers no wait for cancellation but polling.
  while (!ctx->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return grpc::Status::OK;
}

grpc::Status FakeController::ApplyPlan(grpc::ServerContext* ctx, const skein::v1::ApplyPlanRequest* req,
                                       grpc::ServerWriter<skein::v1::PlanProgress>* writer) {
  if (auto s = Check(ctx, "ApplyPlan", req->model()); !s.ok()) return s;
  std::string fail_id;
  std::string fail_why;
  {
    std::lock_guard<std::mutex> lock(mu);
    apply_plans.push_back(*req);
    fail_id = fail_change;
    fail_why = fail_message;
  }
  skein::v1::PlanProgress p;
  p.set_job(7);
  p.set_deployment_revision(req->deployment().empty() ? 0 : 2);
  p.set_resumed(req->resume());
  writer->Write(p);
  p.set_resumed(false);
  for (const auto& c : req->changes()) {
    p.set_change_id(c.id());
    p.set_state(skein::v1::PlanProgress::RUNNING);
    writer->Write(p);
    if (c.id() == fail_id) {
      p.set_state(skein::v1::PlanProgress::FAILED);
      p.set_message(fail_why);
      writer->Write(p);
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "job 7 stopped at " + c.id() + ": " + fail_why);
    }
    p.set_state(skein::v1::PlanProgress::DONE);
    writer->Write(p);
  }
  return grpc::Status::OK;
}

grpc::Status FakeController::DeploymentHistory(grpc::ServerContext* ctx, const skein::v1::DeploymentHistoryRequest* req,
                                               skein::v1::DeploymentHistoryResponse* resp) {
  if (auto s = Check(ctx, "DeploymentHistory", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  for (const auto& r : history) {
    if (r.bundle() == req->deployment()) *resp->add_revisions() = r;
  }
  if (resp->revisions().empty()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "deployment \"" + req->deployment() + "\" not found in model \"" + req->model() + "\"");
  }
  return grpc::Status::OK;
}

grpc::Status FakeController::ShowUnit(grpc::ServerContext* ctx, const skein::v1::ShowUnitRequest* req,
                                      skein::v1::UnitInfo* resp) {
  if (auto s = Check(ctx, "ShowUnit", req->model()); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu);
  if (req->unit() != unit_info.name()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unit \"" + req->unit() + "\" not found");
  }
  *resp = unit_info;
  return grpc::Status::OK;
}

grpc::Status FakeController::DebugLog(grpc::ServerContext* ctx, const skein::v1::DebugLogRequest* req,
                                      grpc::ServerWriter<skein::v1::LogEntry>* writer) {
  if (auto s = Check(ctx, "DebugLog", req->model()); !s.ok()) return s;
  std::vector<skein::v1::LogEntry> entries;
  {
    std::lock_guard<std::mutex> lock(mu);
    last_debug_log = *req;
    entries = logs;
  }
  size_t start = 0;
  if (req->lines() >= 0 && static_cast<size_t>(req->lines()) < entries.size()) start = entries.size() - req->lines();
  for (size_t i = start; i < entries.size(); ++i) writer->Write(entries[i]);
  return grpc::Status::OK;
}

grpc::Status FakeModelManager::CreateModel(grpc::ServerContext* ctx, const skein::v1::CreateModelRequest* req,
                                          skein::v1::CreateModelResponse* resp) {
  skein::v1::AddModelRequest add;
  add.set_name(req->name());
  skein::v1::AddModelResponse added;
  grpc::Status s = fake_->AddModel(ctx, &add, &added);
  resp->set_name(added.name());
  resp->set_uuid(added.uuid());
  return s;
}

FakeControllerServer::FakeControllerServer(const std::string& admin_credential_hash, const std::string& listen,
                                           const rpc::KeyedCertificate& tls)
    : fake_(admin_credential_hash) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(listen, rpc::ServerCredentials(tls), &port);
  builder.RegisterService(&fake_);
  builder.RegisterService(&model_manager_);
  server_ = builder.BuildAndStart();
  if (server_ != nullptr && port != 0) address_ = "127.0.0.1:" + std::to_string(port);
}

FakeControllerServer::~FakeControllerServer() {
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

}  // namespace skein::cli::testing
