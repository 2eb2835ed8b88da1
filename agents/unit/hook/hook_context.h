#pragma once

// What a hook (or action) can see and do, as one interface. The uniter implements it for each
// hook it runs (buffering transactional writes for one CommitHook); the hook tools
// (`agents/unit/hook/tools`) and the built-in charm SDK call it. Nothing here talks gRPC: the
// implementation does that.
//
// Threading: one hook context serves one hook at a time; the tool server calls it from one
// thread at a time (Juju also runs one tool at a time per context).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::agent {

struct HookRelation {
  int64_t id = 0;
  std::string endpoint;            // local endpoint (`db`)
  std::string remote_application;  // own application for peer relations
  bool peer = false;
};

struct StatusValue {
  std::string status;     // active blocked maintenance waiting unknown error ...
  std::string message;
  nlohmann::json data = nlohmann::json::object();
};

struct ApplicationStatusValue {
  StatusValue application;
  std::map<std::string, StatusValue> units;
};

class HookContext {
 public:
  virtual ~HookContext() = default;

  virtual const std::string& UnitName() const = 0;         // `app/0`
  virtual const std::string& ApplicationName() const = 0;  // `app`
  // The hook's name (`install`, `db-relation-changed`); empty while running an action.
  virtual const std::string& HookName() const = 0;
  // The relation the hook is about (JUJU_RELATION_ID's number), if any.
  virtual std::optional<int64_t> HookRelationId() const = 0;
  virtual const std::string& RemoteUnit() const = 0;         // JUJU_REMOTE_UNIT; may be empty
  virtual const std::string& RemoteApplication() const = 0;  // JUJU_REMOTE_APP; may be empty

  // Relations `relation-ids` lists: every relation of the unit except one being broken in
  // this hook, sorted by id.
  virtual std::vector<HookRelation> Relations() const = 0;
  // Any relation of the unit by id, including the one being broken. NotFound
  // (`relation not found`) when the unit has no such relation.
  virtual absl::StatusOr<HookRelation> Relation(int64_t id) const = 0;
  // Units on the other side (other units of the own app for peers), sorted: the units in scope
  // as this hook sees them (the joining unit included in -joined, the departing unit excluded
  // in -departed). NotFound (`relation not found`) for an unknown relation.
  virtual absl::StatusOr<std::vector<std::string>> RelationMembers(int64_t id) = 0;
  // One bag: a unit's (`owner` = `app/0`) or an application's (`owner` = `app`, `application`).
  // The own unit bag, and the own app bag while leader, include this hook's pending writes.
  // Errors: NotFound (`relation not found`), PermissionDenied (`permission denied`) per the bag
  // rules in relations/bag_rules.h.
  virtual absl::StatusOr<std::map<std::string, std::string>> ReadSettings(int64_t id, const std::string& owner,
                                                                          bool application) = 0;
  // Buffers writes to the own unit bag or (with `application`) the own app bag; an empty value
  // deletes the key. Applied at commit, only if the hook succeeds. Errors: NotFound
  // (`relation not found`), PermissionDenied (`cannot write relation settings`) for the app bag
  // when the unit is not the leader.
  virtual absl::Status WriteSettings(int64_t id, bool application,
                                     const std::map<std::string, std::string>& values) = 0;

  // Once false within a hook, stays false for the rest of it (juju-semantics §5).
  // Unavailable (`leadership status unknown: ...`) when the controller cannot tell.
  virtual absl::StatusOr<bool> IsLeader() = 0;

  // The effective config (defaults applied, unset options omitted) as a JSON object.
  virtual nlohmann::json Config() const = 0;

  // Immediate, not rolled back on hook failure. `application` needs leadership:
  // PermissionDenied `this unit is not the leader`.
  virtual absl::Status SetStatus(bool application, const StatusValue& status) = 0;
  virtual absl::StatusOr<StatusValue> UnitStatus() = 0;
  // Leader only: PermissionDenied `this unit is not the leader`.
  virtual absl::StatusOr<ApplicationStatusValue> ApplicationStatus() = 0;
  virtual absl::Status SetWorkloadVersion(const std::string& version) = 0;

  // `level` is one of TRACE DEBUG INFO WARNING ERROR CRITICAL.
  virtual void Log(const std::string& level, const std::string& message) = 0;
};

}  // namespace skein::agent
