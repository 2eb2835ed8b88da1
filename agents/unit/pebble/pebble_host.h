#pragma once

// Real Pebble for the containers of a sidecar charm (metadata.yaml `containers:`), run by the
// unit agent on any substrate, and the workload events it reports (resolver/workload_events.h).
//
// For each container `c` the host runs `pebble run --create-dirs --hold` under the agent's own
// uid (the unit's, under privilege separation) through a workload::Supervisor (restarted with
// backoff if it dies, SIGTERM when the agent dies), with
//   PEBBLE        = <agent dir>/pebble/<c>              its state (layers, notices, changes)
//   PEBBLE_SOCKET = <runtime dir>/containers/<c>/pebble.socket
// The socket lives in the short runtime dir (lib/base/runtime_dir.h: a socket path holds at most
// 107 bytes) and `<agent dir>/containers/<c>/pebble.socket` links to it. The machine agent binds
// `<agent dir>/containers` onto /charm/containers in the unit agent's own mount namespace
// (agents/machine/unit_agents.cc), so ops finds the socket at /charm/containers/<c>/pebble.socket,
// where it dials, and every unit finds its own. The "container" itself is the host as the unit's
// uid sees it: a charm's push/pull/exec act there with the unit's rights.
//
// One watcher thread per container reports, in order:
//   - `<c>-pebble-ready` once a Pebble no pebble-ready ran for answers /v1/system-info (an
//     instance is the kernel's boot id and Pebble's pid; so once per Pebble start: after the agent restarts, Pebble restarts too and the charm
//     sets its layers again, as under Juju when the charm container restarts);
//   - from Pebble's notices, long-polled (`/v1/notices?after=<cursor>&timeout=30s`), as Juju 3.6's
//     noticer does: a `custom` notice is `<c>-pebble-custom-notice` (JUJU_NOTICE_ID/TYPE/KEY); a
//     `change-update` notice of a `perform-check` change whose status is Error (or that is gone)
//     is `<c>-pebble-check-failed`, of a `recover-check` change that is Done (or gone)
//     `<c>-pebble-check-recovered` (JUJU_PEBBLE_CHECK_NAME from the notice's `check-name`); every
//     other notice is passed over. The cursor of the last notice that ran a hook is kept in the
//     local state, so a restarted agent fires no notice twice.

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agents/unit/resolver/workload_events.h"
#include "nlohmann/json.hpp"
#include "agents/unit/workload/supervisor.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::agent::pebble {

struct PebbleHostOptions {
  std::string binary;       // the pebble executable; empty or missing: sidecar containers get none
  std::string agent_dir;    // holds pebble/<c> and containers/<c>
  std::string runtime_dir;  // holds containers/<c>/pebble.socket
  // How long a watcher waits between attempts while Pebble does not answer (doubling from the
  // first to the second).
  std::chrono::milliseconds retry_min{50};
  std::chrono::milliseconds retry_max{1000};
  // True when the charm on disk runs inside the agent (a built-in C++ charm): it has the agent's
  // own workload supervisor and gets no Pebble, whatever containers its metadata declares.
  std::function<bool()> in_process_charm;
  // Pebble's long poll for notices.
  std::chrono::seconds notice_wait{30};
};

// Where a container's Pebble socket is, in the runtime dir.
std::string PebbleSocketPath(const std::string& runtime_dir, const std::string& container);

class PebbleHost : public WorkloadEvents {
 public:
  PebbleHost(PebbleHostOptions options, Clock& clock);
  ~PebbleHost() override;
  PebbleHost(const PebbleHost&) = delete;
  PebbleHost& operator=(const PebbleHost&) = delete;

  void SetContainers(const std::vector<std::string>& containers, const LocalState& state) override;
  std::optional<HookInfo> Next() override;
  void DropDone(const LocalState& state) override;
  void SetListener(std::function<void()> on_event) override;

  // Stops the watchers and every Pebble (SIGTERM, SIGKILL after the supervisor's grace).
  // Idempotent; nothing starts afterwards.
  void Stop();

 private:
  struct Container {
    std::string name;
    std::string socket;
    std::thread thread;
    bool stop = false;                // guarded by mu_
    std::string reported_instance;     // guarded by mu_: the instance pebble-ready was queued for
    std::string cursor;               // only the watcher thread touches it after start
  };

  void Watch(Container* c);
  // The hook a notice fires, or nullopt for a notice that fires none.
  std::optional<HookInfo> EventFor(const Container& c, const nlohmann::json& notice,
                                   const std::function<bool()>& cancelled) const;
  void Queue(HookInfo event);
  void StopWatchers(std::vector<std::unique_ptr<Container>> containers);

  const PebbleHostOptions options_;
  Clock& clock_;
  workload::Supervisor supervisor_;
  std::function<void()> on_event_;

  mutable Mutex mu_;
  CondVar cv_;  // wakes watchers that wait to retry, on Stop()
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<HookInfo> events_ ABSL_GUARDED_BY(mu_);
  // By name; only SetContainers and Stop (the uniter's thread) add or remove entries.
  std::map<std::string, std::unique_ptr<Container>> containers_;
};

}  // namespace skein::agent::pebble
