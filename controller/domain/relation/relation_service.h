#pragma once

// Relations: `integrate` and `remove-relation` for the CLI, and what unit agents do with the
// relations they are in (read bags under the bag rules, list members, commit hook changes,
// leave a dying relation's scope).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/rows.h"

namespace skein::controller::domain::relation {

struct IntegrateResult {
  int64_t relation_id = 0;
  std::string key;
};

struct Member {
  std::string unit;
  int64_t settings_version = 0;
};

// What one unit sees of a relation it is in.
struct MembersView {
  std::vector<Member> members;  // NaturalLess order
  std::string remote_application;
  std::string endpoint;
  std::string remote_endpoint;
};

// One bag change of a hook commit.
struct BagChange {
  int64_t relation_id = 0;
  bool application = false;  // the unit's own application bag
  Bag set;                   // an empty value deletes the key
  std::vector<std::string> unset;
};

// Integrate as part of the caller's transaction (a bundle deploy adds many relations in one).
// Same errors as RelationService::Integrate.
absl::StatusOr<IntegrateResult> IntegrateInTx(Tx& tx, const std::string& model, const std::vector<std::string>& endpoints);

// RelationService::RemoveRelation as part of the caller's transaction (a plan removes relations
// among its other changes). Same errors.
absl::StatusOr<int64_t> RemoveRelationInTx(Tx& tx, const std::string& model, const std::vector<std::string>& endpoints);

// Checks every change of one hook commit against the bag rules, then applies them all (part of
// the caller's transaction; nothing is written when a check fails). PermissionDenied with
// relations::CheckWrite's text; NotFound `relation not found` for a relation id that never
// existed. Changes to a relation that was already removed are dropped (it is gone for everybody).
absl::Status ApplyBagChanges(Tx& tx, const UnitRow& unit, const std::vector<BagChange>& changes);

// The members `viewer` sees in `relation`: alive units of the other side (other units of its own
// application for peers) that are in scope, with their unit bag versions. A dying relation has
// no members.
std::vector<Member> VisibleMembers(Tx& tx, const RelationRow& relation, const UnitRow& viewer);

class RelationService {
 public:
  explicit RelationService(Db* db) : db_(db) {}

  // `endpoints` holds two specs `app` or `app:ep`. Errors (Juju's texts):
  //   InvalidArgument  `a relation must involve two applications`, `invalid endpoint "x"`,
  //                    `cannot relate application "a" to itself`, `no relations found`,
  //                    `ambiguous relation: "a b" could refer to "a:x b:y"; "a:z b:w"`
  //   NotFound         `model "m" not found`, `application "x" not found`,
  //                    `application "a" has no "x" relation`
  //   AlreadyExists    `cannot add relation "K": relation K already exists`
  //   FailedPrecondition `application "x" is not alive`, `cannot add relation "K": establishing
  //                    a new relation for a:x would exceed its maximum relation limit of N
  //                    (quota limit exceeded)`
  absl::StatusOr<IntegrateResult> Integrate(const std::string& model, const std::vector<std::string>& endpoints);

  // Two endpoint specs (resolved like Integrate among existing relations) or one relation id.
  // Marks the relation dying. NotFound `relation "K" not found` / `relation N not found`;
  // FailedPrecondition for a peer relation; the Integrate errors for bad specs.
  absl::StatusOr<int64_t> RemoveRelation(const std::string& model, const std::vector<std::string>& endpoints);

  // Agent side; `unit_id` is the authenticated caller. NotFound `relation not found`;
  // PermissionDenied / NotFound from relations::CheckRead.
  absl::StatusOr<Bag> ReadSettings(int64_t unit_id, int64_t relation_id, const std::string& owner, bool application);

  // NotFound `relation not found`; PermissionDenied `permission denied` when the caller's
  // application is not in the relation.
  absl::StatusOr<MembersView> Members(int64_t unit_id, int64_t relation_id);


  // Removes the caller from the relation's scope; a dying relation whose scope empties is
  // deleted with its bags. Idempotent (a removed relation is fine). PermissionDenied for a
  // relation the unit's application is not in.
  absl::Status LeaveRelation(int64_t unit_id, int64_t relation_id);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::relation
