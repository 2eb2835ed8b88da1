#pragma once

// Applications and units as the CLI changes them: deploy, add-unit, remove-unit,
// remove-application, config. Every operation is one transaction; on any error nothing is
// written.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/application/charm_store.h"
#include "controller/domain/core/db.h"
#include "lib/charm/storage_spec.h"

namespace skein::controller::domain::application {

struct DeployArgs {
  std::string model;
  std::string application;  // empty = the charm's name
  UploadedCharm charm;      // in the charm store (CharmStore::Read, Upload::Finish, AddArchive)
  int num_units = 1;
  std::map<std::string, std::string> config;  // raw values, parsed per option type
  std::string charm_origin = "local";
  std::string channel;
  int64_t revision = 0;  // store charms only
  // The bundle deployment that deploys it (empty: deployed by hand). Its `config` then counts as
  // set by that bundle, so that a later revision of the bundle may change it.
  std::string deployment;
  bool trust = false;  // `deploy --trust`, a bundle's `trust: true`
  // `--storage name=directive`: kept for the application's later units too.
  std::map<std::string, charm::StorageDirective> storage;
};

struct DeployResult {
  std::string application;
  std::string charm_url;
  std::vector<std::string> units;
};

struct RemoveApplicationResult {
  std::vector<std::string> applications;
  std::vector<std::string> units;
};

struct ConfigOptionView {
  std::string name;
  std::string type;
  std::string description;
  std::string default_json;  // empty = no default
  std::string value_json;    // empty = unset
  std::string source;        // default | user | unset
  bool set_by_bundle = false;  // source `user`, set by a bundle deployment rather than by hand
};

// Who sets config: the user (`skein config`) or a bundle deployment's plan. A key the user sets or
// resets is the user's from then on; a bundle upgrade changes only keys a bundle set.
enum class ConfigSetter { kUser, kBundle };

// `skein config` / a plan's set-config change in the caller's transaction. Same errors as
// ApplicationService::SetConfig.
absl::Status SetConfigInTx(Tx& tx, const std::string& model, const std::string& app,
                           const std::map<std::string, std::string>& values, const std::vector<std::string>& reset,
                           ConfigSetter setter);

struct ConfigView {
  std::string application;
  std::string charm;  // charm name
  std::vector<ConfigOptionView> options;  // by name
  bool trust = false;  // application config: `skein trust`
};

// Deploy as part of the caller's transaction (a bundle deploy applies many in one). Same errors
// as ApplicationService::Deploy.
absl::StatusOr<DeployResult> DeployInTx(Tx& tx, const DeployArgs& args);

// The other operations of ApplicationService as part of the caller's transaction (a plan applies
// several in one). Same errors as the ApplicationService methods of the same names.
// `options.to` places the units in order on those machines (machine numbers of the model, or 0); the
// rest go to machine 0. InvalidArgument for a placement that is not a machine number (containers
// and `new` cannot be made on the local substrate); NotFound `machine 3 not found`.
struct AddUnitOptions {
  std::vector<std::string> to;              // placements, in unit order
  std::vector<std::string> attach_storage;  // detached storage ids for the one new unit
};
absl::StatusOr<std::vector<std::string>> AddUnitInTx(Tx& tx, const std::string& model, const std::string& app, int n,
                                                     const AddUnitOptions& options = {});
absl::StatusOr<RemoveApplicationResult> RemoveApplicationsInTx(Tx& tx, const std::string& model,
                                                               const std::vector<std::string>& apps,
                                                               bool destroy_storage = false);
struct RefreshArgs {
  std::string model;
  std::string application;
  UploadedCharm charm;
  std::string charm_origin = "local";  // local | charmhub
  std::string channel;                 // charmhub: the channel tracked afterwards
  int64_t revision = 0;                // charmhub: the store revision
  bool force = false;                  // skip the check that live relations keep their endpoints
  bool force_units = false;            // units in error take the charm too (upgrade-charm skipped)
  std::map<std::string, std::string> config;  // raw values set in the same transaction (`--config`)
};

struct RefreshResult {
  std::string charm_url;  // `local:<name>-<rev>` or `ch:<name>-<rev>`
  int64_t revision = 0;
};

// `skein refresh` (refresh.cc): the application's charm becomes `charm`, in the caller's
// transaction: a local charm as the model's next local revision of its name, a charmhub charm as
// `ch:<name>-<revision>` tracking `channel`. Its settings stay, less those the new charm has no
// option for (or whose value no longer fits the option's type), then `config` is set; its
// relations and their data stay; a new peer endpoint gets its peer relation. The units see a
// new charm in their snapshot and run upgrade-charm, then config-changed. Errors: NotFound
// model/application; FailedPrecondition `application "x" is not alive`, `cannot upgrade
// application "x" to charm "local:y-1": would break relation "x:db y:db" (remove it first with:
// skein remove-relation x:db y:db), or refresh with --force` (a live relation on an endpoint the
// new charm lacks; not checked with `force`), `cannot refresh "x" to "y": the charm's name
// differs`, or a subordinate charm (not supported); SetConfig's errors for `config`.
absl::StatusOr<RefreshResult> RefreshInTx(Tx& tx, const RefreshArgs& args);

class ApplicationService {
 public:
  explicit ApplicationService(Db* db) : db_(db) {}

