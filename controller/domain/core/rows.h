#pragma once

// Rows of the controller tables as plain structs, and lookups shared by the domain areas.
// Lookups return NotFound with Juju's wording when the entity does not exist.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "lib/charm/metadata.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain {

// The Juju version skein reports to agents and in status (ops enables its modern code paths
// from it; juju-semantics §10). The one place it is defined.
inline constexpr char kAgentVersion[] = "3.6.11";
// Name of the model created at bootstrap.
inline constexpr char kControllerModel[] = "controller";

enum class Life : int { kAlive = 0, kDying = 1 };

struct StatusValue {
  std::string status;
  std::string message;
  std::string data_json;
  std::string since;
};

struct ModelRow {
  int64_t id = 0;
  std::string name;
  std::string uuid;
  nlohmann::json config = nlohmann::json::object();
  int64_t next_relation_id = 0;
  std::string created_at;
  Life life = Life::kAlive;  // dying once destroy-model started (0014_model_lifecycle.sql)
};

struct MachineRow {
  std::string id;
  std::string hostname;
  std::string address;
  std::string credential_hash;
  bool agent_seen = false;
  std::string agent_since;
  // The uids its unit agents run under (`first-last`); empty: they share the agent's user.
  std::string unit_uids;
  // The model it was added in (`add-machine`); 0 for machine 0, which every model shares.
  int64_t model_id = 0;
  std::string constraints;  // as given to add-machine
};

struct AppRow {
  int64_t id = 0;
  int64_t model_id = 0;
  std::string name;
  int64_t charm_id = 0;
  std::string charm_url;
  std::string charm_name;
  int64_t charm_revision = 0;
  std::string charm_sha256;
  std::string charm_origin;
  std::string channel;
  nlohmann::json config = nlohmann::json::object();  // user settings only
  Life life = Life::kAlive;
  std::string leader_unit;  // empty = none
  int64_t next_unit_number = 0;
  StatusValue status;       // empty status = derive from units
  std::string deployment;   // the bundle deployment that created it; empty = deployed by hand
  // Keys of `config` a bundle deployment set; every other key was set by hand (`skein config`).
  std::set<std::string> bundle_set_options;
  // The last refresh asked for `--force-units` (units in error take the charm too).
  bool force_charm_upgrade = false;
  // `skein trust` / `deploy --trust`: its units may read the cloud credential.
  bool trust = false;
};

struct UnitRow {
  int64_t id = 0;
  int64_t model_id = 0;
  int64_t application_id = 0;
  std::string application;
  std::string name;
  int64_t number = 0;
  std::string machine_id;
  Life life = Life::kAlive;
  std::string credential_hash;
  StatusValue agent;
  StatusValue workload;
  std::string workload_version;
  int64_t last_commit_seq = 0;
  // The charm the unit's agent last reported running (empty until its first hook commit), and
  // whether it moved to it without a successful upgrade-charm.
  std::string charm_url;
  bool upgrade_charm_skipped = false;
};

struct EndpointRow {
  int64_t application_id = 0;
  std::string application;
  std::string endpoint;
  charm::Role role = charm::Role::kProvides;
  std::string interface;
  std::string scope;
  std::string Spec() const { return application + ":" + endpoint; }
};

struct RelationRow {
  int64_t id = 0;           // row id (change keys)
  int64_t model_id = 0;
  int64_t relation_id = 0;  // the model-wide id users and agents see
  std::string key;
  std::string interface;
  bool is_peer = false;
  Life life = Life::kAlive;
  std::vector<EndpointRow> endpoints;  // requirer first; one row for peers

  bool Involves(int64_t app_id) const;
  // The endpoint of `app_id` in this relation (nullptr when not involved).
  const EndpointRow* Local(int64_t app_id) const;
  // The other side seen from `app_id` (the same endpoint for peers).
  const EndpointRow* Remote(int64_t app_id) const;
  const EndpointRow* WithRole(charm::Role role) const;
};

// A unit in a relation's scope.
struct ScopeUnit {
  int64_t unit_id = 0;
  std::string name;
  int64_t application_id = 0;
  Life life = Life::kAlive;
};

absl::StatusOr<ModelRow> FindModel(Tx& tx, const std::string& name);  // NotFound `model "x" not found`
absl::StatusOr<ModelRow> FindModelById(Tx& tx, int64_t id);
absl::StatusOr<ModelRow> FindModelByUuid(Tx& tx, const std::string& uuid);  // NotFound `model "<uuid>" not found`
std::vector<ModelRow> ListModelRows(Tx& tx);

absl::StatusOr<MachineRow> FindMachine(Tx& tx, const std::string& id);  // NotFound `machine "x" not found`
std::vector<MachineRow> ListMachines(Tx& tx);

// NotFound `application "x" not found`.
absl::StatusOr<AppRow> FindApp(Tx& tx, int64_t model_id, const std::string& name);
absl::StatusOr<AppRow> FindAppById(Tx& tx, int64_t id);
std::vector<AppRow> AppsOfModel(Tx& tx, int64_t model_id);  // natural order by name

// NotFound `unit "x" not found`.
absl::StatusOr<UnitRow> FindUnit(Tx& tx, int64_t model_id, const std::string& name);
absl::StatusOr<UnitRow> FindUnitById(Tx& tx, int64_t id);
std::vector<UnitRow> UnitsOfApp(Tx& tx, int64_t app_id);          // by number
std::vector<UnitRow> UnitsNamed(Tx& tx, const std::string& name);  // across models
std::vector<UnitRow> UnitsOnMachine(Tx& tx, const std::string& machine_id);

std::optional<RelationRow> LookupRelation(Tx& tx, int64_t model_id, int64_t relation_id);
std::optional<RelationRow> LookupRelationByKey(Tx& tx, int64_t model_id, const std::string& key);
std::optional<RelationRow> LookupRelationByRow(Tx& tx, int64_t row);
std::vector<RelationRow> RelationsOfApp(Tx& tx, int64_t app_id);      // by relation id
std::vector<RelationRow> RelationsOfModel(Tx& tx, int64_t model_id);  // by relation id
std::vector<RelationRow> RelationsInScope(Tx& tx, int64_t unit_id);  // by relation id

std::vector<ScopeUnit> ScopeOf(Tx& tx, int64_t relation_row);  // natural order by name
bool InScope(Tx& tx, int64_t relation_row, int64_t unit_id);

}  // namespace skein::controller::domain
