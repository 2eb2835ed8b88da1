#include "controller/domain/plan/change_json.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::plan {
namespace {

using nlohmann::json;

json ToJson(const DeployChange& c) {
  return {{"application", c.application}, {"charm_sha256", c.charm_sha256}, {"num_units", c.num_units},
          {"config", c.config},           {"charm_origin", c.charm_origin}, {"channel", c.channel},
          {"revision", c.revision},       {"trust", c.trust}};
}
json ToJson(const RefreshChange& c) {
  return {{"application", c.application}, {"charm_sha256", c.charm_sha256}, {"charm_origin", c.charm_origin},
          {"channel", c.channel},         {"revision", c.revision},         {"force", c.force},
          {"force_units", c.force_units}, {"config", c.config}};
}
json ToJson(const SetConfigChange& c) { return {{"application", c.application}, {"config", c.config}}; }
json ToJson(const AddUnitsChange& c) { return {{"application", c.application}, {"count", c.count}}; }
json ToJson(const AddRelationChange& c) { return {{"a", c.a}, {"b", c.b}}; }
json ToJson(const RemoveRelationChange& c) { return {{"a", c.a}, {"b", c.b}}; }
json ToJson(const RemoveApplicationChange& c) { return {{"application", c.application}}; }
json ToJson(const WaitChange& c) { return {{"applications", c.applications}, {"timeout_ms", c.timeout.count()}}; }

ChangeArgs FromJson(ChangeKind kind, const json& j) {
  switch (kind) {
    case ChangeKind::kDeploy:
      // Plans stored before `trust` existed have no key: not trusted.
      return DeployChange{j.at("application"), j.at("charm_sha256"), j.at("num_units"), j.at("config"),
                          j.at("charm_origin"), j.at("channel"),     j.at("revision"),  j.value("trust", false)};
    case ChangeKind::kRefresh:
      return RefreshChange{j.at("application"), j.at("charm_sha256"), j.at("charm_origin"), j.at("channel"),
                           j.at("revision"),    j.at("force"),        j.at("force_units"),  j.at("config")};
    case ChangeKind::kSetConfig:
      return SetConfigChange{j.at("application"), j.at("config")};
    case ChangeKind::kAddUnits:
      return AddUnitsChange{j.at("application"), j.at("count")};
    case ChangeKind::kAddRelation:
      return AddRelationChange{j.at("a"), j.at("b")};
    case ChangeKind::kRemoveRelation:
      return RemoveRelationChange{j.at("a"), j.at("b")};
    case ChangeKind::kRemoveApplication:
      return RemoveApplicationChange{j.at("application")};
    case ChangeKind::kWait:
      return WaitChange{j.at("applications"), std::chrono::milliseconds(j.at("timeout_ms").get<int64_t>())};
  }
  return RemoveApplicationChange{};
}

constexpr ChangeKind kKinds[] = {ChangeKind::kDeploy,         ChangeKind::kRefresh,        ChangeKind::kSetConfig,
                                 ChangeKind::kAddUnits,       ChangeKind::kAddRelation,    ChangeKind::kRemoveRelation,
                                 ChangeKind::kRemoveApplication, ChangeKind::kWait};

}  // namespace

const char* KindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kDeploy: return "deploy";
    case ChangeKind::kRefresh: return "refresh";
    case ChangeKind::kSetConfig: return "set-config";
    case ChangeKind::kAddUnits: return "add-units";
    case ChangeKind::kAddRelation: return "add-relation";
    case ChangeKind::kRemoveRelation: return "remove-relation";
    case ChangeKind::kRemoveApplication: return "remove-application";
    case ChangeKind::kWait: return "wait";
  }
  return "";
}

std::string ChangeArgsToJson(const ChangeArgs& args) {
  return std::visit([](const auto& c) { return ToJson(c).dump(); }, args);
}

absl::StatusOr<ChangeArgs> ChangeArgsFromJson(const std::string& kind, const std::string& text) {
  for (ChangeKind k : kKinds) {
    if (kind != KindName(k)) continue;
    try {
      return FromJson(k, json::parse(text));
    } catch (const json::exception& e) {
      return absl::InternalError(absl::StrCat("stored ", kind, " change does not parse: ", e.what()));
    }
  }
  return absl::InternalError(absl::StrCat("stored change of unknown kind \"", kind, "\""));
}

std::string CharmOf(const ChangeArgs& args) {
  if (const auto* d = std::get_if<DeployChange>(&args)) return d->charm_sha256;
  if (const auto* r = std::get_if<RefreshChange>(&args)) return r->charm_sha256;
  return "";
}

}  // namespace skein::controller::domain::plan
