#pragma once

// The machine agent (skein-machine-agent): logs in as `machine-<id>`, watches the machine's
// snapshot (Agent.WatchMachine through rpc::StreamWatcher, reconnecting with backoff when the
// controller restarts) and keeps one unit agent running per unit placed on the machine
// (UnitAgentSupervisor). Its loop blocks only on a condition variable: a new snapshot, a unit
// agent exiting, a restart coming due, or Stop().

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "agents/machine/unit_agents.h"
#include "agents/unit/api/agent_client.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/rpc/stream_watcher.h"
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
  // `client` must outlive the agent; `clock` times the login retries, the reconnect backoff and
  // the unit agents' restarts.
  MachineAgent(MachineAgentConfig config, AgentClient* client, Clock& clock);
  ~MachineAgent();

  // Runs until Stop(); then stops every unit agent. Errors: Unauthenticated or
  // PermissionDenied from Login (a wrong credential does not get better by retrying).
  absl::Status Run();
  // Thread-safe, also from a signal-handling thread.
  void Stop();

 private:
  // Logs in, retrying with backoff while the controller is away. OK also when stopped meanwhile.
  absl::Status LogIn();
  void Wake();

  const MachineAgentConfig config_;
  AgentClient* const client_;
  Clock& clock_;

  Mutex mu_;
  CondVar cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by snapshots and unit agent exits
  std::shared_ptr<const v1::MachineSnapshot> latest_ ABSL_GUARDED_BY(mu_);
  // Destroyed (its thread joined) before the members its callback uses.
  std::unique_ptr<rpc::StreamWatcher<v1::MachineSnapshot>> watcher_;
  // Declared last: destroyed (stopping its waiter threads) before the members they wake.
  std::unique_ptr<UnitAgentSupervisor> supervisor_;
};

}  // namespace skein::agent
