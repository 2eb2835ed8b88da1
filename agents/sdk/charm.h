#pragma once

// The charm side of the SDK (DESIGN §5), shaped like ops: a charm observes the events it cares
// about explicitly, handlers return a status (an error fails the hook, as an uncaught exception
// does in ops), and collect-status handlers add candidate statuses at the end of every hook of
// which the most severe is set (ops' priority: error > blocked > maintenance > waiting >
// active > unknown). There is no defer(): a charm reconciles from current state.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agents/sdk/event.h"
#include "agents/sdk/model.h"

namespace skein::sdk {

using Status = agent::StatusValue;

inline Status Active(std::string message = "") { return {"active", std::move(message)}; }
inline Status Blocked(std::string message) { return {"blocked", std::move(message)}; }
inline Status Waiting(std::string message) { return {"waiting", std::move(message)}; }
inline Status Maintenance(std::string message) { return {"maintenance", std::move(message)}; }

// Collects candidate statuses; the most severe one added first wins.
class StatusCollector {
 public:
  void Add(Status status);
  bool empty() const { return statuses_.empty(); }
  // The winner: the most severe, the first added among equals.
  const Status& Winner() const;

 private:
  std::vector<Status> statuses_;
};

// ops' status priority: lower is more severe. Unknown names rank below unknown.
int StatusSeverity(const std::string& status);

class Framework {
 public:
  using Handler = std::function<absl::Status(const Event&)>;
  using CollectHandler = std::function<void(StatusCollector&)>;

  // Handlers run in the order they were observed.
  void Observe(EventKind kind, Handler handler);
  // Relation events of one endpoint only.
  void Observe(EventKind kind, const std::string& endpoint, Handler handler);
  // Every event: the reconciling charm's one entry point.
  void ObserveAll(Handler handler);
  void ObserveAction(const std::string& action, Handler handler);
  void ObserveCollectUnitStatus(CollectHandler handler);
  void ObserveCollectAppStatus(CollectHandler handler);  // evaluated on the leader only

  // Runs the event's handlers, then (unless one failed) collect-status. The first error ends the
  // hook and is returned. An action nobody observes completes with no results, as in ops.
  absl::Status Dispatch(const Event& event, Model& model);

 private:
  struct Observer {
    std::optional<EventKind> kind;  // nullopt: every event
    std::string endpoint;           // relation events: only this endpoint when set
    std::string action;
    Handler handler;
  };
  std::vector<Observer> observers_;
  std::vector<CollectHandler> unit_collectors_;
  std::vector<CollectHandler> app_collectors_;
};

class Charm {
 public:
  virtual ~Charm() = default;
  // Registers the charm's observers. Called once per hook on a fresh instance: a built-in charm
  // keeps no state in memory between hooks (ops creates a new charm object per hook, too).
  virtual void Setup(Framework& framework, Model& model) = 0;
};

}  // namespace skein::sdk
