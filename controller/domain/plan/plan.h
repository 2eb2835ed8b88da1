#pragma once

// An applied plan as the controller stores and runs it (issue 13): typed changes, the request
// that starts a job, and what history shows. The CLI computes the plan (bundles/plan.h) and
// uploads the charms; these changes carry what applying them needs (charms by their archive
// digest in the charm store), so that a job stored now can be run, or resumed, later.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace skein::controller::domain::plan {

// Deploys a new application (application::DeployInTx).
struct DeployChange {
  std::string application;
  std::string charm_sha256;  // in the charm store
  int num_units = 0;
  std::map<std::string, std::string> config;
  std::string charm_origin = "local";
  std::string channel;
  int64_t revision = 0;
  bool trust = false;  // a bundle's `trust: true`
};

// Moves an application to another charm (application::RefreshInTx).
struct RefreshChange {
  std::string application;
  std::string charm_sha256;
  std::string charm_origin = "local";
  std::string channel;
  int64_t revision = 0;
  bool force = false;
  // Units in error upgrade too. Recorded for the unit agents' side (their upgrade-charm counts as
  // skipped); the controller's transaction is the same.
  bool force_units = false;
  std::map<std::string, std::string> config;
};

struct SetConfigChange {
  std::string application;
  std::map<std::string, std::string> config;
};

struct AddUnitsChange {
  std::string application;
  int count = 0;
};

struct AddRelationChange {
  std::string a;  // `app` or `app:endpoint`
  std::string b;
};

struct RemoveRelationChange {
  std::string a;
  std::string b;
};

struct RemoveApplicationChange {
  std::string application;
};

// Waits until every alive unit of the applications runs its application's charm, its agent is
// idle and its workload is not in error (wait.cc).
struct WaitChange {
  std::vector<std::string> applications;
  std::chrono::milliseconds timeout{0};  // 0 = kDefaultWaitTimeout
};

inline constexpr std::chrono::minutes kDefaultWaitTimeout{10};

enum class ChangeKind {
  kDeploy,
  kRefresh,
  kSetConfig,
  kAddUnits,
  kAddRelation,
  kRemoveRelation,
  kRemoveApplication,
  kWait,
};

// In ChangeKind's order, so that ChangeKind is the variant's index.
using ChangeArgs = std::variant<DeployChange, RefreshChange, SetConfigChange, AddUnitsChange, AddRelationChange,
                                RemoveRelationChange, RemoveApplicationChange, WaitChange>;

struct Change {
  std::string id;  // Juju's ids: deploy-1, upgradeCharm-2, wait-4 ...
  std::vector<std::string> depends_on;
  std::string description;  // as the CLI printed it
  ChangeArgs args;

  ChangeKind kind() const { return static_cast<ChangeKind>(args.index()); }
};

// How a plan of these changes is applied: whole in one transaction (nothing to wait for and
// nothing removed, so all-or-nothing loses nothing, as bundle deploys always were), or change
// after change, each in its own transaction.
bool AppliedWhole(const std::vector<Change>& changes);

enum class ChangeState { kPending, kRunning, kDone, kFailed };

// `pending`, `running`, `done`, `failed`: as stored.
const char* StateName(ChangeState state);

struct PlanRequest {
  std::string model;
  std::string deployment;  // bundle name; empty = not a deployment revision (`skein refresh`)
  std::string bundle_channel;
  int64_t bundle_revision = 0;
  std::string bundle_yaml;
  std::vector<Change> changes;
  std::string description;  // `Install complete`, `Upgrade to 1.9/stable`, `Rollback to 3`
  bool resume = false;
  bool rollback = false;  // the revision is pending-rollback while it runs
  std::string plan_text;
  std::string resolved_json;
  std::vector<std::string> overlays_yaml;
};

// One change's state as a client sees it (ApplyPlan's stream, history).
struct ChangeRecord {
  std::string id;
  std::string description;
  ChangeState state = ChangeState::kPending;
  std::string message;
  std::string updated;  // RFC 3339
};

// A job's state: what ApplyPlan streams.
struct JobView {
  int64_t job = 0;
  int64_t deployment_revision = 0;  // 0 when not a deployment
  ChangeState state = ChangeState::kPending;
  std::string message;  // the failure, naming the change and how to resume
  std::vector<ChangeRecord> changes;
};

struct StartedJob {
  int64_t job = 0;
  int64_t deployment_revision = 0;
  bool resumed = false;  // continues an earlier, unfinished job
};

// One revision of a bundle deployment (`skein history`).
struct RevisionView {
  int64_t revision = 0;
  std::string updated;  // RFC 3339
  std::string status;   // deployed | superseded | failed | pending-install | pending-upgrade | pending-rollback
  std::string bundle;
  std::string channel;
  int64_t bundle_revision = 0;
  std::string description;
  std::string bundle_yaml;
  std::vector<std::string> overlays_yaml;
  std::string plan_text;
  std::string resolved_json;
  std::vector<ChangeRecord> changes;
};

}  // namespace skein::controller::domain::plan
