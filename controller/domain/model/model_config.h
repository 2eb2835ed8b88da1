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

// How values are checked; fixed when the controller starts.
struct ModelConfigOptions {
  // The controller runs with --test-mode: update-status-hook-interval may be as short as 1s
  // (Juju's minimum is 1m), so that tests need not wait minutes.
  bool test_mode = false;
};

// The value as stored (booleans normalised to true/false). InvalidArgument with Juju's texts:
// `automatically-retry-hooks: expected bool, got string("x")`,
// `update-status-hook-interval: time: invalid duration "x"`,
// `update status hook frequency 30s cannot be less than 1m0s` / `... cannot be greater than 1h0m0s`.
absl::StatusOr<std::string> ValidateModelConfigValue(const std::string& key, const std::string& value,
                                                     const ModelConfigOptions& options = {});

// Every value as stored (ValidateModelConfigValue), or the first error: InvalidArgument
// `expected "key=value", got "="` for an empty key, or a bad value's text.
absl::StatusOr<std::map<std::string, std::string>> NormaliseModelConfig(const std::map<std::string, std::string>& values,
                                                                        const ModelConfigOptions& options);

class ModelConfigService {
 public:
  explicit ModelConfigService(Db* db, ModelConfigOptions options = {}) : db_(db), options_(options) {}

  // Every default key plus every key set on the model, sorted by key. NotFound `model "x" not found`.
  absl::StatusOr<std::vector<ModelConfigEntry>> Get(const std::string& model);

  // Sets `values` and removes `reset` keys (back to their defaults), in one transaction, and
  // wakes every unit agent of the model. InvalidArgument (nothing changed) for a bad value or
  // a key both set and reset; NotFound `model "x" not found`.
  absl::Status Set(const std::string& model, const std::map<std::string, std::string>& values,
                   const std::vector<std::string>& reset);

 private:
  Db* db_;
  const ModelConfigOptions options_;
};

}  // namespace skein::controller::domain::model
