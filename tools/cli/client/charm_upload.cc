#include "tools/cli/client/charm_upload.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "lib/base/sha256.h"

namespace skein::cli::client {
namespace {

// As the controller's limit per message (controller/api/charm_transfer.h).
constexpr size_t kChunkBytes = 1 << 20;

// The deadline grows with the archive: a minute, and a second per MiB on top (a slow disk on
// either side is far faster than that).
std::chrono::milliseconds Deadline(uint64_t size) {
  return std::chrono::seconds(60) + std::chrono::seconds(size / kChunkBytes);
}

grpc::Status Send(Connection& connection, const std::string& path, const std::string& sha256, uint64_t size,
                  bool wait_for_ready, skein::v1::UploadCharmResponse* response, absl::Status* local) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *local = absl::InternalError(absl::StrCat("cannot read ", path));
    return grpc::Status::OK;
  }
  grpc::ClientContext ctx;
  connection.Prepare(&ctx, Deadline(size));
  ctx.set_wait_for_ready(wait_for_ready);
  auto writer = connection.stub().UploadCharm(&ctx, response);
  skein::v1::UploadCharmRequest request;
  request.set_sha256(sha256);
  request.set_size(static_cast<int64_t>(size));
  std::string* chunk = request.mutable_chunk();
  bool first = true;
  while (in || first) {
    chunk->resize(kChunkBytes);
    in.read(chunk->data(), static_cast<std::streamsize>(chunk->size()));
    chunk->resize(static_cast<size_t>(in.gcount()));
    if (chunk->empty() && !first) break;
    // A failed write means the controller ended the call; Finish says why.
    if (!writer->Write(request)) break;
    first = false;
    request.clear_sha256();
    request.clear_size();
  }
  if (in.bad()) {
    *local = absl::InternalError(absl::StrCat("cannot read ", path));
    ctx.TryCancel();
  }
  writer->WritesDone();
  return writer->Finish();
}

}  // namespace

absl::StatusOr<std::string> UploadCharm(Connection& connection, const std::string& path) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot read ", path, ": ", ec.message()));
  auto sha256 = Sha256OfFile(path);
  if (!sha256.ok()) return sha256.status();
  skein::v1::UploadCharmResponse response;
  absl::Status local;
  grpc::Status status = Send(connection, path, *sha256, size, /*wait_for_ready=*/false, &response, &local);
  if (local.ok() && Connection::IsConnectFailure(status)) {
    // As Connection::Call: the first connection attempt failed before anything was sent.
    status = Send(connection, path, *sha256, size, /*wait_for_ready=*/true, &response, &local);
  }
  if (!local.ok()) return local;
  if (!status.ok()) return connection.Error(status);
  return response.sha256();
}

}  // namespace skein::cli::client
