#pragma once

// Model config (juju-semantics §1.7-§1.8; `skein model-config`): Juju's defaults for the keys
// the unit agent uses, overlaid with what the user set on the model. Known keys are validated
// like Juju does; unknown keys are accepted and stored as strings, as Juju does.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"

namespace skein::controller::domain::model {

struct ModelConfigEntry {
  std::string key;
  std::string value;
  std::string source;  // `default` or `model`
};

// Juju's defaults: automatically-retry-hooks=true, update-status-hook-interval=5m.
const std::map<std::string, std::string>& ModelConfigDefaults();

// The value as stored (booleans normalised to true/false). InvalidArgument with Juju's texts:
// `automatically-retry-hooks: expected bool, got string("x")`,
// `update-status-hook-interval: time: invalid duration "x"`,
// `update status hook frequency 500ms cannot be less than 1s` / `... cannot be greater than 1h0m0s`.
// update-status-hook-interval takes any duration from 1s to 1h: charm test suites set `10s`, and
// Juju 3.6 runs them (its documented 1m minimum is not what it enforces).
absl::StatusOr<std::string> ValidateModelConfigValue(const std::string& key, const std::string& value);

// Every value as stored (ValidateModelConfigValue), or the first error: InvalidArgument
// `expected "key=value", got "="` for an empty key, or a bad value's text.
absl::StatusOr<std::map<std::string, std::string>> NormaliseModelConfig(const std::map<std::string, std::string>& values);

class ModelConfigService {
 public:
  explicit ModelConfigService(Db* db) : db_(db) {}

  // Every default key plus every key set on the model, sorted by key. NotFound `model "x" not found`.
  absl::StatusOr<std::vector<ModelConfigEntry>> Get(const std::string& model);

  // Sets `values` and removes `reset` keys (back to their defaults), in one transaction, and
  // wakes every unit agent of the model. InvalidArgument (nothing changed) for a bad value or
  // a key both set and reset; NotFound `model "x" not found`.
  absl::Status Set(const std::string& model, const std::map<std::string, std::string>& values,
                   const std::vector<std::string>& reset);

 private:
  Db* db_;
};

}  // namespace skein::controller::domain::model
