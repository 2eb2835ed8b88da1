#pragma once

// The one Kubernetes API client of skein (DESIGN §9), on libcurl: server-side apply, get, list,
// delete, subresource calls (TokenRequest) and watches resumed from a resourceVersion. Objects
// travel as nlohmann::json in their API shape (apiVersion, kind, metadata, ...), so callers
// build and read them exactly as `kubectl get -o json` shows them.
//
// Kinds are mapped to their REST paths by API discovery, asked once per group/version and kept,
// so a CRD's kinds work as soon as the CRD is established (a kind not found is looked up again,
// because a CRD may have been established since the last discovery).
//
// Errors carry the API server's own message: NotFound for 404, AlreadyExists/Aborted for 409
// (a conflict), PermissionDenied for 403, Unauthenticated for 401, InvalidArgument for 400/422
// and for an apply the server refuses as invalid (it answers some of those with 500),
// OutOfRange for 410 Gone (a watch's resourceVersion is too old: list again), Unavailable when
// the server cannot be reached. The text is `<verb> <kind> "<ns>/<name>": <server message>`.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/kube/kubeconfig.h"
#include "nlohmann/json.hpp"

namespace skein::kube {

using Json = nlohmann::json;

// Which object: by API version and kind, plus namespace (empty for cluster-scoped kinds) and
// name.
struct ObjectRef {
  std::string api_version;  // "v1", "apps/v1", "kubeflow.org/v1"
  std::string kind;         // "StatefulSet"
  std::string ns;
  std::string name;
};

// The reference of an object in API shape (reads apiVersion, kind, metadata.namespace/name).
ObjectRef RefOf(const Json& object);

struct ApplyOptions {
  // The field manager owning the fields this apply sets (skein's per-application managers:
  // "skein" for the provider's objects, "skein-<app>" for what a charm sends).
  std::string field_manager = "skein";
  // Take over fields another manager owns instead of failing with a conflict.
  bool force = true;
  // Server-side dry run: validated and admitted, nothing stored.
  bool dry_run = false;
};

struct DeleteOptions {
  // "Background" (the default of the API), "Foreground" or "Orphan".
  std::string propagation_policy = "Background";
  std::optional<int64_t> grace_period_seconds;
};

struct ListOptions {
  std::string label_selector;  // "app.kubernetes.io/name=mlflow-server"
  std::string field_selector;
};

// One event of a watch: ADDED, MODIFIED, DELETED or BOOKMARK, with the object (for BOOKMARK
// only its metadata.resourceVersion is meaningful).
struct WatchEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark };
  Type type;
  Json object;
};

struct WatchOptions {
  ListOptions list;
  // Resume after this version (from a list's metadata.resourceVersion or the last event seen);
  // empty starts with synthetic ADDED events for every existing object.
  std::string resource_version;
  // The server ends a watch after this long; Watch then returns OK and the caller resumes from
  // the last version it saw.
  std::chrono::seconds timeout{300};
};

class Client {
 public:
  // A client for the cluster `config` names. Nothing is dialled until the first call.
  static absl::StatusOr<std::unique_ptr<Client>> Create(const ClusterConfig& config);
  virtual ~Client() = default;

  // Server-side apply of `object` (PATCH with application/apply-patch+yaml). Returns the object
  // as stored (or as it would be, for a dry run).
  virtual absl::StatusOr<Json> Apply(const Json& object, const ApplyOptions& options = {}) = 0;

  virtual absl::StatusOr<Json> Get(const ObjectRef& ref) = 0;

  // Every object of the kind in `ns` (all namespaces when empty, for namespaced kinds) as the
  // API's List object: "items" and "metadata.resourceVersion" (where a watch resumes).
  virtual absl::StatusOr<Json> List(const std::string& api_version, const std::string& kind,
                                    const std::string& ns, const ListOptions& options = {}) = 0;

  // Deletes the object; NotFound when it does not exist.
  virtual absl::Status Delete(const ObjectRef& ref, const DeleteOptions& options = {}) = 0;

  // POST `body` to a subresource of the object `ref` names, e.g. subresource "token" of a
  // ServiceAccount (a TokenRequest). Returns the response object.
  virtual absl::StatusOr<Json> CreateSubresource(const ObjectRef& ref, const std::string& subresource,
                                                 const Json& body) = 0;

  // Streams events of the kind in `ns` to `on_event` until it returns false, `stop` turns true
  // (checked at least once a second), the server ends the watch (OK; resume from the last
  // event's resourceVersion) or an error (OutOfRange when resource_version is too old).
  virtual absl::Status Watch(const std::string& api_version, const std::string& kind, const std::string& ns,
                             const WatchOptions& options, const std::function<bool(const WatchEvent&)>& on_event,
                             const std::atomic<bool>* stop = nullptr) = 0;

  // Whether the kind is namespaced, from discovery. NotFound when the server does not serve it.
  virtual absl::StatusOr<bool> IsNamespaced(const std::string& api_version, const std::string& kind) = 0;

  // The server's address as configured ("https://127.0.0.1:6443").
  virtual const std::string& server() const = 0;
};

}  // namespace skein::kube
