#pragma once

// The uniter's HookContext (agents/unit/hook/hook_context.h) for one hook run. Relation writes
// are buffered and leave only in the CommitHook request the uniter sends when the hook
// succeeded (juju-semantics §1.5); statuses, workload version and logs are immediate.
//
// What the hook sees:
//   - relations and their members from the unit's local state (the units it has joined), with
//     the joining unit added during -joined and the departing unit removed during -departed;
//     the relation being broken is hidden from Relations() but still reachable by id;
//   - bags read from the controller once per hook (a consistent view), the own unit bag and
//     the own app bag overlaid with this hook's pending writes;
//   - leadership from the latest snapshot, and once false it stays false for the hook;
//   - config from the snapshot the hook started with.
//
// Thread-safe: the tool server calls it from its connection threads while the uniter waits.

#include <functional>
#include <optional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "agents/unit/api/agent_client.h"
#include "agents/unit/hook/hook_context.h"
#include "agents/unit/local_state/local_state.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "skein/v1/agent.pb.h"

namespace skein::agent {

// Why the snapshot's unit is going away: kNone while it is alive, else the model's or the
// application's end when either is dying, else the unit's own removal.
RemovalReason RemovalReasonOf(const v1::UnitSnapshot& snapshot);

struct HookContextParams {
  std::string id;  // JUJU_CONTEXT_ID
  std::string unit;
  std::string application;
  HookInfo hook;
  LocalState local;  // as before the hook
  std::shared_ptr<const v1::UnitSnapshot> snapshot;  // the snapshot the hook started with
  // The leader flag of the latest snapshot.
  std::function<bool()> leader_now;
  AgentClient* client = nullptr;
  // juju-log lines (`level` as in HookContext::Log).
  std::function<void(const std::string& level, const std::string& message)> log;
  // The unpacked charm (metadata.yaml names the bindings network-get knows); may be empty.
  std::string charm_dir;
  // `<agents dir>/<model-uuid>`: where the model's storage directories are (lib/base/paths.h).
  std::string model_dir;
  // Set when the context runs an action instead of a hook (unit_hook_context_actions.cc).
  std::optional<v1::PendingAction> action;
  // Where the times the context reports (goal-state's `since`) come from, and the retry budget
  // of its calls to the controller is measured.
  const Clock* clock = &RealClock();
  // Waits between retries of a call to a controller that is away; true when the agent stops.
  // Unset: calls are tried once.
  std::function<bool(std::chrono::milliseconds)> pause;
};

class UnitHookContext : public HookContext {
 public:
  explicit UnitHookContext(HookContextParams params);

  const std::string& id() const { return p_.id; }

  // The CommitHook request carrying every buffered relation write.
  v1::CommitHookRequest BuildCommit(int64_t commit_seq) const;
  // Relations whose own application bag this hook wrote.
  std::set<int64_t> AppWriteRelations() const;
  // The hook set the unit's workload status.
  bool WorkloadStatusSet() const;

  // HookContext.
  const std::string& UnitName() const override { return p_.unit; }
  const std::string& ApplicationName() const override { return p_.application; }
  const std::string& HookName() const override { return hook_name_; }
  std::optional<int64_t> HookRelationId() const override;
  const std::string& RemoteUnit() const override { return p_.hook.relation.remote_unit; }
  const std::string& RemoteApplication() const override { return remote_app_; }
  std::vector<HookRelation> Relations() const override;
  absl::StatusOr<HookRelation> Relation(int64_t id) const override;
  absl::StatusOr<std::vector<std::string>> RelationMembers(int64_t id) override;
  absl::StatusOr<std::map<std::string, std::string>> ReadSettings(int64_t id, const std::string& owner,
                                                                  bool application) override;
  absl::Status WriteSettings(int64_t id, bool application, const std::map<std::string, std::string>& values) override;
  absl::StatusOr<bool> IsLeader() override;
  nlohmann::json Config() const override;
  absl::Status SetStatus(bool application, const StatusValue& status) override;
  absl::StatusOr<StatusValue> UnitStatus() override;
  absl::StatusOr<ApplicationStatusValue> ApplicationStatus() override;
  absl::Status SetWorkloadVersion(const std::string& version) override;
  void Log(const std::string& level, const std::string& message) override;

  // Actions (unit_hook_context_actions.cc).
  std::string ActionName() const override;
  absl::StatusOr<nlohmann::json> ActionParams() override;
  absl::Status SetActionResults(const nlohmann::json& results) override;
  absl::Status ActionLog(const std::string& message) override;
  absl::Status ActionFail(const std::string& message) override;
  // What the action set with action-set, and whether (and why) action-fail was called.
  nlohmann::json ActionResults() const;
  std::optional<std::string> ActionFailure() const;

