#pragma once

// What the unit's substrate offers a built-in charm beyond the hook tools (DESIGN §9): applying
// Kubernetes objects, running workload processes under the agent's supervision, and the address
// of the unit agent's own metrics. The unit agent implements it; tests give a fake.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace skein::sdk {

// One Kubernetes object. `target_namespace_label` set: attach it to every namespace whose label
// of that name is "true" (a DecoratorController attachment) instead of one namespace.
struct K8sObject {
  nlohmann::ordered_json object;
  std::string target_namespace_label;
};

// A process the charm wants running (Pebble's service), restarted when it dies.
struct WorkloadService {
  std::string name;
  std::vector<std::string> command;
  std::map<std::string, std::string> environment;
  bool operator==(const WorkloadService& o) const {
    return name == o.name && command == o.command && environment == o.environment;
  }
};

struct WorkloadServiceStatus {
  std::string name;
  bool running = false;
  int restarts = 0;
};

class Substrate {
 public:
  virtual ~Substrate() = default;
  // Replaces the application's object set `set` (objects no longer listed are deleted).
  // InvalidArgument for a malformed object; FailedPrecondition when another owner holds one.
  virtual absl::Status ApplyManifests(const std::string& set, const std::vector<K8sObject>& objects) = 0;
  // Whether this substrate can run processes for the charm (local: yes; Kubernetes: pods).
  virtual bool CanRunWorkloads() const = 0;
  // The complete set of services to run; others are stopped. Internal on spawn/persist errors.
  virtual absl::Status ReplanWorkload(const std::vector<WorkloadService>& services) = 0;
  virtual std::vector<WorkloadServiceStatus> WorkloadStatus() const = 0;
  // `host:port` where the unit agent serves its Prometheus metrics; empty when it serves none.
  virtual std::string AgentMetricsAddress() const = 0;
  // An executable found on PATH (absolute path), or empty.
  virtual std::string FindProgram(const std::string& name) const = 0;
  // A directory private to the unit for workload files (rendered configs, data).
  virtual std::string WorkloadDir() const = 0;
};

}  // namespace skein::sdk
