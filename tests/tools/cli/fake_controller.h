#pragma once

// A fake skein-controller for CLI tests: a real gRPC server on 127.0.0.1:0 implementing the
// Controller service with canned answers, recording what the CLI sent and checking that every
// call carries the admin identity.

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "grpcpp/server.h"
#include "lib/rpc/tls.h"
#include "skein/v1/controller.grpc.pb.h"
#include "skein/v1/models.grpc.pb.h"
#include "tests/test_tls.h"

namespace skein::cli::testing {

class FakeController final : public skein::v1::Controller::Service {
 public:
  // `admin_credential_hash`: HashCredential() of the admin secret calls must present.
  explicit FakeController(std::string admin_credential_hash);

  // Canned answers (set before the CLI runs).
  skein::v1::ModelStatus status;
  skein::v1::GetConfigResponse config;
  skein::v1::UnitInfo unit_info;
  std::vector<skein::v1::LogEntry> logs;
  std::set<std::string> models = {"controller"};
  // ApplyPlan streams RUNNING then DONE for each change, or stops at `fail_change` with FAILED
  // (`fail_message`) and FAILED_PRECONDITION. `history` answers DeploymentHistory (NOT_FOUND when
  // empty).
  std::string fail_change;
  std::string fail_message;
  std::vector<skein::v1::DeploymentRevision> history;
  // When set, every call fails with it.
  grpc::Status fail_with = grpc::Status::OK;

  // What the CLI sent.
  std::mutex mu;
  std::vector<std::string> calls;
  skein::v1::DeployRequest last_deploy;
  std::string last_upload;  // the bytes of the last UploadCharm, once its digest matched
  skein::v1::SetConfigRequest last_set_config;
  skein::v1::IntegrateRequest last_integrate;
  skein::v1::RemoveRelationRequest last_remove_relation;
  skein::v1::RemoveUnitRequest last_remove_unit;
  skein::v1::RemoveApplicationRequest last_remove_application;
  skein::v1::AddUnitRequest last_add_unit;
  skein::v1::DebugLogRequest last_debug_log;
  std::vector<skein::v1::ApplyPlanRequest> apply_plans;

  grpc::Status AddModel(grpc::ServerContext*, const skein::v1::AddModelRequest*, skein::v1::AddModelResponse*) override;
  grpc::Status ListModels(grpc::ServerContext*, const skein::v1::ListModelsRequest*,
                          skein::v1::ListModelsResponse*) override;
  grpc::Status Deploy(grpc::ServerContext*, const skein::v1::DeployRequest*, skein::v1::DeployResponse*) override;
  // Keeps the archive when its size and SHA-256 match what the first message announced.
  grpc::Status UploadCharm(grpc::ServerContext*, grpc::ServerReader<skein::v1::UploadCharmRequest>*,
                           skein::v1::UploadCharmResponse*) override;
  grpc::Status AddUnit(grpc::ServerContext*, const skein::v1::AddUnitRequest*, skein::v1::AddUnitResponse*) override;
  grpc::Status RemoveUnit(grpc::ServerContext*, const skein::v1::RemoveUnitRequest*,
                          skein::v1::RemoveUnitResponse*) override;
  grpc::Status RemoveApplication(grpc::ServerContext*, const skein::v1::RemoveApplicationRequest*,
                                 skein::v1::RemoveApplicationResponse*) override;
  grpc::Status Integrate(grpc::ServerContext*, const skein::v1::IntegrateRequest*,
                         skein::v1::IntegrateResponse*) override;
  grpc::Status RemoveRelation(grpc::ServerContext*, const skein::v1::RemoveRelationRequest*,
                              skein::v1::RemoveRelationResponse*) override;
  grpc::Status GetConfig(grpc::ServerContext*, const skein::v1::GetConfigRequest*,
                         skein::v1::GetConfigResponse*) override;
  grpc::Status SetConfig(grpc::ServerContext*, const skein::v1::SetConfigRequest*,
                         skein::v1::SetConfigResponse*) override;
  grpc::Status GetStatus(grpc::ServerContext*, const skein::v1::GetStatusRequest*, skein::v1::ModelStatus*) override;
  grpc::Status ShowUnit(grpc::ServerContext*, const skein::v1::ShowUnitRequest*, skein::v1::UnitInfo*) override;
  // Sends `status` once, then holds the stream open until the client goes.
  grpc::Status WatchStatus(grpc::ServerContext*, const skein::v1::GetStatusRequest*,
                           grpc::ServerWriter<skein::v1::ModelStatus>*) override;
  grpc::Status ApplyPlan(grpc::ServerContext*, const skein::v1::ApplyPlanRequest*,
                         grpc::ServerWriter<skein::v1::PlanProgress>*) override;
  grpc::Status DeploymentHistory(grpc::ServerContext*, const skein::v1::DeploymentHistoryRequest*,
                                 skein::v1::DeploymentHistoryResponse*) override;
  grpc::Status DebugLog(grpc::ServerContext*, const skein::v1::DebugLogRequest*,
                        grpc::ServerWriter<skein::v1::LogEntry>*) override;

 private:
  // Identity and model checks shared by every call; records the call name.
  grpc::Status Check(grpc::ServerContext* ctx, const std::string& call, const std::string& model);

  std::string admin_hash_;
};

// The ModelManager service of a FakeController: add-model's CreateModel, on the fake's models
// (recorded as its AddModel call).
class FakeModelManager final : public skein::v1::ModelManager::Service {
 public:
  explicit FakeModelManager(FakeController* fake) : fake_(fake) {}
  grpc::Status CreateModel(grpc::ServerContext* ctx, const skein::v1::CreateModelRequest* req,
                           skein::v1::CreateModelResponse* resp) override;

 private:
  FakeController* fake_;
};

// Serves a FakeController on 127.0.0.1:0 until destroyed.
class FakeControllerServer {
 public:
  // Serves on `listen` (a port of 0 picks one); address() is empty when it could not bind.
  // It presents `tls` (by default the test certificate, tests/test_tls.h), as the controller
  // serves TLS only.
  explicit FakeControllerServer(const std::string& admin_credential_hash, const std::string& listen = "127.0.0.1:0",
                                const rpc::KeyedCertificate& tls = skein::testing::TestCertificates().server);
  ~FakeControllerServer();

  FakeController& fake() { return fake_; }
  const std::string& address() const { return address_; }

 private:
  FakeController fake_;
  FakeModelManager model_manager_{&fake_};
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace skein::cli::testing
