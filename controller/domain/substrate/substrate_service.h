#pragma once

// The local substrate's object store (DESIGN §9): the Kubernetes objects applied in a model,
// kept exactly as they would be applied so that `skein manifests` can print them or write them
// out for `kubectl apply -f`.
//
// Ownership follows how charms use Kubernetes: an application applies named sets of objects
// (lightkube's KubernetesResourceHandler with a label scope) and replaces a set as a whole, so an
// object it stops listing is deleted; the user's objects (`skein apply`, owner '' and set
// `user`) are created or replaced one by one. An object (namespace, kind, name, target label) has
// one owner; another owner applying it is refused rather than silently taken over, because two
// charms fighting over one object is a bug the user must see.
//
// A decoration (target_namespace_label set, no namespace) is attached to every Namespace object
// whose label of that name is "true", like Metacontroller's DecoratorController does for the
// resource dispatcher. The expansion is computed when reading, so a namespace labelled later gets
// the decorations at once and an unlabelled one loses them, with nothing to keep in sync.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"

namespace skein::controller::domain::substrate {

// The set every object of the user belongs to.
inline constexpr char kUserSet[] = "user";

// The hub key every write of manifests touches (whatever the model): the Kubernetes manifests
// reconciler watches it to learn of models whose objects changed.
inline constexpr char kManifestsKey[] = "manifests";

struct Manifest {
  std::string ns;           // '' for cluster-scoped objects and decorations
  std::string api_version;
  std::string kind;
  std::string name;
  std::string content_json;  // the whole object
  std::string target_namespace_label;
};

struct ListedManifest {
  Manifest manifest;    // decorations expanded: ns and metadata.namespace are the target
  std::string owner;    // application name; '' for the user
  std::string set;
};

class SubstrateService {
 public:
  explicit SubstrateService(Db* db) : db_(db) {}

  // Replaces the set `set` of `application` in `model` with `manifests`: objects of that set
  // not listed are deleted; a listed object the application holds in another of its sets moves
  // to this one. One transaction; nothing changes on error. Errors: NotFound
  // `model "x" not found` / `application "x" not found`; InvalidArgument for an empty set name
  // or a manifest ValidateManifests refuses; FailedPrecondition
  // `<kind> "<ns>/<name>" is already applied by application "x"` (`<kind> "<name>"` when
  // cluster-scoped, `... by the user` for the user's objects) when another owner holds one.
  absl::Status ApplyManifests(const std::string& model, const std::string& application, const std::string& set,
                              const std::vector<Manifest>& manifests);

  // ApplyManifests for the application of the unit with row id `unit_id` (the agent API, where
  // the caller is authenticated as that unit). NotFound `unit "..." not found` when it is gone;
  // otherwise ApplyManifests' errors.
  absl::Status ApplyManifestsForUnit(int64_t unit_id, const std::string& set, const std::vector<Manifest>& manifests);

  // `skein apply`: creates or replaces each object as the user's (owner '', set `user`);
  // nothing is pruned. NotFound for an unknown model; ApplyManifests' InvalidArgument and
  // FailedPrecondition (another application holds the object). Nothing changes on error.
  absl::Status ApplyUserManifests(const std::string& model, const std::vector<Manifest>& manifests);

  // The model's objects with decorations expanded into every labelled Namespace, ordered by
  // namespace, kind, name, owner. With a non-empty `ns`, only the objects in that namespace.
  // NotFound `model "x" not found`.
  // On a Kubernetes model, decorations are also expanded into the cluster's labelled namespaces
  // the manifests reconciler recorded (table cluster_namespaces), so the listing shows what was
  // applied there.
  absl::StatusOr<std::vector<ListedManifest>> ListManifests(const std::string& model, const std::string& ns = "");

  // The model's objects as stored: decorations not expanded (ns '' and target_namespace_label
  // set), ordered by owner, set, namespace, kind, name. NotFound `model "x" not found`.
  absl::StatusOr<std::vector<ListedManifest>> StoredManifests(const std::string& model);

 private:
  Db* db_;
};

// Checks every manifest and returns them with their content normalised (namespaced objects get
// metadata.namespace, placed right after metadata.name when it was absent; key order is kept
// otherwise). InvalidArgument, naming the object:
//   `manifest N: content_json is not a JSON object`
//   `manifest N: missing apiVersion` / `missing kind` / `missing metadata.name`
//   `<kind> "<ns>/<name>": apiVersion "a" differs from the manifest's api_version "b"` (also for
//     kind and metadata.name)
//   `<kind> "<ns>/<name>": metadata.namespace "a" differs from the manifest's namespace "b"`
//   `<kind> "<name>": both a namespace ("ns") and a target namespace label ("l") are set`
//   `<kind> "<ns>/<name>" is listed twice`
absl::StatusOr<std::vector<Manifest>> ValidateManifests(const std::vector<Manifest>& manifests);

// How errors name an object: `Secret "ns/name"`, `Namespace "name"`, or for a decoration
// `Secret "name" for namespaces labelled "l"`.
std::string DescribeObject(const Manifest& m);

}  // namespace skein::controller::domain::substrate
