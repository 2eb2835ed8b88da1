#pragma once

// What a hook (or action) can see and do, as one interface. The uniter implements it for each
// hook it runs (buffering transactional writes for one CommitHook); the hook tools
// (`agents/unit/hook/tools`) and the built-in charm SDK call it. Nothing here talks gRPC: the
// implementation does that.
//
// Threading: one hook context serves one hook at a time; the tool server calls it from one
// thread at a time (Juju also runs one tool at a time per context).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace skein::agent {

struct HookRelation {
  int64_t id = 0;
  std::string endpoint;            // local endpoint (`db`)
  std::string remote_application;  // own application for peer relations
  bool peer = false;
};

struct StatusValue {
  std::string status;     // active blocked maintenance waiting unknown error ...
  std::string message;
  nlohmann::json data = nlohmann::json::object();
};

struct ApplicationStatusValue {
  StatusValue application;
  std::map<std::string, StatusValue> units;
};

// A port range as `open-port` takes it: `80`, `80/tcp`, `1000-2000/udp`, `icmp`.
struct PortRange {
  int from = 0;
  int to = 0;                // == from for a single port; 0 for icmp
  std::string protocol;      // tcp | udp | icmp
  std::vector<std::string> endpoints;  // empty = all endpoints (`*`)
};

// What `network-get` reports for a binding (juju-semantics §3.3).
struct NetworkInfo {
  struct Address {
    std::string value;        // `10.1.2.3`
    std::string cidr;         // `10.1.2.0/24`
    std::string hostname;
  };
  struct Interface {
    std::string name;         // `eth0`
    std::string mac_address;
    std::vector<Address> addresses;
  };
  std::vector<Interface> bind_addresses;
  std::vector<std::string> egress_subnets;     // `10.1.2.3/32`
  std::vector<std::string> ingress_addresses;  // `10.1.2.3`
};

// Why a unit runs its stop and remove hooks: only an application (or model) going away may take
// what the application shares with it; a unit removed by itself (remove-unit, scale to zero)
// must leave that for the units that come back.
enum class RemovalReason {
  kNone,                // the unit is not going away (stop before a restart, say)
  kUnitRemoved,         // remove-unit: the application stays
  kApplicationRemoved,  // remove-application
  kModelDestroyed,      // the model is destroyed
};
// `unit removed`, `application removed`, `model destroyed`, or empty.
inline const char* RemovalReasonName(RemovalReason reason) {
  switch (reason) {
    case RemovalReason::kNone:
      return "";
    case RemovalReason::kUnitRemoved:
      return "unit removed";
    case RemovalReason::kApplicationRemoved:
      return "application removed";
    case RemovalReason::kModelDestroyed:
      return "model destroyed";
  }
  return "";
}

// What secret-add and secret-set set; unset fields stay as they are.
struct SecretFields {
  std::optional<std::string> label;
  std::optional<std::string> description;
  std::optional<std::string> expire;  // RFC 3339 or a Go duration
  std::optional<std::string> rotate;  // never hourly daily weekly monthly quarterly yearly
  std::map<std::string, std::string> content;  // empty: no new content
};

// What secret-info-get prints of a secret the unit (or its application) owns.
struct SecretInfo {
  std::string id;     // bare
  std::string owner;  // application | unit
  std::string label;
  std::string description;
  std::string rotation;  // empty: none
  std::string rotates;   // next rotation, RFC 3339
  std::string expiry;    // RFC 3339
  int64_t revision = 0;
};

// One storage instance of the unit as `storage-get` reports it.
struct StorageAttachmentInfo {
  std::string id;        // `data/0`
  std::string kind;      // filesystem | block (a directory too: skein has no block devices)
  std::string location;  // the directory
};

class HookContext {
 public:
  virtual ~HookContext() = default;

  virtual const std::string& UnitName() const = 0;         // `app/0`
  virtual const std::string& ApplicationName() const = 0;  // `app`
  // The hook's name (`install`, `db-relation-changed`); empty while running an action.
  virtual const std::string& HookName() const = 0;
  // The relation the hook is about (JUJU_RELATION_ID's number), if any.
  virtual std::optional<int64_t> HookRelationId() const = 0;
  virtual const std::string& RemoteUnit() const = 0;         // JUJU_REMOTE_UNIT; may be empty
  virtual const std::string& RemoteApplication() const = 0;  // JUJU_REMOTE_APP; may be empty

