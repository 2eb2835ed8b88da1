#pragma once

// The local substrate as the unit agent offers it to built-in charms (DESIGN §9): Kubernetes
// objects go to the controller (ApplyManifests), workload processes to the agent's Pebble-like
// supervisor, and the agent's own metrics address is the one its MetricsServer listens on.

#include <string>

#include "agents/sdk/substrate.h"
#include "agents/unit/api/agent_client.h"
#include "agents/unit/workload/supervisor.h"
#include "lib/base/clock.h"

namespace skein::agent {

class AgentSubstrate : public sdk::Substrate {
 public:
  // `client` and `supervisor` must outlive this. `metrics_address` is `host:port` or empty.
  // `clock` measures the retry budget of the calls to the controller (lib/rpc/retry.h).
  AgentSubstrate(AgentClient* client, workload::Supervisor* supervisor, std::string metrics_address,
                 std::string workload_dir, Clock& clock = RealClock())
      : clock_(clock),
        client_(client),
        supervisor_(supervisor),
        metrics_address_(std::move(metrics_address)),
        workload_dir_(std::move(workload_dir)) {}

  absl::Status ApplyManifests(const std::string& set, const std::vector<sdk::K8sObject>& objects) override;
  bool CanRunWorkloads() const override { return supervisor_ != nullptr; }
  absl::Status ReplanWorkload(const std::vector<sdk::WorkloadService>& services) override;
  std::vector<sdk::WorkloadServiceStatus> WorkloadStatus() const override;
  std::string AgentMetricsAddress() const override { return metrics_address_; }
  std::string FindProgram(const std::string& name) const override;
  std::string WorkloadDir() const override { return workload_dir_; }

  // The proto form of an object: apiVersion, kind, metadata.name/namespace lifted out.
  static v1::Manifest ToManifest(const sdk::K8sObject& object);

 private:
  Clock& clock_;
  AgentClient* client_;
  workload::Supervisor* supervisor_;
  const std::string metrics_address_;
  const std::string workload_dir_;
};

}  // namespace skein::agent
