#pragma once

// An in-memory HookContext for the hook-tool contract tests. The test sets up the unit, the
// hook, relations with their members and bags, leadership, config and statuses, runs tools and
// then inspects what was written. It follows the HookContext contract's errors: NotFound
// `relation not found`, PermissionDenied `permission denied` for the own app bag of a minion,
// `cannot write relation settings` for a minion writing the app bag, `this unit is not the
// leader` for application status.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agents/unit/hook/hook_context.h"
#include "agents/unit/hook/tools/port_range.h"
#include "agents/unit/hook/tool.h"

namespace skein::agent::testing {

class FakeHookContext : public HookContext {
 public:
  struct FakeRelation {
    HookRelation relation;
    std::vector<std::string> members;
    bool broken = false;  // hidden from Relations() (relation-ids) but still readable
    // Bags by owner: unit name (`mysql/0`) or application name (`mysql`).
    std::map<std::string, std::map<std::string, std::string>> bags;
  };

  FakeHookContext(std::string unit, std::string hook);

  // Test setup.
  FakeRelation& AddRelation(int64_t id, std::string endpoint, std::string remote_app,
                            std::vector<std::string> members = {}, bool peer = false);
  void SetHookRelation(int64_t id, std::string remote_unit, std::string remote_app);
  bool leader = true;
  std::optional<std::string> leader_error;  // IsLeader() fails with this when set
  nlohmann::json config = nlohmann::json::object();
  StatusValue unit_status{"unknown", "", nlohmann::json::object()};
  ApplicationStatusValue app_status;

  // What the tools did.
  struct LogLine {
    std::string level;
    std::string message;
  };
  std::vector<LogLine> logs;
  std::vector<std::pair<bool, StatusValue>> status_sets;  // (application, status)
  std::string workload_version;
  // Pending writes per relation: own unit bag and own app bag (empty value = delete).
  std::map<int64_t, std::map<std::string, std::string>> unit_writes;
  std::map<int64_t, std::map<std::string, std::string>> app_writes;

  // Ports, network, goal state, leader settings and charm state (the newer tools).
  std::vector<PortRange> opened_ports;                   // as committed before the hook
  std::vector<std::pair<bool, PortRange>> port_changes;  // (open, range) buffered by the hook
  std::map<std::string, NetworkInfo> networks;           // by binding name
  std::string private_address = "10.0.0.5";
  std::string public_address = "10.0.0.6";
  nlohmann::json goal_state = nlohmann::json::object();
  std::optional<nlohmann::json> cloud_spec;  // nullopt: the application is not trusted
  std::map<std::string, std::string> leader_settings;
  std::map<std::string, std::string> charm_state;
  std::string model_uuid = "5b2c6f0e-0000-4000-8000-000000000001";
  RemovalReason removal = RemovalReason::kNone;
  // Storage: the unit's instances, the hook's own (JUJU_STORAGE_ID) and storage-add's requests.
  std::vector<StorageAttachmentInfo> storage;
  std::string hook_storage_id;
  std::map<std::string, int> storage_adds;

  // Runs one tool in-process, as the tool server would.
  ToolResult Run(const std::string& command, std::vector<std::string> args,
                 std::optional<std::string> stdin_data = std::nullopt, std::string dir = "/");

