#pragma once

// Controller, models and machines: bootstrap, add-model, models, machine agent presence.

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/model/bootstrap.h"
#include "skein/v1/controller.pb.h"

namespace skein::controller::domain::model {

struct ControllerInfo {
  std::string uuid;
  std::string name;
};

class ModelService {
 public:
  explicit ModelService(Db* db) : db_(db) {}

  // Initialises an empty database: the controller row, model `controller` and machine 0.
  // Returns false (and changes nothing) when the database was already bootstrapped.
  absl::StatusOr<bool> Bootstrap(const BootstrapConfig& config);

  // FailedPrecondition `controller not bootstrapped` on an empty database.
  absl::StatusOr<ControllerInfo> Controller();

  // InvalidArgument `"x" is not a valid name for a model`; AlreadyExists `model "x" already exists`.
  absl::StatusOr<ModelRow> AddModel(const std::string& name);
  // NotFound `model "x" not found`.
  absl::StatusOr<ModelRow> GetModel(const std::string& name);
  // Models in natural name order with their summaries.
  absl::StatusOr<std::vector<v1::ModelSummary>> ListModels();
  // NotFound `model "x" not found`.
  absl::StatusOr<v1::ModelSummary> Summary(const std::string& name);

  // Machine agent presence, shown as the machine's agent status (started / pending).
  absl::Status SetMachineAgentSeen(const std::string& machine_id, bool seen);
  // Forgets every machine agent's presence (at controller start nobody is connected yet).
  absl::Status ResetMachineAgents();

 private:
  Db* db_;
};

// Adds model `name` with `config` (already normalised: NormaliseModelConfig). AlreadyExists
// `model "x" already exists`.
absl::StatusOr<ModelRow> AddModelInTx(Tx& tx, const std::string& name, const std::map<std::string, std::string>& config);

// The summary of one model (shared with the status service).
v1::ModelSummary SummaryOf(Tx& tx, const ModelRow& model, const std::string& controller_name);
std::string ControllerName(Tx& tx);

}  // namespace skein::controller::domain::model
