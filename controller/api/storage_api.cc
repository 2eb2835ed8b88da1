#include "controller/api/storage_api.h"

#include "lib/base/status_macros.h"

namespace skein::controller::api {

grpc::ServerUnaryReactor* StorageApi::ListStorage(grpc::CallbackServerContext* ctx, const v1::ListStorageRequest* req,
                                                  v1::ListStorageResponse* resp) {
  return RunUnary(ctx, b_.executor, [=, this]() -> absl::Status {
    RETURN_IF_ERROR(b_.authn->Require(*ctx, domain::auth::Kind::kAdmin).status());
    ASSIGN_OR_RETURN(std::vector<domain::storage::StorageInstance> instances,
                     b_.storage->List(req->model(), {req->ids().begin(), req->ids().end()}));
    for (const domain::storage::StorageInstance& s : instances) {
      v1::StorageInstanceInfo* info = resp->add_storage();
      info->set_id(s.id.ToString());
      info->set_kind(charm::StorageKindName(s.kind));
      info->set_pool(s.pool);
      info->set_size_mib(s.size_mib);
      info->set_owner_application(s.owner_application);
      info->set_unit(s.unit);
      info->set_machine(s.machine_id);
      info->set_life(s.life == domain::Life::kAlive ? "alive" : "dying");
      info->set_status(s.Status());
      info->set_location(s.location);
      info->set_since(s.created_at);
      if (!s.unit.empty()) info->set_unit_life(s.unit_life == domain::Life::kAlive ? "alive" : "dying");
    }
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::api
