#include "controller/provisioner/application_render.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"

namespace skein::controller::provisioner {
namespace {

using kube::Json;

constexpr char kNameLabel[] = "app.kubernetes.io/name";
constexpr char kCharmData[] = "charm-data";
constexpr char kPebbleSocket[] = "/charm/container/pebble.socket";
// Ranges wider than this are not expanded into Service ports (a Service holds each port
// separately; Juju's provider refuses ranges for the same reason).
constexpr int kMaxPortsPerRange = 100;

Json Annotations(const ApplicationSpec& spec) {
  return {{"juju.is/version", spec.agent_version},
          {"controller.juju.is/id", spec.controller_uuid},
          {"model.juju.is/id", spec.model_uuid}};
}

Json Metadata(const ApplicationSpec& spec, const std::string& name, bool namespaced = true) {
  Json meta = {{"name", name}, {"labels", ApplicationLabels(spec)}, {"annotations", Annotations(spec)}};
  if (namespaced) {
    meta["namespace"] = spec.model;
  } else {
    // A cluster-scoped object is found again by its model as well as its application.
    meta["labels"]["model.juju.is/name"] = spec.model;
  }
  return meta;
}

Json Selector(const ApplicationSpec& spec) { return {{kNameLabel, spec.app}}; }

Json AllRules() { return Json::array({{{"apiGroups", {"*"}}, {"resources", {"*"}}, {"verbs", {"*"}}}}); }

Json RoleRules(const ApplicationSpec& spec) {
  if (spec.trust) return AllRules();
  return Json::array({
      {{"apiGroups", {""}}, {"resources", {"namespaces"}}, {"verbs", {"get", "list"}}},
      {{"apiGroups", {""}}, {"resources", {"pods", "services"}}, {"verbs", {"get", "list", "patch"}}},
      {{"apiGroups", {""}}, {"resources", {"pods/exec"}}, {"verbs", {"create"}}},
  });
}

Json ClusterRoleRules(const ApplicationSpec& spec) {
  if (spec.trust) return AllRules();
  return Json::array({{{"apiGroups", {""}}, {"resources", {"namespaces"}}, {"verbs", {"get", "list"}}}});
}

Json ServicePorts(const ApplicationSpec& spec) {
  Json ports = Json::array();
  for (const OpenedPort& p : spec.opened_ports) {
    if (p.protocol != "tcp" && p.protocol != "udp") continue;
    if (p.to < p.from || p.to - p.from >= kMaxPortsPerRange) continue;
    for (int port = p.from; port <= p.to; ++port) {
      std::string protocol = p.protocol == "tcp" ? "TCP" : "UDP";
      ports.push_back({{"name", absl::StrCat("juju-", port, "-", p.protocol)},
                       {"port", port},
                       {"targetPort", port},
                       {"protocol", protocol}});
    }
  }
  if (ports.empty()) ports.push_back({{"name", "placeholder"}, {"port", kPlaceholderPort}, {"protocol", "TCP"}});
  return ports;
}

std::string StorageLocation(const FilesystemStorage& s) {
  return s.location.empty() ? absl::StrCat("/var/lib/juju/storage/", s.name, "/0") : s.location;
}

std::string ClaimName(const ApplicationSpec& spec, const std::string& storage) {
  return absl::StrCat(spec.app, "-", storage);
}

Json Probe(int port, const std::string& level) {
  return {{"httpGet", {{"path", absl::StrCat("/v1/health?level=", level)}, {"port", port}}},
          {"initialDelaySeconds", 0},
          {"periodSeconds", 5},
          {"failureThreshold", 3}};
}

Json CharmContainer(const ApplicationSpec& spec, const std::vector<const charm::ContainerSpec*>& sorted) {
  std::vector<std::string> names;
  for (const charm::ContainerSpec* c : sorted) names.push_back(c->name);
  Json mounts = Json::array({
      {{"name", kCharmData}, {"mountPath", "/charm/bin"}, {"subPath", "charm/bin"}, {"readOnly", true}},
      {{"name", kCharmData}, {"mountPath", "/var/lib/juju"}, {"subPath", "var/lib/juju"}},
      {{"name", kCharmData}, {"mountPath", "/charm/containers"}, {"subPath", "charm/containers"}},
  });
  for (const FilesystemStorage& s : spec.storage) {
    mounts.push_back({{"name", ClaimName(spec, s.name)}, {"mountPath", StorageLocation(s)}});
  }
  return {{"name", "charm"},
          {"image", spec.charm_image},
          {"imagePullPolicy", "IfNotPresent"},
          {"workingDir", "/var/lib/juju"},
          {"command", {"/charm/bin/pebble"}},
          {"args", {"run", "--http", absl::StrCat(":", kPebblePortBase), "--verbose"}},
          {"env",
           {{{"name", "JUJU_CONTAINER_NAMES"}, {"value", absl::StrJoin(names, ",")}},
            {{"name", "PEBBLE_SOCKET"}, {"value", kPebbleSocket}}}},
          {"livenessProbe", Probe(kPebblePortBase, "alive")},
          {"readinessProbe", Probe(kPebblePortBase, "ready")},
          {"resources", {{"requests", {{"memory", "64Mi"}}}, {"limits", {{"memory", "1Gi"}}}}},
          {"volumeMounts", mounts}};
}

Json WorkloadContainer(const ApplicationSpec& spec, const charm::ContainerSpec& c, int index) {
  const int port = kPebblePortBase + 1 + index;
  Json mounts = Json::array({
      {{"name", kCharmData}, {"mountPath", "/charm/bin/pebble"}, {"subPath", "charm/bin/pebble"}, {"readOnly", true}},
      {{"name", kCharmData}, {"mountPath", "/charm/container"}, {"subPath", absl::StrCat("charm/containers/", c.name)}},
  });
  for (const charm::ContainerMount& m : c.mounts) {
    const bool known = std::any_of(spec.storage.begin(), spec.storage.end(),
                                   [&](const FilesystemStorage& s) { return s.name == m.storage; });
    if (known && !m.location.empty()) {
      mounts.push_back({{"name", ClaimName(spec, m.storage)}, {"mountPath", m.location}});
    }
  }
  auto image = spec.images.find(c.name);
  Json container = {{"name", c.name},
                    {"image", image == spec.images.end() ? "" : image->second},
                    {"imagePullPolicy", "IfNotPresent"},
                    {"command", {"/charm/bin/pebble"}},
                    {"args", {"run", "--create-dirs", "--hold", "--http", absl::StrCat(":", port), "--verbose"}},
                    {"env",
                     {{{"name", "JUJU_CONTAINER_NAME"}, {"value", c.name}},
                      {{"name", "PEBBLE_SOCKET"}, {"value", kPebbleSocket}}}},
                    {"livenessProbe", Probe(port, "alive")},
                    {"readinessProbe", Probe(port, "ready")},
                    {"volumeMounts", mounts}};
  Json ports = Json::array();
  for (const OpenedPort& p : spec.opened_ports) {
    if ((p.protocol != "tcp" && p.protocol != "udp") || p.to < p.from || p.to - p.from >= kMaxPortsPerRange) continue;
    for (int n = p.from; n <= p.to; ++n) {
      ports.push_back({{"name", absl::StrCat("juju-", n, "-", p.protocol)},
                       {"containerPort", n},
                       {"protocol", p.protocol == "tcp" ? "TCP" : "UDP"}});
    }
  }
  if (!ports.empty()) container["ports"] = ports;
  if (c.uid.has_value() || c.gid.has_value()) {
    Json security = Json::object();
    if (c.uid.has_value()) security["runAsUser"] = *c.uid;
    if (c.gid.has_value()) security["runAsGroup"] = *c.gid;
    container["securityContext"] = security;
  }
  return container;
}

Json StatefulSet(const ApplicationSpec& spec) {
  std::vector<const charm::ContainerSpec*> sorted;
  for (const charm::ContainerSpec& c : spec.containers) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const charm::ContainerSpec* a, const charm::ContainerSpec* b) { return a->name < b->name; });
  Json containers = Json::array({CharmContainer(spec, sorted)});
  for (size_t i = 0; i < sorted.size(); ++i) containers.push_back(WorkloadContainer(spec, *sorted[i], static_cast<int>(i)));
  Json init = {{"name", "charm-init"},
               {"image", spec.charm_image},
               {"imagePullPolicy", "IfNotPresent"},
               {"command", {"/opt/containeragent"}},
               {"args", {"init", "--containeragent-pebble-dir", "/containeragent/pebble", "--data-dir", "/var/lib/juju",
                         "--bin-dir", "/charm/bin"}},
               {"volumeMounts",
                {{{"name", kCharmData}, {"mountPath", "/var/lib/juju"}, {"subPath", "var/lib/juju"}},
                 {{"name", kCharmData}, {"mountPath", "/charm/bin"}, {"subPath", "charm/bin"}},
                 {{"name", kCharmData}, {"mountPath", "/charm/containers"}, {"subPath", "charm/containers"}}}}};
  Json claims = Json::array();
  for (const FilesystemStorage& s : spec.storage) {
    Json labels = ApplicationLabels(spec);
    labels["storage.juju.is/name"] = s.name;
    claims.push_back({{"metadata", {{"name", ClaimName(spec, s.name)}, {"labels", labels}}},
                      {"spec",
                       {{"accessModes", {"ReadWriteOnce"}},
                        {"resources", {{"requests", {{"storage", absl::StrCat(std::max<uint64_t>(s.size_mib, 1), "Mi")}}}}}}}});
  }
  Json pod_meta = {{"labels", Selector(spec)}, {"annotations", {{"juju.is/version", spec.agent_version}}}};
  Json statefulset = {
      {"apiVersion", "apps/v1"},
      {"kind", "StatefulSet"},
      {"metadata", Metadata(spec, spec.app)},
      {"spec",
       {{"replicas", spec.replicas},
        {"podManagementPolicy", "Parallel"},
        {"serviceName", absl::StrCat(spec.app, "-endpoints")},
        {"selector", {{"matchLabels", Selector(spec)}}},
        {"template",
         {{"metadata", pod_meta},
          {"spec",
           {{"serviceAccountName", spec.app},
            {"automountServiceAccountToken", true},
            {"terminationGracePeriodSeconds", 30},
            {"initContainers", {init}},
            {"containers", containers},
            {"volumes", {{{"name", kCharmData}, {"emptyDir", Json::object()}}}}}}}}}}};
  if (!claims.empty()) statefulset["spec"]["volumeClaimTemplates"] = claims;
  return statefulset;
}

}  // namespace

