#pragma once

// Where the uniter's workload hooks come from (the `<container>-pebble-*` hooks of sidecar
// charms): a source that runs the charm's containers and reports their events in order
// (agents/unit/pebble/pebble_host.h). The uniter hands the oldest event to the resolver
// (resolver::Options::workload_event) and, once the local state records it as run, drops it.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agents/unit/local_state/local_state.h"

namespace skein::agent {

class WorkloadEvents {
 public:
  virtual ~WorkloadEvents() = default;
  // The charm on disk declares these containers (metadata.yaml `containers:`): run one workload
  // for each and no other. `state` says which events already ran, so that a restarted agent does
  // not report them again.
  virtual void SetContainers(const std::vector<std::string>& containers, const LocalState& state) = 0;
  // The oldest event not dropped yet, nullopt when there is none.
  virtual std::optional<HookInfo> Next() = 0;
  // Drops the events `state` records as run (resolver::WorkloadEventDone).
  virtual void DropDone(const LocalState& state) = 0;
  // Called (from any thread) whenever a new event arrives; set once, before SetContainers.
  virtual void SetListener(std::function<void()> on_event) = 0;
};

}  // namespace skein::agent
