#pragma once

// Storage instances (issue 15): Juju's `<name>/<n>` ids, numbered per model across storage names.
// A unit gets its instances when it is created (deploy, add-unit: for every storage its charm
// declares, the directive's count, else the minimum of `multiple`, else 1), more with the hook
// tool storage-add, and may take a detached one with `add-unit --attach-storage`. When the unit
// goes its instances are detached and kept, or deleted with it when its removal asked for
// --destroy-storage. Each instance is a directory on the unit's machine (the machine agent makes
// it and the unit agent reports where, once `<name>-storage-attached` ran).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"
#include "lib/charm/metadata.h"

namespace skein::controller::domain::storage {

// `data/3` as its two parts. InvalidArgument `invalid storage id "x" (expected <name>/<number>)`.
struct StorageId {
  std::string name;
  int64_t number = 0;
  std::string ToString() const;
};
absl::StatusOr<StorageId> ParseStorageId(const std::string& text);

// One storage instance as the CLI, status and the unit agents see it.
struct StorageInstance {
  StorageId id;
  charm::StorageKind kind = charm::StorageKind::kFilesystem;
  std::string pool;
  uint64_t size_mib = 0;
  std::string owner_application;
  std::string unit;        // empty = detached
  std::string machine_id;  // the unit's machine; empty when detached
  Life unit_life = Life::kAlive;
  Life life = Life::kAlive;
  bool attached = false;   // the unit's agent ran `<name>-storage-attached`
  std::string location;    // the directory, once attached (kept while detached)
  std::string created_at;

  // What `juju storage` shows as status: pending (not attached yet), attached, detached, or
  // detaching (the unit is dying).
  std::string Status() const;
};

// Creates `unit`'s instances for every storage its charm declares, in the caller's transaction:
// `attach` (ids of detached instances) first, then new ones up to the directive's count (or the
// storage's minimum). The application's own directives (deploy --storage) apply when `directives`
// has none for a name. Errors: InvalidArgument `charm "x" has no storage "y"`, `storage "data":
// the charm allows at most N instances per unit, not M`, `storage "data": the charm needs at least
// N instances per unit, not M`, `storage "data": N instances exceed the limit of 1000 per unit`;
// NotFound `storage "data/9" not found`; FailedPrecondition
// `storage "data/1" is attached to unit "x"`, `storage "data/1" is being destroyed`,
// `storage "logs/1" cannot be attached to a unit of "app": its charm has no filesystem storage "logs"`.
absl::Status CreateUnitStorageInTx(Tx& tx, const UnitRow& unit, const charm::Metadata& metadata,
                                   const std::map<std::string, charm::StorageDirective>& directives,
                                   const std::vector<std::string>& attach);

// Checks `directives` against a charm before anything is written (deploy). Same InvalidArgument
// errors as CreateUnitStorageInTx.
absl::Status CheckDirectives(const charm::Metadata& metadata,
                             const std::map<std::string, charm::StorageDirective>& directives);

// The application's directives as stored (deploy --storage), for its later units.
void StoreDirectivesInTx(Tx& tx, int64_t app_id, const std::map<std::string, charm::StorageDirective>& directives);
std::map<std::string, charm::StorageDirective> DirectivesOfApp(Tx& tx, int64_t app_id);

// The hook tool storage-add, applied with the hook's commit: `count` more instances of `name`
// for the unit. InvalidArgument `charm "x" has no storage "y"`, the at-most error above,
// `storage-add needs a count of at least 1`; FailedPrecondition for a dying unit.
absl::Status AddUnitStorageInTx(Tx& tx, const UnitRow& unit, const charm::Metadata& metadata,
                                const std::string& name, int count);

// A removal with --destroy-storage: the unit's instances become dying and go with the unit.
void MarkUnitStorageDyingInTx(Tx& tx, const UnitRow& unit);

// The unit is dead (MarkUnitDead): its dying instances are deleted, the others detached.
void ReleaseUnitStorageInTx(Tx& tx, const UnitRow& unit);

// The unit's agent ran `<name>-storage-attached` for `id`; `location` is its directory.
// NotFound `storage "x" not found`; PermissionDenied `permission denied` when the instance is not
// attached to this unit.
absl::Status SetAttachedInTx(Tx& tx, const UnitRow& unit, const std::string& id, const std::string& location);

// Instances attached to a unit, by id number.
std::vector<StorageInstance> UnitStorageInTx(Tx& tx, int64_t unit_id);
// Every instance of a model, by id number.
std::vector<StorageInstance> ModelStorageInTx(Tx& tx, int64_t model_id);

class StorageService {
 public:
  explicit StorageService(Db* db) : db_(db) {}

  // `skein storage` / `show-storage`: the model's instances (all, or those named in `ids`, in
  // that order). NotFound `model "x" not found`, `storage "x" not found`; InvalidArgument for a
  // malformed id.
  absl::StatusOr<std::vector<StorageInstance>> List(const std::string& model, const std::vector<std::string>& ids = {});

  // The unit agent's view: its attachments.
  absl::StatusOr<std::vector<StorageInstance>> OfUnit(int64_t unit_id);

  // SetAttachedInTx in its own transaction.
  absl::Status SetAttached(int64_t unit_id, const std::string& id, const std::string& location);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::storage
