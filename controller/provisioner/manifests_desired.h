#pragma once

// What the objects charms send (controller/domain/substrate) become on a Kubernetes model's
// cluster: one object per stored manifest, and one copy of each decoration in every namespace
// of the cluster whose label it targets is "true". Pure: the reconciler
// (manifests_reconciler.h) feeds it the stored rows and the namespaces its watch sees.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "controller/domain/substrate/substrate_service.h"
#include "lib/kube/client.h"

namespace skein::controller::provisioner {

// The field manager of what an application sends, and of the user's own objects.
std::string FieldManagerFor(const std::string& owner);
inline constexpr char kUserFieldManager[] = "skein-user";

// An object's identity on the cluster (namespace '' for cluster-scoped ones).
struct ObjectKey {
  std::string ns;
  std::string kind;
  std::string name;
  bool operator<(const ObjectKey& o) const { return std::tie(ns, kind, name) < std::tie(o.ns, o.kind, o.name); }
  bool operator==(const ObjectKey& o) const { return std::tie(ns, kind, name) == std::tie(o.ns, o.kind, o.name); }
};

struct DesiredObject {
  std::string api_version;
  ObjectKey key;
  std::string field_manager;
  kube::Json object;  // as applied: metadata.namespace set for namespaced objects
};

// Apply order classes: CRDs first (their kinds must exist before any object of them), then
// Namespaces (objects go into them), then everything else.
int ApplyRank(const std::string& kind);

// Cluster namespace name -> its labels.
using NamespaceLabels = std::map<std::string, std::map<std::string, std::string>>;

// The objects `stored` (decorations unexpanded, as SubstrateService::StoredManifests returns
// them) become on the cluster, ordered by ApplyRank then key. A decoration is copied into every
// namespace of `namespaces` whose label it targets is "true", and into every Namespace object
// of `stored` so labelled (it is created by the same pass). `cluster_scoped(api_version, kind)`
// tells whether a kind without a namespace stays cluster-scoped; a namespaced one goes to
// `model_ns`.
std::vector<DesiredObject> DesiredObjects(const std::vector<domain::substrate::ListedManifest>& stored,
                                          const NamespaceLabels& namespaces, const std::string& model_ns,
                                          const std::function<bool(const std::string&, const std::string&)>& cluster_scoped);

// The labels the model's decorations target.
std::set<std::string> TargetLabels(const std::vector<domain::substrate::ListedManifest>& stored);

}  // namespace skein::controller::provisioner
