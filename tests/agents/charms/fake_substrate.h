#pragma once

// A Substrate that records what charms apply and replan, for the built-in charm tests.

#include <map>
#include <string>
#include <vector>

#include "agents/sdk/substrate.h"

namespace skein::charms::testing {

class FakeSubstrate : public sdk::Substrate {
 public:
  absl::Status ApplyManifests(const std::string& set, const std::vector<sdk::K8sObject>& objects) override {
    if (!apply_error.ok()) return apply_error;
    sets[set] = objects;
    return absl::OkStatus();
  }
  bool CanRunWorkloads() const override { return can_run; }
  absl::Status ReplanWorkload(const std::vector<sdk::WorkloadService>& services) override {
    plan = services;
    ++replans;
    return absl::OkStatus();
  }
  std::vector<sdk::WorkloadServiceStatus> WorkloadStatus() const override { return {}; }
  std::string AgentMetricsAddress() const override { return metrics_address; }
  std::string FindProgram(const std::string& name) const override {
    auto it = programs.find(name);
    return it == programs.end() ? "" : it->second;
  }
  std::string WorkloadDir() const override { return workload_dir; }

  std::map<std::string, std::vector<sdk::K8sObject>> sets;
  absl::Status apply_error = absl::OkStatus();
  bool can_run = true;
  std::vector<sdk::WorkloadService> plan;
  int replans = 0;
  std::string metrics_address = "127.0.0.1:45001";
  std::map<std::string, std::string> programs;
  std::string workload_dir = "/tmp";
};

}  // namespace skein::charms::testing
