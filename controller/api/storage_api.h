#pragma once

// The Storage service (proto/skein/v1/storage.proto): the admin's view of storage instances for
// `skein storage`, `show-storage` and status. Authenticates, converts, calls the storage domain.

#include "controller/api/backend.h"
#include "skein/v1/storage.grpc.pb.h"

namespace skein::controller::api {

class StorageApi final : public v1::Storage::CallbackService {
 public:
  explicit StorageApi(Backend backend) : b_(backend) {}

  grpc::ServerUnaryReactor* ListStorage(grpc::CallbackServerContext* ctx, const v1::ListStorageRequest* req,
                                        v1::ListStorageResponse* resp) override;

 private:
  Backend b_;
};

}  // namespace skein::controller::api