  // Relations `relation-ids` lists: every relation of the unit except one being broken in
  // this hook, sorted by id.
  virtual std::vector<HookRelation> Relations() const = 0;
  // Any relation of the unit by id, including the one being broken. NotFound
  // (`relation not found`) when the unit has no such relation.
  virtual absl::StatusOr<HookRelation> Relation(int64_t id) const = 0;
  // Units on the other side (other units of the own app for peers), sorted: the units in scope
  // as this hook sees them (the joining unit included in -joined, the departing unit excluded
  // in -departed). NotFound (`relation not found`) for an unknown relation.
  virtual absl::StatusOr<std::vector<std::string>> RelationMembers(int64_t id) = 0;
  // One bag: a unit's (`owner` = `app/0`) or an application's (`owner` = `app`, `application`).
  // The own unit bag, and the own app bag while leader, include this hook's pending writes.
  // Errors: NotFound (`relation not found`), PermissionDenied (`permission denied`) per the bag
  // rules in relations/bag_rules.h.
  virtual absl::StatusOr<std::map<std::string, std::string>> ReadSettings(int64_t id, const std::string& owner,
                                                                          bool application) = 0;
  // Buffers writes to the own unit bag or (with `application`) the own app bag; an empty value
  // deletes the key. Applied at commit, only if the hook succeeds. Errors: NotFound
  // (`relation not found`), PermissionDenied (`cannot write relation settings`) for the app bag
  // when the unit is not the leader, ResourceExhausted (limits::SizeError) for a value, the bag
  // or the hook's changes over their caps (then nothing of `values` is buffered).
  virtual absl::Status WriteSettings(int64_t id, bool application,
                                     const std::map<std::string, std::string>& values) = 0;

  // Once false within a hook, stays false for the rest of it (juju-semantics §5).
  // Unavailable (`leadership status unknown: ...`) when the controller cannot tell.
  virtual absl::StatusOr<bool> IsLeader() = 0;

  // The effective config (defaults applied, unset options omitted) as a JSON object.
  virtual nlohmann::json Config() const = 0;

  // Immediate, not rolled back on hook failure. `application` needs leadership:
  // PermissionDenied `this unit is not the leader`.
  virtual absl::Status SetStatus(bool application, const StatusValue& status) = 0;
  virtual absl::StatusOr<StatusValue> UnitStatus() = 0;
  // Leader only: PermissionDenied `this unit is not the leader`.
  virtual absl::StatusOr<ApplicationStatusValue> ApplicationStatus() = 0;
  virtual absl::Status SetWorkloadVersion(const std::string& version) = 0;

  // `level` is one of TRACE DEBUG INFO WARNING ERROR CRITICAL.
  virtual void Log(const std::string& level, const std::string& message) = 0;

  // The capabilities below have defaults so that a context which does not offer one answers
  // the way Juju answers a tool it cannot serve. Implementations override what they support.

  // --- Actions. Outside an action every call fails with NotFound `not running an action`.
  // The action's name (empty outside an action) and its parameters after schema defaults.
  virtual std::string ActionName() const { return ""; }
  virtual absl::StatusOr<nlohmann::json> ActionParams() { return NotRunningAnAction(); }
  // Merges `results` (nested maps of strings) into the action's results.
  virtual absl::Status SetActionResults(const nlohmann::json& results) { return NotRunningAnAction(); }
  // Immediate: appears in `show-task` while the action runs.
  virtual absl::Status ActionLog(const std::string& message) { return NotRunningAnAction(); }
  // Marks the action failed with `message`; the handler still exits 0.
  virtual absl::Status ActionFail(const std::string& message) { return NotRunningAnAction(); }

  // --- Ports (transactional: applied with the hook's commit).
  virtual absl::Status OpenPort(const PortRange& range) { return Unsupported("open-port"); }
  virtual absl::Status ClosePort(const PortRange& range) { return Unsupported("close-port"); }
  // The ports committed before this hook with this hook's open-port/close-port calls applied
  // (tools::MergePortChanges), as Juju 3.6 lists them.
  virtual absl::StatusOr<std::vector<PortRange>> OpenedPorts() { return Unsupported("opened-ports"); }

  // --- Network. NotFound `no network config found for binding "x"` for an unknown binding.
  virtual absl::StatusOr<NetworkInfo> NetworkGet(const std::string& binding, std::optional<int64_t> relation_id) {
    return Unsupported("network-get");
  }
  // `unit-get private-address|public-address`.
  virtual absl::StatusOr<std::string> UnitAddress(bool public_address) { return Unsupported("unit-get"); }
  // `credential-get`: the model's cloud spec (Juju's keys: type, name, region, endpoint,
  // credential {auth-type, attrs}, is-controller-cloud). PermissionDenied `permission denied`
  // unless the application is trusted.
  virtual absl::StatusOr<nlohmann::json> CloudSpec() { return Unsupported("credential-get"); }