kube::Json ApplicationLabels(const ApplicationSpec& spec) {
  return {{kNameLabel, spec.app}, {"app.kubernetes.io/managed-by", "juju"}};
}

std::vector<kube::Json> RenderApplication(const ApplicationSpec& spec) {
  std::vector<Json> out;
  Json secret = {{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", Metadata(spec, absl::StrCat(spec.app, "-application-config"))},
                 {"type", "Opaque"},
                 {"stringData", Json::object()}};
  for (const auto& [k, v] : spec.config_secret) secret["stringData"][k] = v;
  out.push_back(std::move(secret));
  out.push_back({{"apiVersion", "v1"},
                 {"kind", "ServiceAccount"},
                 {"metadata", Metadata(spec, spec.app)},
                 {"automountServiceAccountToken", true}});
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "Role"},
                 {"metadata", Metadata(spec, spec.app)},
                 {"rules", RoleRules(spec)}});
  const Json subject = {{"kind", "ServiceAccount"}, {"name", spec.app}, {"namespace", spec.model}};
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "RoleBinding"},
                 {"metadata", Metadata(spec, spec.app)},
                 {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", spec.app}}},
                 {"subjects", {subject}}});
  const std::string cluster_name = absl::StrCat(spec.model, "-", spec.app);
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "ClusterRole"},
                 {"metadata", Metadata(spec, cluster_name, false)},
                 {"rules", ClusterRoleRules(spec)}});
  out.push_back({{"apiVersion", "rbac.authorization.k8s.io/v1"},
                 {"kind", "ClusterRoleBinding"},
                 {"metadata", Metadata(spec, cluster_name, false)},
                 {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", cluster_name}}},
                 {"subjects", {subject}}});
  out.push_back({{"apiVersion", "v1"},
                 {"kind", "Service"},
                 {"metadata", Metadata(spec, spec.app)},
                 {"spec", {{"type", "ClusterIP"}, {"selector", Selector(spec)}, {"ports", ServicePorts(spec)}}}});
  out.push_back({{"apiVersion", "v1"},
                 {"kind", "Service"},
                 {"metadata", Metadata(spec, absl::StrCat(spec.app, "-endpoints"))},
                 {"spec",
                  {{"clusterIP", "None"},
                   {"publishNotReadyAddresses", true},
                   {"selector", Selector(spec)},
                   {"ports", {{{"name", "placeholder"}, {"port", kPlaceholderPort}, {"protocol", "TCP"}}}}}}});
  out.push_back(StatefulSet(spec));
  return out;
}

std::vector<kube::ObjectRef> ApplicationObjectRefs(const std::string& model, const std::string& app) {
  const std::string rbac = "rbac.authorization.k8s.io/v1";
  return {{"apps/v1", "StatefulSet", model, app},
          {"v1", "Service", model, app},
          {"v1", "Service", model, absl::StrCat(app, "-endpoints")},
          {rbac, "ClusterRoleBinding", "", absl::StrCat(model, "-", app)},
          {rbac, "ClusterRole", "", absl::StrCat(model, "-", app)},
          {rbac, "RoleBinding", model, app},
          {rbac, "Role", model, app},
          {"v1", "ServiceAccount", model, app},
          {"v1", "Secret", model, absl::StrCat(app, "-application-config")}};
}

std::optional<int64_t> UnitNumberOfPod(const std::string& app, const std::string& pod) {
  const std::string prefix = absl::StrCat(app, "-");
  if (!absl::StartsWith(pod, prefix)) return std::nullopt;
  const std::string rest = pod.substr(prefix.size());
  if (rest.empty() || rest.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int64_t n = 0;
  if (!absl::SimpleAtoi(rest, &n)) return std::nullopt;
  return n;
}

}  // namespace skein::controller::provisioner
