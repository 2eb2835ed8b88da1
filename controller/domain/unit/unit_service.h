#pragma once

// What agents do as themselves: log in, set unit credentials (machine agents), statuses,
// workload version, fetch their charm, and report a removed unit dead.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/auth/auth_service.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain::unit {

struct LoginInfo {
  std::string model_name;
  std::string model_uuid;
  std::string controller_uuid;
  std::string machine_id;
  int64_t last_commit_seq = 0;
  std::string unit;
  std::string application;
};

// A unit as a machine names it: unit names are unique only within a model.
struct UnitRef {
  std::string model_uuid;
  std::string name;  // `app/0`
};

enum class StatusTarget { kWorkload, kAgent, kApplication };

struct AgentStatusView {
  StatusValue unit;
  StatusValue application;                  // with `application` only
  std::map<std::string, StatusValue> units;  // with `application` only: every unit of the app
};

class UnitService {
 public:
  explicit UnitService(Db* db) : db_(db) {}

  // Machines log in to the controller model. NotFound when the entity vanished.
  absl::StatusOr<LoginInfo> Login(const auth::Principal& who);

  // A machine agent sets the credential of a unit on its machine (only the hash is stored), and
  // only that unit's: the same unit name in another model keeps its own credential.
  // NotFound `model "<uuid>" not found` / `unit "x" not found`; PermissionDenied
  // `permission denied` when the unit is on another machine. Without a model UUID (old machine
  // agents) the name must be unique on the machine: InvalidArgument
  // `unit "x" exists in several models; the request must name the model UUID` otherwise.
  absl::Status SetUnitCredential(const std::string& machine_id, const UnitRef& unit, const std::string& credential);

  // `since` is set now on every write. InvalidArgument `invalid workload status "x"` /
  // `invalid agent status "x"`; PermissionDenied `this unit is not the leader` for the
  // application status of a non-leader.
  absl::Status SetStatus(int64_t unit_id, StatusTarget target, const StatusValue& status);

  // PermissionDenied `this unit is not the leader` when `application` and not leader.
  absl::StatusOr<AgentStatusView> GetStatus(int64_t unit_id, bool application);

  absl::Status SetWorkloadVersion(int64_t unit_id, const std::string& version);

  // The archive of `url` in the charm store: its SHA-256 and size. `url` must be the caller's
  // application's charm. NotFound `charm "x" not found`; PermissionDenied `permission denied`
  // for another charm.
  struct CharmContent {
    std::string sha256;
    int64_t size = 0;
  };
  absl::StatusOr<CharmContent> GetCharm(int64_t unit_id, const std::string& url);

  // The unit ran `remove`: it leaves every scope and is deleted; dying relations left without
  // units and a dying application left without units and relations are deleted too.
  // FailedPrecondition `unit "x" is not dying`.
  absl::Status MarkUnitDead(int64_t unit_id);

  // `skein resolved` (unit_resolve.cc): stores a resolve request (mode retry|no-retry, a new
  // serial) on each unit, all or nothing. With `all`, every unit of the model in error (none is
  // fine). Returns the units marked. NotFound `model "x" not found` / `unit "x" not found`;
  // FailedPrecondition `unit "x" is not in an error state`.
  absl::StatusOr<std::vector<std::string>> ResolveUnits(const std::string& model, const std::vector<std::string>& units,
                                                        bool no_retry, bool all);
  // The unit's agent handled the request with `serial`; a newer request stays.
  absl::Status ClearResolved(int64_t unit_id, int64_t serial);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::unit
