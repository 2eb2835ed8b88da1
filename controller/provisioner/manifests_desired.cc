#include "controller/provisioner/manifests_desired.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace skein::controller::provisioner {
namespace {

using domain::substrate::ListedManifest;

bool LabelledTrue(const std::map<std::string, std::string>& labels, const std::string& label) {
  auto it = labels.find(label);
  return it != labels.end() && it->second == "true";
}

std::map<std::string, std::string> LabelsOf(const kube::Json& object) {
  std::map<std::string, std::string> out;
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return out;
  auto labels = metadata->find("labels");
  if (labels == metadata->end() || !labels->is_object()) return out;
  for (auto it = labels->begin(); it != labels->end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

}  // namespace

std::string FieldManagerFor(const std::string& owner) {
  return owner.empty() ? std::string(kUserFieldManager) : absl::StrCat("skein-", owner);
}

int ApplyRank(const std::string& kind) {
  if (kind == "CustomResourceDefinition") return 0;
  if (kind == "Namespace") return 1;
  return 2;
}

std::set<std::string> TargetLabels(const std::vector<ListedManifest>& stored) {
  std::set<std::string> out;
  for (const auto& l : stored) {
    if (!l.manifest.target_namespace_label.empty()) out.insert(l.manifest.target_namespace_label);
  }
  return out;
}

std::vector<DesiredObject> DesiredObjects(const std::vector<ListedManifest>& stored, const NamespaceLabels& namespaces,
                                          const std::string& model_ns,
                                          const std::function<bool(const std::string&, const std::string&)>& cluster_scoped) {
  // The namespaces a decoration may go to: the cluster's, plus those this pass creates (skein's
  // own Namespace objects win: they are what the cluster will hold after the pass).
  NamespaceLabels targets = namespaces;
  std::vector<DesiredObject> out;
  for (const auto& l : stored) {
    const auto& m = l.manifest;
    if (m.kind != "Namespace" || !m.ns.empty() || !m.target_namespace_label.empty()) continue;
    kube::Json object = kube::Json::parse(m.content_json, nullptr, /*allow_exceptions=*/false);
    if (object.is_object()) targets[m.name] = LabelsOf(object);
  }
  for (const auto& l : stored) {
    const auto& m = l.manifest;
    kube::Json object = kube::Json::parse(m.content_json, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) continue;  // the store validated it; nothing sensible to apply
    const std::string manager = FieldManagerFor(l.owner);
    if (m.target_namespace_label.empty()) {
      std::string ns = m.ns;
      if (ns.empty() && !cluster_scoped(m.api_version, m.kind)) ns = model_ns;
      if (!ns.empty()) object["metadata"]["namespace"] = ns;
      out.push_back({m.api_version, {ns, m.kind, m.name}, manager, std::move(object)});
      continue;
    }
    for (const auto& [ns, labels] : targets) {
      if (!LabelledTrue(labels, m.target_namespace_label)) continue;
      kube::Json copy = object;
      copy["metadata"]["namespace"] = ns;
      out.push_back({m.api_version, {ns, m.kind, m.name}, manager, std::move(copy)});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const DesiredObject& a, const DesiredObject& b) {
    const int ra = ApplyRank(a.key.kind), rb = ApplyRank(b.key.kind);
    if (ra != rb) return ra < rb;
    return a.key < b.key;
  });
  return out;
}

}  // namespace skein::controller::provisioner
