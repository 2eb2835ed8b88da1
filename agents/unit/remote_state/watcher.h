#pragma once

// The remote half of the uniter's state (DESIGN §5): keeps an Agent.WatchUnit stream open
// (rpc::StreamWatcher, which reconnects with jittered backoff from 100 ms to 5 s when the
// controller restarts or the network blips) and remembers the latest UnitSnapshot. Snapshots are
// complete and level-triggered, so only the latest matters; every new one calls `on_change`,
// which wakes the uniter loop. The last snapshot is kept while the stream is down.

#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "agents/unit/api/agent_client.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/rpc/stream_watcher.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent {

class RemoteStateWatcher {
 public:
  // `clock` times the reconnect backoff.
  RemoteStateWatcher(AgentClient* client, std::string unit, std::function<void()> on_change,
                     Clock& clock = RealClock());
  ~RemoteStateWatcher();

  void Start();
  // Cancels the stream and joins the thread. Idempotent.
  void Stop();

  // The latest snapshot, or nullptr before the first one arrived.
  std::shared_ptr<const v1::UnitSnapshot> Latest() const;
  // The controller answered NotFound: the unit no longer exists. The watcher stops then.
  bool UnitGone() const;

 private:
  // Called while constructing: uses only the members declared before stream_.
  rpc::StreamWatcher<v1::UnitSnapshot>::Options StreamOptions(AgentClient* client);

  const std::string unit_;
  const std::function<void()> on_change_;

  mutable Mutex mu_;
  bool gone_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<const v1::UnitSnapshot> latest_ ABSL_GUARDED_BY(mu_);
  // Declared last: stopped (its thread joined) before the members its callbacks use go.
  rpc::StreamWatcher<v1::UnitSnapshot> stream_;
};

}  // namespace skein::agent
