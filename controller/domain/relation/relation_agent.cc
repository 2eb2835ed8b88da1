// The agent-facing half of RelationService: what a unit does with the relations it is in.

#include "absl/strings/str_cat.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/relation/relation_service.h"
#include "lib/base/limits.h"
#include "relations/bag_rules.h"

namespace skein::controller::domain::relation {
namespace {

constexpr char kRelationNotFound[] = "relation not found";

relations::RelationSides SidesOf(const RelationRow& r) {
  relations::RelationSides sides;
  sides.application_a = r.endpoints.at(0).application;
  sides.application_b = r.endpoints.size() > 1 ? r.endpoints[1].application : sides.application_a;
  return sides;
}

relations::Accessor AccessorOf(Tx& tx, const UnitRow& unit) {
  auto app = FindAppById(tx, unit.application_id);
  return relations::Accessor{unit.name, unit.application, app.ok() && app->leader_unit == unit.name};
}

}  // namespace

std::vector<Member> VisibleMembers(Tx& tx, const RelationRow& relation, const UnitRow& viewer) {
  std::vector<Member> out;
  if (relation.life != Life::kAlive) return out;
  for (const ScopeUnit& s : ScopeOf(tx, relation.id)) {
    if (s.life != Life::kAlive) continue;
    bool other_side = relation.is_peer ? s.unit_id != viewer.id : s.application_id != viewer.application_id;
    if (!other_side) continue;
    out.push_back({s.name, BagVersion(tx, relation.id, s.name, /*is_app=*/false)});
  }
  return out;
}

absl::StatusOr<Bag> RelationService::ReadSettings(int64_t unit_id, int64_t relation_id, const std::string& owner,
                                                  bool application) {
  Bag bag;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto rel = LookupRelation(tx, unit->model_id, relation_id);
    if (!rel) return absl::NotFoundError(kRelationNotFound);
    absl::Status allowed = relations::CheckRead(AccessorOf(tx, *unit), SidesOf(*rel), {owner, application});
    if (!allowed.ok()) return allowed;
    bag = ReadBag(tx, rel->id, owner, application);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return bag;
}

absl::StatusOr<MembersView> RelationService::Members(int64_t unit_id, int64_t relation_id) {
  MembersView view;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto rel = LookupRelation(tx, unit->model_id, relation_id);
    if (!rel) return absl::NotFoundError(kRelationNotFound);
    const EndpointRow* local = rel->Local(unit->application_id);
    if (local == nullptr) return absl::PermissionDeniedError("permission denied");
    const EndpointRow* remote = rel->Remote(unit->application_id);
    view.members = VisibleMembers(tx, *rel, *unit);
    view.endpoint = local->endpoint;
    view.remote_application = remote->application;
    view.remote_endpoint = remote->endpoint;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

namespace {

// The caps on relation data (lib/base/limits.h), checked again on receipt: each value, and the
// bag as it would be after the change.
absl::Status CheckBagSize(Tx& tx, int64_t relation_row, int64_t relation_id, const relations::BagOwner& owner,
                          const BagChange& change) {
  for (const auto& [key, value] : change.set) {
    absl::Status s =
        limits::CheckSize(limits::kRelationValue, absl::StrCat("relation value \"", key, "\""), value.size());
    if (!s.ok()) return s;
  }
  size_t after = limits::SettingsBytesAfter(ReadBag(tx, relation_row, owner.name, owner.application), change.set,
                                            change.unset);
  return limits::CheckSize(
      limits::kRelationBag,
      absl::StrCat("the ", owner.application ? "application" : "unit", " data bag of relation ", relation_id), after);
}

}  // namespace

absl::Status ApplyBagChanges(Tx& tx, const UnitRow& unit, const std::vector<BagChange>& changes) {
  auto model = FindModelById(tx, unit.model_id);
  if (!model.ok()) return model.status();
  relations::Accessor who = AccessorOf(tx, unit);
  // Check every change before applying any, so a refused commit writes nothing.
  std::vector<std::pair<const BagChange*, RelationRow>> accepted;
  for (const BagChange& change : changes) {
    auto rel = LookupRelation(tx, unit.model_id, change.relation_id);
    if (!rel) {
      if (change.relation_id >= 0 && change.relation_id < model->next_relation_id) continue;  // removed meanwhile
      return absl::NotFoundError(kRelationNotFound);
    }
    relations::BagOwner owner{change.application ? unit.application : unit.name, change.application};
    absl::Status allowed = relations::CheckWrite(who, SidesOf(*rel), owner);
    if (!allowed.ok()) return allowed;
    if (absl::Status within = CheckBagSize(tx, rel->id, change.relation_id, owner, change); !within.ok()) {
      return within;
    }
    accepted.emplace_back(&change, std::move(*rel));
  }
  for (const auto& [change, rel] : accepted) {
    WriteBag(tx, rel.id, change->application ? unit.application : unit.name, change->application, change->set,
             change->unset);
  }
  return absl::OkStatus();
}

absl::Status RelationService::LeaveRelation(int64_t unit_id, int64_t relation_id) {
  return db_->Write("leave-relation", [&](Tx& tx) -> absl::Status {
    auto unit = FindUnitById(tx, unit_id);
    if (!unit.ok()) return unit.status();
    auto rel = LookupRelation(tx, unit->model_id, relation_id);
    if (!rel) return absl::OkStatus();
    // A relation of other applications has no scope of this unit's to leave: refused, as its
    // members and bags are, rather than answered OK as if something had happened.
    if (rel->Local(unit->application_id) == nullptr) return absl::PermissionDeniedError("permission denied");
    if (LeaveScope(tx, *rel, unit->id)) tx.Touch(UnitKey(unit->id));
    CleanupDying(tx, unit->model_id);
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::relation
