#pragma once

// The model a built-in charm sees (ops' `self.model`): the unit, its application, leadership,
// config, relations with their bags, status and the substrate. Bag access goes through the
// hook context, which enforces the rules of relations/bag_rules.h (a non-leader cannot write its
// application bag, nobody reads another unit's own-side app bag, ...).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agents/sdk/substrate.h"
#include "agents/unit/hook/hook_context.h"
#include "lib/charm/metadata.h"
#include "nlohmann/json.hpp"

namespace skein::sdk {

using Bag = std::map<std::string, std::string>;

class Relation {
 public:
  Relation(agent::HookContext* ctx, agent::HookRelation relation) : ctx_(ctx), r_(std::move(relation)) {}

  int64_t id() const { return r_.id; }
  const std::string& endpoint() const { return r_.endpoint; }
  const std::string& remote_app() const { return r_.remote_application; }

  // The remote units in scope (sorted). Empty on error.
  std::vector<std::string> RemoteUnits() const;
  // Bags (empty when unreadable: a relation being broken may already have lost its data).
  Bag RemoteAppBag() const;
  Bag RemoteUnitBag(const std::string& unit) const;
  Bag LocalAppBag() const;   // readable by the leader only; empty otherwise
  Bag LocalUnitBag() const;
  // Writes (an empty value deletes). PermissionDenied for the app bag when not leader.
  // Only keys whose value changes are written, so an unchanged bag fires no relation-changed.
  absl::Status UpdateAppBag(const Bag& values);
  absl::Status UpdateUnitBag(const Bag& values);

 private:
  Bag Read(const std::string& owner, bool application) const;
  agent::HookContext* ctx_;
  agent::HookRelation r_;
};

class Model {
 public:
  Model(agent::HookContext* ctx, Substrate* substrate, charm::Metadata metadata, std::string model_name)
      : ctx_(ctx), substrate_(substrate), metadata_(std::move(metadata)), model_name_(std::move(model_name)) {}

  const std::string& unit() const { return ctx_->UnitName(); }
  const std::string& app() const { return ctx_->ApplicationName(); }
  const std::string& model_name() const { return model_name_; }
  std::string model_uuid() const { return ctx_->ModelUuid(); }
  const charm::Metadata& metadata() const { return metadata_; }
  const std::string& charm_name() const { return metadata_.name; }

  // False when the controller cannot tell (a charm then acts as a non-leader).
  bool IsLeader();
  nlohmann::json Config() const { return ctx_->Config(); }
  // A config value or `fallback` when unset.
  std::string ConfigString(const std::string& key, const std::string& fallback = "") const;
  int64_t ConfigInt(const std::string& key, int64_t fallback) const;
  bool ConfigBool(const std::string& key, bool fallback) const;

  // The endpoint's relations (a relation being broken in this hook excluded, as ops does).
  std::vector<Relation> Relations(const std::string& endpoint) const;
  // The unit's address (`unit-get private-address`).
  std::string UnitAddress() const;

  agent::HookContext& context() { return *ctx_; }
  Substrate& substrate() { return *substrate_; }

 private:
  agent::HookContext* ctx_;
  Substrate* substrate_;
  charm::Metadata metadata_;
  std::string model_name_;
};

}  // namespace skein::sdk
