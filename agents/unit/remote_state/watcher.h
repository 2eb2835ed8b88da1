#pragma once

// The remote half of the uniter's state (DESIGN §5): a thread that keeps an Agent.WatchUnit
// stream open and remembers the latest UnitSnapshot. Snapshots are complete and
// level-triggered, so only the latest matters; every new one calls `on_change`, which wakes the
// uniter loop. When the stream breaks (the controller restarts, the network blips) the watcher
// reconnects with jittered exponential backoff (100 ms .. 5 s) and keeps the last snapshot
// meanwhile.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agents/unit/api/agent_client.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent {

class RemoteStateWatcher {
 public:
  RemoteStateWatcher(AgentClient* client, std::string unit, std::function<void()> on_change);
  ~RemoteStateWatcher();

  void Start();
  // Cancels the stream and joins the thread. Idempotent.
  void Stop();

  // The latest snapshot, or nullptr before the first one arrived.
  std::shared_ptr<const v1::UnitSnapshot> Latest() const;
  // The controller answered NotFound: the unit no longer exists. The watcher stops then.
  bool UnitGone() const;

 private:
  void Loop();

  AgentClient* const client_;
  const std::string unit_;
  const std::function<void()> on_change_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool gone_ = false;
  grpc::ClientContext* active_ = nullptr;  // the open stream's context, for cancelling it
  std::shared_ptr<const v1::UnitSnapshot> latest_;
  std::thread thread_;
};

}  // namespace skein::agent
