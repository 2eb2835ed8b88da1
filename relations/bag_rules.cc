#include "relations/bag_rules.h"

#include "absl/strings/str_cat.h"

namespace skein::relations {
namespace {

std::string ApplicationOf(const std::string& unit) { return unit.substr(0, unit.find('/')); }

}  // namespace

absl::Status CheckRead(const Accessor& who, const RelationSides& relation, const BagOwner& bag) {
  if (!relation.Involves(who.application)) return absl::PermissionDeniedError("permission denied");
  if (!bag.application) {
    if (!relation.Involves(ApplicationOf(bag.name))) {
      return absl::NotFoundError(absl::StrCat("unit \"", bag.name, "\" is not in relation"));
    }
    return absl::OkStatus();
  }
  if (!relation.Involves(bag.name)) {
    return absl::NotFoundError(absl::StrCat("application \"", bag.name, "\" is not in relation"));
  }
  if (bag.name != who.application) return absl::OkStatus();  // the remote application's bag
  if (relation.IsPeer() || who.leader) return absl::OkStatus();
  return absl::PermissionDeniedError("permission denied");
}

absl::Status CheckWrite(const Accessor& who, const RelationSides& relation, const BagOwner& bag) {
  if (!relation.Involves(who.application)) return absl::PermissionDeniedError("permission denied");
  if (!bag.application) {
    if (bag.name == who.unit) return absl::OkStatus();
    return absl::PermissionDeniedError("permission denied");
  }
  if (bag.name != who.application) return absl::PermissionDeniedError("permission denied");
  if (!who.leader) return absl::PermissionDeniedError("cannot write relation settings");
  return absl::OkStatus();
}

}  // namespace skein::relations
