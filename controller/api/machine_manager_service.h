#pragma once

// The CLI-facing MachineManager service (machines.proto): authenticates the admin user as the
// Controller service does, converts requests and calls the machine domain service (and the
// application service for placement).

#include "controller/api/backend.h"
#include "controller/domain/machine/machine_service.h"
#include "skein/v1/machines.grpc.pb.h"

namespace skein::controller::api {

class MachineManagerService final : public v1::MachineManager::CallbackService {
 public:
  // `machines` is not owned and must outlive the service.
  MachineManagerService(Backend backend, domain::machine::MachineService* machines)
      : b_(backend), machines_(machines) {}

  grpc::ServerUnaryReactor* AddMachines(grpc::CallbackServerContext* ctx, const v1::AddMachinesRequest* req,
                                        v1::AddMachinesResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveMachines(grpc::CallbackServerContext* ctx, const v1::RemoveMachinesRequest* req,
                                           v1::RemoveMachinesResponse* resp) override;
  grpc::ServerUnaryReactor* AddUnitsTo(grpc::CallbackServerContext* ctx, const v1::AddUnitsToRequest* req,
                                       v1::AddUnitsToResponse* resp) override;
  grpc::ServerUnaryReactor* AddSshKeys(grpc::CallbackServerContext* ctx, const v1::SshKeysRequest* req,
                                       v1::SshKeysResponse* resp) override;
  grpc::ServerUnaryReactor* RemoveSshKeys(grpc::CallbackServerContext* ctx, const v1::SshKeysRequest* req,
                                          v1::SshKeysResponse* resp) override;
  grpc::ServerUnaryReactor* ListSshKeys(grpc::CallbackServerContext* ctx, const v1::SshKeysRequest* req,
                                        v1::SshKeysResponse* resp) override;

 private:
  absl::Status Admin(grpc::CallbackServerContext* ctx);

  Backend b_;
  domain::machine::MachineService* machines_;
};

}  // namespace skein::controller::api