  // --- Goal state: {"units": {...}, "relations": {...}} as `goal-state --format=json` prints it.
  virtual absl::StatusOr<nlohmann::json> GoalState() { return Unsupported("goal-state"); }

  // --- Leader settings (immediate). LeaderSet needs leadership: PermissionDenied
  // `cannot write leadership settings: cannot write settings: not the leader`.
  virtual absl::StatusOr<std::map<std::string, std::string>> LeaderGet() { return Unsupported("leader-get"); }
  virtual absl::Status LeaderSet(const std::map<std::string, std::string>& values) { return Unsupported("leader-set"); }

  // --- The model's UUID (JUJU_MODEL_UUID), which `relation-model-get` reports: skein has no
  // cross-model relations, so every relation's remote model is the unit's own.
  virtual std::string ModelUuid() const { return ""; }
  // Why the unit is going away, from its latest snapshot (kNone while it is alive).
  virtual RemovalReason Removal() const { return RemovalReason::kNone; }

  // --- Charm state (transactional, like relation-set): state-get/state-set/state-delete.
  virtual absl::StatusOr<std::map<std::string, std::string>> StateGet() { return Unsupported("state-get"); }
  // An empty value deletes its key. ResourceExhausted (limits::SizeError) for a key, a value or
  // the unit's whole state over its cap; then nothing of `values` is applied.
  virtual absl::Status StateSet(const std::map<std::string, std::string>& values) { return Unsupported("state-set"); }
  virtual absl::Status StateDelete(const std::string& key) { return Unsupported("state-delete"); }

  // --- Secrets (immediate: each call reaches the controller at once). Errors are the
  // controller's: NotFound `secret "x" not found`, PermissionDenied `permission denied` or
  // `this unit is not the leader`.
  // `owner` is `application` or `unit`; returns the URI `secret:<id>`.
  virtual absl::StatusOr<std::string> SecretAdd(const std::string& owner, const SecretFields& fields) {
    return Unsupported("secret-add");
  }
  virtual absl::Status SecretSet(const std::string& uri, const SecretFields& fields) {
    return Unsupported("secret-set");
  }
  // By URI, label, or both (then the label is set).
  virtual absl::StatusOr<std::map<std::string, std::string>> SecretGet(const std::string& uri, const std::string& label,
                                                                       bool peek, bool refresh) {
    return Unsupported("secret-get");
  }
  virtual absl::StatusOr<SecretInfo> SecretInfoGet(const std::string& uri, const std::string& label) {
    return Unsupported("secret-info-get");
  }
  // To the relation's remote application, or only `unit` of it.
  virtual absl::Status SecretGrant(const std::string& uri, int64_t relation_id, const std::string& unit) {
    return Unsupported("secret-grant");
  }
  virtual absl::Status SecretRevoke(const std::string& uri, int64_t relation_id, const std::string& unit) {
    return Unsupported("secret-revoke");
  }
  virtual absl::Status SecretRemove(const std::string& uri, std::optional<int64_t> revision) {
    return Unsupported("secret-remove");
  }
  // URIs of the secrets the unit or its application owns.
  virtual absl::StatusOr<std::vector<std::string>> SecretIds() { return Unsupported("secret-ids"); }
  // --- Storage (issue 15). The instance the hook is about (JUJU_STORAGE_ID), empty outside
  // storage hooks.
  virtual std::string HookStorageId() const { return ""; }
  // The unit's instances (of storage `name`, or all when empty), by id number.
  virtual absl::StatusOr<std::vector<std::string>> StorageIds(const std::string& name) {
    return Unsupported("storage-list");
  }
  // NotFound `storage "x" not found` for an instance the unit does not have.
  virtual absl::StatusOr<StorageAttachmentInfo> Storage(const std::string& id) { return Unsupported("storage-get"); }
  // Buffers `storage-add name=count`; applied with the hook's commit, which the controller
  // refuses (the hook fails) when the charm has no such storage or allows fewer instances.
  virtual absl::Status StorageAdd(const std::string& name, int count) { return Unsupported("storage-add"); }

  // --- Resources: resource-get. Downloads the latest revision of the application's resource
  // into `<agent dir>/resources/<name>/<filename>` and returns that path. The controller's
  // NotFound when the charm declares no such resource or nothing was uploaded.
  virtual absl::StatusOr<std::string> ResourceGet(const std::string& name) { return Unsupported("resource-get"); }

 protected:
  static absl::Status NotRunningAnAction() { return absl::NotFoundError("not running an action"); }
  static absl::Status Unsupported(const std::string& tool) {
    return absl::UnimplementedError(tool + " is not supported by this unit agent");
  }
};

}  // namespace skein::agent
