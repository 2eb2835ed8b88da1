#pragma once

// `status` and `show-unit` views of a model, built in one read so that they are consistent.

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/presence/agent_presence.h"
#include "skein/v1/controller.pb.h"

namespace skein::controller::domain::status {

// A model's status and the change keys a write that alters it touches (db.h ModelKey and the
// keys of its machines, and PresenceKey), for WatchStatus.
struct StatusView {
  v1::ModelStatus status;
  std::set<std::string> keys;
};

class StatusService {
 public:
  // `presence` (may be null: no agent is ever shown lost) tells which agents are in contact: a
  // unit whose agent is lost shows agent `lost` and workload `unknown` (Juju's words), a machine
  // whose agent is lost shows `down`.
  explicit StatusService(Db* db, const presence::AgentPresence* presence = nullptr) : db_(db), presence_(presence) {}

  // NotFound `model "x" not found`.
  absl::StatusOr<v1::ModelStatus> ModelStatus(const std::string& model);
  absl::StatusOr<StatusView> WatchedModelStatus(const std::string& model);

  // NotFound `model "x" not found` / `unit "x" not found`; InvalidArgument for a bad unit name.
  absl::StatusOr<v1::UnitInfo> ShowUnit(const std::string& model, const std::string& unit);

 private:
  Db* db_;
  const presence::AgentPresence* presence_;
};

}  // namespace skein::controller::domain::status
