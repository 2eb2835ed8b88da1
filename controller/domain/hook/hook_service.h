#pragma once

// What a unit's hooks change besides statuses and logs: the transactional hook commit
// (relation bags, opened ports, charm state; juju-semantics §1.5) and the immediate legacy
// leader settings (leader-set).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/fault/fault.h"
#include "controller/domain/hook/ports.h"
#include "controller/domain/relation/relation_service.h"

namespace skein::controller::domain::hook {

struct HookCommit {
  int64_t commit_seq = 0;
  std::vector<relation::BagChange> bags;
  std::vector<PortChange> ports;
  std::map<std::string, std::string> state_set;
  std::vector<std::string> state_unset;
  // The charm the unit runs after the hook (empty from an agent that does not report it: the
  // stored one is kept), and whether it moved to that charm without a successful upgrade-charm.
  std::string charm_url;
  bool upgrade_charm_skipped = false;
  // storage-add: storage name -> how many more instances (storage::AddUnitStorageInTx).
  std::map<std::string, int> storage_add;
  // `<name>-storage-attached` ran: storage id -> the directory (storage::SetAttachedInTx).
  std::map<std::string, std::string> storage_attached;
  // secret-rotate ran for these secrets (`secret:<id>`): their next rotation is scheduled
  // (secret::SecretRotatedInTx). A secret removed meanwhile is skipped.
  std::vector<std::string> secrets_rotated;
};

struct UnitHookState {
  std::map<std::string, std::string> state;
  std::vector<OpenedRange> opened_ports;
};

class HookService {
 public:
  // `faults`: the kill points `before-hook-commit` and `after-hook-commit` (fault.h).
  explicit HookService(Db* db, fault::Injector faults = fault::Injector()) : db_(db), faults_(std::move(faults)) {}

  // Applies one hook's changes in one transaction, unless `commit_seq` is not above the last
  // applied one (then acknowledges without applying). Returns the applied seq. Nothing is
  // applied when any part is refused: relation::ApplyBagChanges' errors, ApplyPortChanges'
  // InvalidArgument for a bad range, ResourceExhausted (limits::SizeError) for a relation value
  // or bag, a state key, value or the unit's whole state, or the commit as a whole over its cap,
  // and the storage errors of storage::AddUnitStorageInTx and storage::SetAttachedInTx.
  absl::StatusOr<int64_t> Commit(int64_t unit_id, const HookCommit& commit);

  // The unit's committed charm state and opened ports. NotFound for an unknown unit.
  absl::StatusOr<UnitHookState> UnitState(int64_t unit_id);

  // The unit's application's leader settings. NotFound for an unknown unit.
  absl::StatusOr<std::map<std::string, std::string>> LeaderSettings(int64_t unit_id);

  // Sets (an empty value deletes) and unsets keys at once. PermissionDenied
  // `cannot write leadership settings: cannot write settings: not the leader` unless the unit
  // is its application's leader; ResourceExhausted for a value or the application's settings
  // over their caps (lib/base/limits.h). A change bumps the application's leader settings version, so
  // that the other units run leader-settings-changed.
  absl::Status SetLeaderSettings(int64_t unit_id, const std::map<std::string, std::string>& set,
                                 const std::vector<std::string>& unset);

 private:
  Db* db_;
  const fault::Injector faults_;
};

}  // namespace skein::controller::domain::hook
