#include "controller/domain/model/model_config.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/base/duration.h"
#include "lib/base/go_bool.h"
#include "lib/base/limits.h"

namespace skein::controller::domain::model {
namespace {

constexpr char kRetryHooks[] = "automatically-retry-hooks";
constexpr char kUpdateStatusInterval[] = "update-status-hook-interval";
constexpr std::chrono::nanoseconds kMinUpdateStatus = std::chrono::seconds(1);
constexpr std::chrono::nanoseconds kMaxUpdateStatus = std::chrono::hours(1);

}  // namespace

const std::map<std::string, std::string>& ModelConfigDefaults() {
  static const auto* defaults =
      new std::map<std::string, std::string>{{kRetryHooks, "true"}, {kUpdateStatusInterval, "5m"}};
  return *defaults;
}

absl::StatusOr<std::string> ValidateModelConfigValue(const std::string& key, const std::string& value) {
  // Every unit's snapshot carries the model's config: a value has a cap (lib/base/limits.h).
  if (absl::Status s = limits::CheckSize(limits::kModelConfigValue, absl::StrCat("model config \"", key, "\""),
                                         value.size());
      !s.ok()) {
    return s;
  }
  if (key == kRetryHooks) {
    // Go's strconv.ParseBool spellings, which Juju's schema coercion accepts.
    if (std::optional<bool> b = ParseGoBool(value)) return std::string(*b ? "true" : "false");
    return absl::InvalidArgumentError(absl::StrCat(key, ": expected bool, got string(\"", value, "\")"));
  }
  if (key == kUpdateStatusInterval) {
    // The unit agent reads the value with the same parser (UpdateStatusIntervalFrom), so what
    // is accepted here is the interval the unit runs at.
    auto interval = ParseDuration(value);
    if (!interval.ok()) return absl::InvalidArgumentError(absl::StrCat(key, ": ", interval.status().message()));
    // Juju formats both durations the Go way; the user's spelling is shown for theirs.
    if (*interval < kMinUpdateStatus) {
      return absl::InvalidArgumentError(
          absl::StrCat("update status hook frequency ", value, " cannot be less than 1s"));
    }
    if (*interval > kMaxUpdateStatus) {
      return absl::InvalidArgumentError(
          absl::StrCat("update status hook frequency ", value, " cannot be greater than 1h0m0s"));
    }
    return value;
  }
  return value;
}

absl::StatusOr<std::map<std::string, std::string>> NormaliseModelConfig(const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> normalised;
  for (const auto& [k, v] : values) {
    if (k.empty()) return absl::InvalidArgumentError("expected \"key=value\", got \"=\"");
    auto value = ValidateModelConfigValue(k, v);
    if (!value.ok()) return value.status();
    normalised[k] = *value;
  }
  return normalised;
}

absl::StatusOr<std::vector<ModelConfigEntry>> ModelConfigService::Get(const std::string& model) {
  std::vector<ModelConfigEntry> out;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    std::map<std::string, ModelConfigEntry> entries;
    for (const auto& [k, v] : ModelConfigDefaults()) entries[k] = {k, v, "default"};
    if (m->config.is_object()) {
      for (auto it = m->config.begin(); it != m->config.end(); ++it) {
        std::string v = it.value().is_string() ? it.value().get<std::string>() : it.value().dump();
        entries[it.key()] = {it.key(), v, "model"};
      }
    }
    for (auto& [k, e] : entries) out.push_back(std::move(e));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

absl::Status ModelConfigService::Set(const std::string& model, const std::map<std::string, std::string>& values,
                                     const std::vector<std::string>& reset) {
  auto normalised = NormaliseModelConfig(values);
  if (!normalised.ok()) return normalised.status();
  for (const std::string& k : reset) {
    if (values.count(k) > 0) {
      return absl::InvalidArgumentError(absl::StrCat("key \"", k, "\" cannot be both set and reset in the same command"));
    }
  }
  return db_->Write("set-model-config", [&](Tx& tx) -> absl::Status {
    auto m = FindModel(tx, model);
    if (!m.ok()) return m.status();
    nlohmann::json config = m->config.is_object() ? m->config : nlohmann::json::object();
    for (const auto& [k, v] : *normalised) config[k] = v;
    for (const std::string& k : reset) config.erase(k);
    sql::Exec(tx.db(), "UPDATE models SET config_json = ? WHERE id = ?", config.dump(), m->id);
    tx.Record(m->id, "model", m->name, "config");
    // Every unit agent of the model sees the model config in its snapshot.
    SQLite::Statement q = sql::Prepare(tx.db(), "SELECT id FROM units WHERE model_id = ?", m->id);
    while (q.executeStep()) tx.Touch(UnitKey(q.getColumn(0).getInt64()));
    return absl::OkStatus();
  });
}

}  // namespace skein::controller::domain::model
