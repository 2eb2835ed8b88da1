#include "controller/api/machine_manager_service.h"

#include "lib/base/status_macros.h"

namespace skein::controller::api {
namespace {

void FillKeys(const std::vector<domain::machine::SshKey>& keys, v1::SshKeysResponse* resp) {
  for (const domain::machine::SshKey& k : keys) {
    v1::SshKey* out = resp->add_keys();
    out->set_fingerprint(k.fingerprint);
    out->set_comment(k.comment);
    out->set_key(k.key);
  }
}

}  // namespace

absl::Status MachineManagerService::Admin(grpc::CallbackServerContext* ctx) {
  return b_.authn->Require(*ctx, domain::auth::Kind::kAdmin).status();
}

grpc::ServerUnaryReactor* MachineManagerService::AddMachines(grpc::CallbackServerContext* ctx,
                                                             const v1::AddMachinesRequest* req,
                                                             v1::AddMachinesResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    domain::machine::AddMachinesArgs args{req->model(), req->count(), req->constraints(),
                                          {req->unit_uids().begin(), req->unit_uids().end()}};
    ASSIGN_OR_RETURN(std::vector<domain::machine::AddedMachine> added, machines_->AddMachines(args));
    for (const domain::machine::AddedMachine& m : added) {
      v1::AddedMachine* out = resp->add_machines();
      out->set_id(m.id);
      out->set_credential(m.credential);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MachineManagerService::RemoveMachines(grpc::CallbackServerContext* ctx,
                                                                const v1::RemoveMachinesRequest* req,
                                                                v1::RemoveMachinesResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(domain::machine::RemoveMachinesResult result,
                     machines_->RemoveMachines(req->model(), {req->machines().begin(), req->machines().end()},
                                               req->force()));
    for (const std::string& m : result.machines) resp->add_machines(m);
    for (const std::string& u : result.units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MachineManagerService::AddUnitsTo(grpc::CallbackServerContext* ctx,
                                                            const v1::AddUnitsToRequest* req,
                                                            v1::AddUnitsToResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<std::string> units,
                     b_.applications->AddUnit(req->model(), req->application(), req->num_units(),
                                              {.to = {req->to().begin(), req->to().end()}}));
    for (const std::string& u : units) resp->add_units(u);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MachineManagerService::AddSshKeys(grpc::CallbackServerContext* ctx,
                                                            const v1::SshKeysRequest* req, v1::SshKeysResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<domain::machine::SshKey> keys,
                     machines_->AddSshKeys(req->model(), {req->keys().begin(), req->keys().end()}));
    FillKeys(keys, resp);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MachineManagerService::RemoveSshKeys(grpc::CallbackServerContext* ctx,
                                                               const v1::SshKeysRequest* req,
                                                               v1::SshKeysResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    return machines_->RemoveSshKeys(req->model(), {req->keys().begin(), req->keys().end()});
  });
}

grpc::ServerUnaryReactor* MachineManagerService::ListSshKeys(grpc::CallbackServerContext* ctx,
                                                             const v1::SshKeysRequest* req, v1::SshKeysResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(Admin(ctx));
    ASSIGN_OR_RETURN(std::vector<domain::machine::SshKey> keys, machines_->ListSshKeys(req->model()));
    FillKeys(keys, resp);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
