#pragma once

// Who may read and write which relation bag (juju-semantics §4). The controller enforces these
// on every ReadRelationSettings and CommitHook; the agent and the SDK use them to fail early
// with the same texts.
//
// | Bag (seen from a unit)        | Read                        | Write                    |
// |-------------------------------|-----------------------------|--------------------------|
// | own unit                      | self                        | self                     |
// | other unit (remote or peer)   | anyone in the relation      | nobody else              |
// | remote app                    | every unit of the local app | remote leader only       |
// | own app (regular relation)    | leader only                 | leader only              |
// | own app (peer relation)       | all units                   | leader only              |

#include <string>

#include "absl/status/status.h"

namespace skein::relations {

// The unit asking, as the controller authenticated it.
struct Accessor {
  std::string unit;         // `app/0`
  std::string application;  // `app`
  bool leader = false;
};

// The two applications of a relation. For a peer relation both are the same application.
struct RelationSides {
  std::string application_a;
  std::string application_b;
  bool IsPeer() const { return application_a == application_b; }
  bool Involves(const std::string& app) const { return app == application_a || app == application_b; }
};

// The bag: a unit's bag (`owner` = `app/0`) or an application's bag (`owner` = `app`).
struct BagOwner {
  std::string name;
  bool application = false;
};

// OK, or:
//   PermissionDenied `permission denied` — the accessor is not in the relation, or asks for its
//                    own application's bag of a regular relation without being leader;
//   NotFound         `unit "x" is not in relation` / `application "x" is not in relation`.
absl::Status CheckRead(const Accessor& who, const RelationSides& relation, const BagOwner& bag);

// OK, or:
//   PermissionDenied `cannot write relation settings` — the own application's bag while not leader;
//   PermissionDenied `permission denied` — any bag but the own unit's and own application's.
absl::Status CheckWrite(const Accessor& who, const RelationSides& relation, const BagOwner& bag);

}  // namespace skein::relations
