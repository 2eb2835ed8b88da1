#pragma once

// Charm archives moving in chunks (issue 11): the client-streaming upload into the charm store
// (Controller.UploadCharm) and the server-streaming download a unit agent makes of its charm
// (Agent.GetCharmContent). One chunk is in flight at a time and each is handled on the
// executor, so memory stays flat whatever the archive's size.

#include <cstdint>

#include "controller/api/backend.h"
#include "skein/v1/agent.grpc.pb.h"
#include "skein/v1/controller.grpc.pb.h"

namespace skein::controller::api {

// The most bytes one chunk carries, both ways.
inline constexpr int64_t kCharmChunkBytes = 1 << 20;

// Starts serving one UploadCharm call (admin only); gRPC owns the reactor until OnDone.
grpc::ServerReadReactor<v1::UploadCharmRequest>* StartCharmUpload(grpc::CallbackServerContext* ctx,
                                                                   const Backend& backend,
                                                                   v1::UploadCharmResponse* response);

// Starts serving one GetCharmContent call (the unit's own charm only).
grpc::ServerWriteReactor<v1::CharmChunk>* StartCharmDownload(grpc::CallbackServerContext* ctx,
                                                              const Backend& backend, const std::string& url);

// The charm a deploy names: the uploaded archive `charm_sha256`, or else the files sent inline,
// packed into the charm store. The store's errors (NotFound for an archive never uploaded,
// InvalidArgument for one that is not a valid charm).
absl::StatusOr<domain::application::UploadedCharm> CharmOfDeploy(const Backend& backend,
                                                                 const v1::DeployRequest& request);

}  // namespace skein::controller::api
