#pragma once

// The machine agent (skein-machine-agent): logs in as `machine-<id>`, watches the machine's
// snapshot (Agent.WatchMachine, reconnecting with backoff when the controller restarts) and
// keeps one unit agent running per unit placed on the machine (UnitAgentSupervisor). Its loop
// blocks only on a condition variable: a new snapshot, a unit agent exiting, a restart coming
// due, or Stop().

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "agents/machine/unit_agents.h"
#include "agents/unit/api/agent_client.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent {

struct MachineAgentConfig {
  std::string machine_id;
  UnitAgentOptions units;
  // Called once, after the first snapshot was handled (`--ready-fd`).
  std::function<void()> on_ready;
};

class MachineAgent {
 public:
  // `client` must outlive the agent.
  MachineAgent(MachineAgentConfig config, AgentClient* client);
  ~MachineAgent();

  // Runs until Stop(); then stops every unit agent. Errors: Unauthenticated or
  // PermissionDenied from Login (a wrong credential does not get better by retrying).
  absl::Status Run();
  // Thread-safe, also from a signal-handling thread.
  void Stop();

 private:
  void WatchLoop();
  void Wake();

  const MachineAgentConfig config_;
  AgentClient* const client_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t generation_ = 0;  // bumped by snapshots and unit agent exits
  std::shared_ptr<const v1::MachineSnapshot> latest_;
  grpc::ClientContext* active_ = nullptr;
  std::thread watch_thread_;
  // Declared last: destroyed (stopping its waiter threads) before the members they wake.
  std::unique_ptr<UnitAgentSupervisor> supervisor_;
};

}  // namespace skein::agent
