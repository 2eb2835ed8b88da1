#pragma once

// Relation scopes, bags, leadership and removal: the rules several domain areas share
// (deploy creates peer relations, add-unit enters scopes, removal cleans up). Every function
// runs inside the caller's write transaction and touches the change keys of what it changes.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain {

using Bag = std::map<std::string, std::string>;

Bag ReadBag(Tx& tx, int64_t relation_row, const std::string& owner, bool is_app);
// 0 when the bag was never written.
int64_t BagVersion(Tx& tx, int64_t relation_row, const std::string& owner, bool is_app);
// Sets keys (an empty value deletes the key) and deletes `unset`, creating the bag when needed.
// The bag's version is bumped only when its content changed; returns whether it did.
bool WriteBag(Tx& tx, int64_t relation_row, const std::string& owner, bool is_app, const Bag& set,
              const std::vector<std::string>& unset);

// Puts the unit in the relation's scope and pre-populates its unit bag with private-address,
// ingress-address (the machine address) and egress-subnets (`<address>/32`).
void EnterScope(Tx& tx, const RelationRow& relation, const UnitRow& unit);
// Returns whether the unit was in scope.
bool LeaveScope(Tx& tx, const RelationRow& relation, int64_t unit_id);

// `req:ep prov:ep` for a regular relation (requirer first, as Juju keys them), `app:ep` for
// a peer relation.
std::string RelationKeyOf(const std::vector<EndpointRow>& endpoints);

// Creates a relation between one peers endpoint or a requires and a provides endpoint, with the
// model's next relation id, and puts every alive unit of the applications in its scope.
absl::StatusOr<RelationRow> CreateRelation(Tx& tx, int64_t model_id, std::vector<EndpointRow> endpoints);

// Keeps an alive leader; otherwise elects the lowest-numbered alive unit; with no alive unit a
// dying leader stays until it is removed. Touches the application when the leader changed.
void ElectLeader(Tx& tx, int64_t app_id);

// Marks a relation dying (deleting it at once when nobody is in its scope).
void DestroyRelation(Tx& tx, const RelationRow& relation);
void DeleteRelation(Tx& tx, const RelationRow& relation);

// Deletes dying relations whose scope is empty, then dying applications that have neither
// units nor relations left, together with the objects they applied on the local substrate; then
// a dying model with no application left (DeleteModelIfEmpty).
void CleanupDying(Tx& tx, int64_t model_id);

// Deletes a unit that is dead (its agent ran `remove`, or `destroy-model --force` gave up on
// it): it leaves every scope, its row goes, and its application gets a leader again.
void DeleteUnit(Tx& tx, const UnitRow& unit);

// Deletes a dying model that holds no application any more, with everything that still names it
// (charms, operations and tasks, logs, bundle deployments, plans, manifests). Returns whether it
// did. A model's name is free again at once; its charm archives go with the charm store's sweep.
bool DeleteModelIfEmpty(Tx& tx, int64_t model_id);

// What adding to a dying model (deploy, add-unit, integrate) is refused with.
std::string ModelDying(const std::string& model);

}  // namespace skein::controller::domain
