// UnitHookContext: resource-get, a call to the controller's Resources service
// (proto/skein/v1/resources.proto) that downloads the application's resource next to the charm,
// where Juju keeps it: `<agent dir>/resources/<name>/<filename>`.

#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "lib/base/file_write.h"
#include "lib/rpc/retry.h"
#include "lib/rpc/status_convert.h"

namespace skein::agent {

absl::StatusOr<std::string> UnitHookContext::ResourceGet(const std::string& name) {
  if (p_.charm_dir.empty()) return absl::FailedPreconditionError("the unit has no charm directory yet");
  v1::FetchResourceRequest req;
  req.set_name(name);
  auto fetched = CallController<v1::FetchResourceResponse>([&]() -> absl::StatusOr<v1::FetchResourceResponse> {
    grpc::ClientContext ctx;
    p_.client->Prepare(&ctx, rpc::kDefaultDeadline);
    v1::FetchResourceResponse resp;
    grpc::Status status = p_.client->resources().FetchResource(&ctx, req, &resp);
    if (!status.ok()) return rpc::FromGrpc(status);
    return resp;
  });
  if (!fetched.ok()) {
    // Juju's wording, which charms and ops show as the ModelError's message.
    return absl::Status(fetched.status().code(),
                        absl::StrCat("could not download resource: ", fetched.status().message()));
  }
  // An oci-image resource has no file of its own: its reference goes in a file named after it.
  const std::string filename =
      fetched->resource().path().empty() ? absl::StrCat(name, ".image") : fetched->resource().path();
  const std::filesystem::path dir =
      std::filesystem::path(p_.charm_dir).parent_path() / "resources" / name;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  const std::string path = (dir / filename).string();
  // Whole or not at all: a charm reading the file while a later resource-get replaces it sees
  // either revision, never a mix.
  if (absl::Status s = WriteFileAtomic(path, fetched->content(), 0644); !s.ok()) return s;
  return path;
}

}  // namespace skein::agent