  // HookContext.
  const std::string& UnitName() const override { return unit_; }
  const std::string& ApplicationName() const override { return app_; }
  const std::string& HookName() const override { return hook_; }
  std::optional<int64_t> HookRelationId() const override { return hook_relation_; }
  const std::string& RemoteUnit() const override { return remote_unit_; }
  const std::string& RemoteApplication() const override { return remote_app_; }
  std::vector<HookRelation> Relations() const override;
  absl::StatusOr<HookRelation> Relation(int64_t id) const override;
  absl::StatusOr<std::vector<std::string>> RelationMembers(int64_t id) override;
  absl::StatusOr<std::map<std::string, std::string>> ReadSettings(int64_t id, const std::string& owner,
                                                                  bool application) override;
  absl::Status WriteSettings(int64_t id, bool application, const std::map<std::string, std::string>& values) override;
  absl::StatusOr<bool> IsLeader() override;
  nlohmann::json Config() const override { return config; }
  absl::Status SetStatus(bool application, const StatusValue& status) override;
  absl::StatusOr<StatusValue> UnitStatus() override { return unit_status; }
  absl::StatusOr<ApplicationStatusValue> ApplicationStatus() override;
  absl::Status SetWorkloadVersion(const std::string& version) override;
  void Log(const std::string& level, const std::string& message) override { logs.push_back({level, message}); }
  absl::Status OpenPort(const PortRange& range) override;
  absl::Status ClosePort(const PortRange& range) override;
  // The real merge, so that the tool tests see what a hook sees.
  absl::StatusOr<std::vector<PortRange>> OpenedPorts() override {
    return tools::MergePortChanges(opened_ports, port_changes);
  }
  absl::StatusOr<NetworkInfo> NetworkGet(const std::string& binding, std::optional<int64_t> relation_id) override;
  absl::StatusOr<std::string> UnitAddress(bool public_address) override;
  absl::StatusOr<nlohmann::json> GoalState() override { return goal_state; }
  absl::StatusOr<nlohmann::json> CloudSpec() override {
    if (!cloud_spec) return absl::PermissionDeniedError("permission denied");
    return *cloud_spec;
  }
  absl::StatusOr<std::map<std::string, std::string>> LeaderGet() override { return leader_settings; }
  absl::Status LeaderSet(const std::map<std::string, std::string>& values) override;
  absl::StatusOr<std::map<std::string, std::string>> StateGet() override { return charm_state; }
  absl::Status StateSet(const std::map<std::string, std::string>& values) override;
  absl::Status StateDelete(const std::string& key) override;
  std::string ModelUuid() const override { return model_uuid; }

  // Secrets, by URI (`secret:<id>`): what the tools asked for, kept the way the tools see it.
  struct FakeSecret {
    std::string owner;  // application | unit
    SecretFields fields;  // the latest label, description, expire, rotate; content of the latest revision
    std::vector<std::map<std::string, std::string>> revisions;
    std::map<int64_t, std::string> grants;  // relation id -> unit ("" = the application)
    bool peeked = false, refreshed = false;  // the last secret-get's flags
  };
  std::map<std::string, FakeSecret> secrets;
  absl::StatusOr<std::string> SecretAdd(const std::string& owner, const SecretFields& fields) override;
  absl::Status SecretSet(const std::string& uri, const SecretFields& fields) override;
  absl::StatusOr<std::map<std::string, std::string>> SecretGet(const std::string& uri, const std::string& label,
                                                               bool peek, bool refresh) override;
  absl::StatusOr<SecretInfo> SecretInfoGet(const std::string& uri, const std::string& label) override;
  absl::Status SecretGrant(const std::string& uri, int64_t relation_id, const std::string& unit) override;
  absl::Status SecretRevoke(const std::string& uri, int64_t relation_id, const std::string& unit) override;
  absl::Status SecretRemove(const std::string& uri, std::optional<int64_t> revision) override;
  absl::StatusOr<std::vector<std::string>> SecretIds() override;
  RemovalReason Removal() const override { return removal; }
  std::string HookStorageId() const override { return hook_storage_id; }
  absl::StatusOr<std::vector<std::string>> StorageIds(const std::string& name) override {
    std::vector<std::string> ids;
    for (const auto& s : storage) {
      if (name.empty() || s.id.substr(0, s.id.find('/')) == name) ids.push_back(s.id);
    }
    return ids;
  }
  absl::StatusOr<StorageAttachmentInfo> Storage(const std::string& id) override {
    for (const auto& s : storage) {
      if (s.id == id) return s;
    }
    return absl::NotFoundError("storage \"" + id + "\" not found");
  }
  absl::Status StorageAdd(const std::string& name, int count) override {
    storage_adds[name] += count;
    return absl::OkStatus();
  }

  // Resources: the path resource-get hands out per name; any other name is not uploaded.
  std::map<std::string, std::string> resource_paths;
  absl::StatusOr<std::string> ResourceGet(const std::string& name) override {
    auto it = resource_paths.find(name);
    if (it == resource_paths.end()) {
      return absl::NotFoundError("could not download resource: resource \"" + name + "\" has not been uploaded");
    }
    return it->second;
  }

 private:
  std::string unit_;
  std::string app_;
  std::string hook_;
  std::optional<int64_t> hook_relation_;
  std::string remote_unit_;
  std::string remote_app_;
  std::map<int64_t, FakeRelation> relations_;
};

}  // namespace skein::agent::testing
