#pragma once

// The objects Juju's Kubernetes provider creates for one application (kubernetes-substrate.md
// §1), rendered from what the controller knows of it. A pure function: the reconciler applies
// what it returns, the tests read it without a cluster.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/charm/metadata.h"
#include "lib/kube/client.h"

namespace skein::controller::provisioner {

// The field manager of every object the provider applies (the charms' own objects use
// `skein-<app>`, manifests_*).
inline constexpr char kFieldManager[] = "skein";

// Juju's placeholder port on the `<app>` Service until the charm opens one.
inline constexpr int kPlaceholderPort = 65535;
// Pebble's HTTP port in the charm container; workload container i (sorted by name) uses
// kPebblePortBase + 1 + i.
inline constexpr int kPebblePortBase = 38812;

struct OpenedPort {
  std::string protocol;  // tcp | udp (icmp has no Service port)
  int from = 0;
  int to = 0;
};

struct FilesystemStorage {
  std::string name;
  std::string location;  // the charm's mount point ("" = /var/lib/juju/storage/<name>/0)
  uint64_t size_mib = 1024;
};

struct ApplicationSpec {
  std::string model;
  std::string model_uuid;
  std::string controller_uuid;
  std::string agent_version;
  std::string app;
  bool trust = false;
  int replicas = 0;
  // The image of the charm container and its init container (the charm's base).
  std::string charm_image;
  // The workload containers of the charm's metadata with the image each one's oci-image resource
  // names (`--resource`/attach-resource, else upstream-source; "" when neither is known).
  std::vector<charm::ContainerSpec> containers;
  std::map<std::string, std::string> images;  // container name -> image
  std::vector<FilesystemStorage> storage;
  std::vector<OpenedPort> opened_ports;
  // The data of `<app>-application-config` (the agent's bootstrap settings).
  std::map<std::string, std::string> config_secret;
};

// Labels of every object of the application; the selector is app.kubernetes.io/name alone.
kube::Json ApplicationLabels(const ApplicationSpec& spec);

// Every object, in the order to apply them (what a pod needs first).
std::vector<kube::Json> RenderApplication(const ApplicationSpec& spec);

// The objects RenderApplication names, in the order to delete them (the StatefulSet first, so
// that no pod is recreated while its ServiceAccount goes).
std::vector<kube::ObjectRef> ApplicationObjectRefs(const std::string& model, const std::string& app);

// The unit number a pod of the application's StatefulSet stands for (`<app>-<n>`); nullopt for
// any other name.
std::optional<int64_t> UnitNumberOfPod(const std::string& app, const std::string& pod);

}  // namespace skein::controller::provisioner
