#pragma once

// Which agents are in contact with the controller (issue 14, "supervision and liveness"). An
// agent's open watch stream is its heartbeat: a unit agent always keeps Agent.WatchUnit open and a
// machine agent Agent.WatchMachine, and gRPC's keepalive ends a stream whose peer vanished. So
// no polling RPC is needed: the API layer reports each stream's start and end here, and an agent
// with no stream for longer than the grace period is lost (a unit's agent status `lost`, a
// machine's `down`, as Juju shows them).
//
// The grace period covers a reconnect (the agents redial with backoff up to 5 s) and a controller
// restart: presence lives in memory, and at start every agent counts as last seen then, so that a
// restart makes nobody lost unless they stay away. Time is the injected clock's; one timer thread
// wakes the status watchers (PresenceKey) when someone's grace runs out, so that `status` and
// `wait-for` see `lost` without polling.
//
// Stated bound: an agent that dies (or whose host vanishes and keepalive notices) shows lost at
// most `grace` after the controller saw its stream end.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "controller/domain/core/db.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::controller::domain::presence {

// The default grace period: twice the agents' longest reconnect backoff.
inline constexpr std::chrono::seconds kDefaultGrace{10};

// What status shows of an agent's contact.
enum class Liveness {
  kConnected,  // a stream is open now
  kAbsent,     // no stream, but for less than the grace period: its last status stands
  kLost,       // no stream for the grace period or longer
};

// The change key PresenceKey() is published when an agent turns lost or comes back from lost.
std::string PresenceKey();

class AgentPresence {
 public:
  // Agents are identified by their hub key (UnitKey / MachineKey). `listener` (the hub) hears
  // PresenceKey() whenever what Of() answers changes between kLost and not; it may be null.
  AgentPresence(Clock& clock, Clock::Duration grace, ChangeListener* listener);
  ~AgentPresence();
  AgentPresence(const AgentPresence&) = delete;
  AgentPresence& operator=(const AgentPresence&) = delete;

  // Starts and stops the timer thread that publishes PresenceKey() as graces run out.
  void Start();
  void Stop();

  // A stream of `agent` opened / ended. An agent may have several at once (a restarted agent's
  // new stream can open before the old one is seen to end); it is connected while any is open.
  void StreamOpened(const std::string& agent);
  // Returns true when this was the agent's last open stream.
  bool StreamClosed(const std::string& agent);

  // The agent spoke without a stream (it logs in before it opens one): with no stream open it
  // counts as last seen now, so that a new agent is not lost before its stream opens.
  void Seen(const std::string& agent);

  Liveness Of(const std::string& agent) const;
  // When the agent's last stream ended (the controller's start for an agent not seen since);
  // meaningful when Of() is not kConnected.
  Clock::WallTime AbsentSince(const std::string& agent) const;

  Clock::Duration grace() const { return grace_; }

  // Whether a unit has seen every change (issue 14: `wait-for` never reports settled while a
  // change has not been seen by its unit). A unit's stream reports each snapshot it builds: the
  // hub sequence read before the build, the keys it then subscribes to, and the version it sent
  // (nullopt when nothing changed for the unit); the agent acknowledges a version once it has
  // nothing left to do for it. A change is pending while a key of the stream was published after
  // its last build, or a sent version is not acknowledged yet. A stream opening starts over: a
  // restarted agent must acknowledge its first snapshot. Agents with no stream are not pending
  // here (they are lost or absent, which status shows).
  void SnapshotBuilt(const std::string& agent, uint64_t hub_seq, const std::set<std::string>& keys,
                     std::optional<int64_t> sent_version);
  void SnapshotAcknowledged(const std::string& agent, int64_t version);
  bool ChangePending(const std::string& agent) const;

 private:
  struct Entry {
    int streams = 0;
    Clock::TimePoint gone;       // when `streams` last dropped to 0
    Clock::WallTime gone_wall;   // the same moment, for `since`
    bool announced_lost = false;  // the timer published its turning lost
    // For ChangePending, reset when a stream opens.
    uint64_t built_seq = 0;
    std::set<std::string> keys;
    int64_t sent = 0;
    int64_t acknowledged = 0;
  };
  bool ChangePendingLocked(const Entry& entry) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Liveness OfLocked(const std::string& agent) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TimerLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void Publish();

  Clock& clock_;
  const Clock::Duration grace_;
  ChangeListener* const listener_;
  const Clock::TimePoint started_;
  const Clock::WallTime started_wall_;

  mutable Mutex mu_;
  CondVar cv_;
  std::map<std::string, Entry> agents_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool started_announced_ ABSL_GUARDED_BY(mu_) = false;  // the start's grace ran out (published)
  uint64_t changes_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by every stream end, to rearm the timer
  std::thread timer_;
};

// One watch stream of an agent, as its heartbeat: opened in `presence` once the stream is
// authorised, closed when the call is over. The two come from different threads (the executor
// that authorises, the gRPC thread that ends the call) and the call can end before it was
// authorised, so whichever comes second does the right thing: a Close first makes Open a no-op,
// and a stream opens in presence at most once.
class AgentStream {
 public:
  explicit AgentStream(AgentPresence* presence) : presence_(presence) {}
  void Open(const std::string& agent);
  // True when this was the agent's last open stream.
  bool Close();

 private:
  AgentPresence* const presence_;
  Mutex mu_;
  std::string agent_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace skein::controller::domain::presence