  // Errors: NotFound `model "x" not found`; InvalidArgument for a charm without metadata.yaml,
  // bad metadata/config/actions, `invalid application name "x"`, `unknown option "k"`,
  // `option "k" expected int, got "v"`, a negative unit count or one over kMaxUnitsPerRequest
  // (lib/base/limits.h); AlreadyExists
  // `application "x" already exists`; FailedPrecondition for subordinate charms (not yet).
  absl::StatusOr<DeployResult> Deploy(const DeployArgs& args);

  // New units `<app>/<next>` (numbers are never reused) enter the scope of every alive
  // relation of the application, with their storage (storage::CreateUnitStorageInTx; the detached
  // instances of `options.attach_storage` are attached to the one new unit), placed as AddUnitInTx says.
  // NotFound model/application/machine; FailedPrecondition `application "x" is not alive`;
  // InvalidArgument when n < 1 or n > kMaxUnitsPerRequest, or `--attach-storage` with more than
  // one unit; the storage errors.
  absl::StatusOr<std::vector<std::string>> AddUnit(const std::string& model, const std::string& app, int n,
                                                   const AddUnitOptions& options = {});

  // Marks units dying (a leader hands leadership to the lowest alive unit). All or nothing:
  // InvalidArgument for a malformed name, NotFound `unit "x" not found`. Their storage is kept
  // (detached when they are dead) unless `destroy_storage`.
  absl::StatusOr<std::vector<std::string>> RemoveUnits(const std::string& model, const std::vector<std::string>& units,
                                                       bool destroy_storage = false);

  // Marks applications, their units and their relations dying. NotFound `application "x" not found`.
  absl::StatusOr<RemoveApplicationResult> RemoveApplications(const std::string& model,
                                                             const std::vector<std::string>& apps,
                                                             bool destroy_storage = false);

  absl::StatusOr<ConfigView> GetConfig(const std::string& model, const std::string& app);
  // InvalidArgument `unknown option "k"` or a value that does not parse; nothing is written then.
  absl::Status SetConfig(const std::string& model, const std::string& app,
                         const std::map<std::string, std::string>& values, const std::vector<std::string>& reset);

  // RefreshInTx in its own transaction.
  absl::StatusOr<RefreshResult> Refresh(const RefreshArgs& args);

  // `skein trust <app> [--remove]`: the application's units may (or may no longer) read the cloud
  // credential; they see it in their next snapshot. NotFound model/application.
  absl::Status SetTrust(const std::string& model, const std::string& app, bool trust);

  // The digests of the charms some application uses, or an unfinished plan job will deploy or
  // refresh to: what the charm store must keep.
  absl::StatusOr<std::set<std::string>> CharmsInUse();

  // Moves the archives of charm rows written before charms left the database (migration 0008)
  // into `store`, one row per transaction: a row an application uses gets the archive as a zip
  // (its sha256 and size change, so its units fetch it once more and run upgrade-charm); every
  // other row is only emptied. Returns how many archives moved.
  absl::StatusOr<int> MoveArchivesToStore(CharmStore& store);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::application
