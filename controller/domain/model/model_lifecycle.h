#pragma once

// A model's life after add-model (issue 15): add-model with config, destroy-model, show-model and
// the model's constraints. destroy-model works as remove-application does on every application
// at once: everything is marked dying, each unit's agent runs its dying hooks (relation-departed
// and -broken, stop, remove) and reports the unit dead, and the model row goes with its last
// application (core/lifecycle.h, DeleteModelIfEmpty).

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/model/model_config.h"
#include "controller/domain/presence/agent_presence.h"
#include "lib/base/constraints.h"
#include "skein/v1/controller.pb.h"

namespace skein::controller::domain::model {

struct DestroyModelOptions {
  // Units whose agent has no open watch stream are deleted at once: nobody would run their hooks.
  bool force = false;
  // Every unit left is deleted at once, without its hooks.
  bool remove_now = false;
  // A model with storage instances is destroyed only with one of these, as in Juju:
  // destroy_storage removes their directories (the machine agents do, as the units leave),
  // release_storage leaves them on disk.
  bool destroy_storage = false;
  bool release_storage = false;
};

struct DestroyModelResult {
  std::vector<std::string> applications;
  std::vector<std::string> units;
  bool removed = false;  // the model is gone already
};

struct ModelDetailsView {
  v1::ModelSummary summary;
  Life life = Life::kAlive;
  std::vector<std::string> machines;  // where the model's units run and those added to it, in natural order
  std::string controller_uuid;
  int application_count = 0;
};

class ModelLifecycleService {
 public:
  // `presence` (not owned) tells which unit agents answer; it may be null (nobody answers).
  ModelLifecycleService(Db* db, presence::AgentPresence* presence) : db_(db), presence_(presence) {}

  // add-model with `config` applied in the same transaction. InvalidArgument for a bad name or
  // a bad config value (ValidateModelConfigValue's texts), nothing added; AlreadyExists
  // `model "x" already exists`.
  absl::StatusOr<ModelRow> CreateModel(const std::string& name, const std::map<std::string, std::string>& config);

  // Marks the model, its applications, units and relations dying (again: a second call with
  // `force` or `remove_now` goes further). NotFound `model "x" not found`; FailedPrecondition
  // `cannot destroy the controller model "controller"`, and for a model with storage when
  // neither storage option is given (nothing changes then).
  absl::StatusOr<DestroyModelResult> DestroyModel(const std::string& name, const DestroyModelOptions& options);

  // NotFound `model "x" not found`.
  absl::StatusOr<ModelDetailsView> Details(const std::string& name);

  // The model's constraints (empty when none). NotFound `model "x" not found`.
  absl::StatusOr<Constraints> GetConstraints(const std::string& model);
  // Replaces the model's constraints with `text` (`key=value ...`; ParseConstraints's errors,
  // nothing changed). Returns what is stored now.
  absl::StatusOr<Constraints> SetConstraints(const std::string& model, const std::string& text);

 private:
  bool Answers(int64_t unit_id) const;

  Db* db_;
  presence::AgentPresence* presence_;
};

}  // namespace skein::controller::domain::model