  // Network, goal state, model (unit_hook_context_network.cc).
  absl::StatusOr<NetworkInfo> NetworkGet(const std::string& binding, std::optional<int64_t> relation_id) override;
  absl::StatusOr<std::string> UnitAddress(bool public_address) override;
  absl::StatusOr<nlohmann::json> GoalState() override;
  std::string ModelUuid() const override;
  absl::StatusOr<nlohmann::json> CloudSpec() override;
  RemovalReason Removal() const override;
  // unit_hook_context_state.cc: ports and charm state go with the commit; leader settings are
  // immediate (juju-semantics §1.5).
  absl::Status OpenPort(const PortRange& range) override;
  absl::Status ClosePort(const PortRange& range) override;
  absl::StatusOr<std::vector<PortRange>> OpenedPorts() override;
  absl::StatusOr<std::map<std::string, std::string>> LeaderGet() override;
  absl::Status LeaderSet(const std::map<std::string, std::string>& values) override;
  absl::StatusOr<std::map<std::string, std::string>> StateGet() override;
  absl::Status StateSet(const std::map<std::string, std::string>& values) override;
  absl::Status StateDelete(const std::string& key) override;
  // unit_hook_context_secrets.cc: immediate calls to the Secrets service.
  absl::StatusOr<std::string> SecretAdd(const std::string& owner, const SecretFields& fields) override;
  absl::Status SecretSet(const std::string& uri, const SecretFields& fields) override;
  absl::StatusOr<std::map<std::string, std::string>> SecretGet(const std::string& uri, const std::string& label,
                                                               bool peek, bool refresh) override;
  absl::StatusOr<SecretInfo> SecretInfoGet(const std::string& uri, const std::string& label) override;
  absl::Status SecretGrant(const std::string& uri, int64_t relation_id, const std::string& unit) override;
  absl::Status SecretRevoke(const std::string& uri, int64_t relation_id, const std::string& unit) override;
  absl::Status SecretRemove(const std::string& uri, std::optional<int64_t> revision) override;
  absl::StatusOr<std::vector<std::string>> SecretIds() override;
  // Storage (unit_hook_context_storage.cc): the snapshot's instances; storage-add goes with the
  // commit, as does the report that `<name>-storage-attached` attached its instance.
  std::string HookStorageId() const override { return p_.hook.storage_id; }
  absl::StatusOr<std::vector<std::string>> StorageIds(const std::string& name) override;
  absl::StatusOr<StorageAttachmentInfo> Storage(const std::string& id) override;
  absl::Status StorageAdd(const std::string& name, int count) override;
  absl::StatusOr<std::string> ResourceGet(const std::string& name) override;

 private:
  // Adds storage-add requests, the storage-attached report and a rotated secret to a commit request.
  void AddStorageChangesLocked(v1::CommitHookRequest& req) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A call to the controller made for the hook (hook tools, built-in charms): a controller that
  // is away is retried within rpc::kHookCallBudget (lib/rpc/retry.h), so that a restart of up to
  // 60 s costs no hook error; after that the hook fails with `the controller has been
  // unreachable for 1m30s: ...`.
  absl::Status CallController(const std::function<absl::Status()>& call) const;
  template <typename T>
  absl::StatusOr<T> CallController(const std::function<absl::StatusOr<T>()>& call) const {
    std::optional<absl::StatusOr<T>> result;
    absl::Status s = CallController([&]() -> absl::Status {
      result = call();
      return result->status();
    });
    if (!s.ok()) return s;
    return std::move(**result);
  }
  bool IsHookRelation(int64_t id) const;
  bool LeaderLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The machine's address as the controller reports it (snapshot), else 127.0.0.1.
  std::string UnitAddressOrDefault() const;
  // An endpoint of the charm (or of a relation), an extra binding, or juju-info.
  bool IsBinding(const std::string& name) const;
  // The committed charm state and opened ports, fetched once per hook.
  absl::StatusOr<const v1::GetUnitStateResponse*> CommittedStateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Adds the buffered port and state changes to a commit request.
  void AddStateChangesLocked(v1::CommitHookRequest& req) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A bag as the controller returned it, fetched once per hook (read_cache_).
  absl::StatusOr<std::map<std::string, std::string>> FetchBagLocked(int64_t id, const std::string& owner,
                                                                    bool application)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // limits::kHookCommit over this hook's buffered relation and state writes, were `pending` the
  // writes to bag (id, application) and `state` the state writes.
  absl::Status CheckCommitSizeLocked(std::pair<int64_t, bool> bag, const std::map<std::string, std::string>& pending,
                                     const std::map<std::string, std::optional<std::string>>& state) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const HookContextParams p_;
  const std::string hook_name_;
  const std::string remote_app_;

  mutable Mutex mu_;
  // An IsLeader answer was false: it stays false for this hook.
  bool minion_ ABSL_GUARDED_BY(mu_) = false;
  bool workload_status_set_ ABSL_GUARDED_BY(mu_) = false;
  // (relation id, owner, application) -> bag as the controller returned it.
  std::map<std::tuple<int64_t, std::string, bool>, std::map<std::string, std::string>> read_cache_
      ABSL_GUARDED_BY(mu_);
  nlohmann::json action_results_ ABSL_GUARDED_BY(mu_) = nlohmann::json::object();
  std::optional<std::string> action_failure_ ABSL_GUARDED_BY(mu_);
  // (relation id, application) -> pending writes; an empty value deletes the key.
  std::map<std::pair<int64_t, bool>, std::map<std::string, std::string>> pending_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::GetUnitStateResponse> committed_state_ ABSL_GUARDED_BY(mu_);
  // state-set / state-delete of this hook; nullopt deletes the key.
  std::map<std::string, std::optional<std::string>> state_pending_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::PortChange> port_changes_ ABSL_GUARDED_BY(mu_);  // in the order the hook made them
  std::map<std::string, int> storage_adds_ ABSL_GUARDED_BY(mu_);   // storage-add: name -> count
};

}  // namespace skein::agent
