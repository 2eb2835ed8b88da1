#pragma once

// The stored jobs, their changes and the deployment revisions they write (plan_jobs,
// plan_changes, bundle_deployments), inside the caller's transaction. Every write touches the
// job's key, so that ApplyPlan's stream sees it. Internal to the plan library.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/plan/plan.h"

namespace skein::controller::domain::plan {

struct StoredChange {
  int position = 0;
  Change change;
  ChangeState state = ChangeState::kPending;
  std::string message;
  std::string updated;
};

struct StoredJob {
  int64_t id = 0;
  int64_t model_id = 0;
  std::string model;
  std::string deployment;
  int64_t deployment_revision = 0;
  std::string bundle_yaml;
  std::string channel;
  bool rollback = false;
  ChangeState state = ChangeState::kPending;
  std::string message;
  std::vector<StoredChange> changes;  // by position
};

// Stores the job (running) with its changes (pending) and, for a deployment, its next revision
// (pending-install, pending-upgrade or pending-rollback).
absl::StatusOr<StartedJob> InsertJob(Tx& tx, const PlanRequest& request);

// The job with its changes. NotFound `plan job N not found`; Internal for a damaged change row.
absl::StatusOr<StoredJob> LoadJob(Tx& tx, int64_t job);

// The newest job of a deployment (of the model's plans that are none when `deployment` is empty).
std::optional<int64_t> LatestJob(Tx& tx, int64_t model_id, const std::string& deployment);

// Jobs left running (by a controller that stopped), oldest first.
std::vector<int64_t> RunningJobs(Tx& tx);

void SetChangeState(Tx& tx, int64_t job, int position, ChangeState state, const std::string& message);

// The failed change back to pending, the job running again and its revision pending again.
void ReopenJob(Tx& tx, const StoredJob& job);

// The job done; its revision deployed and the deployment's previous deployed one superseded.
void FinishJob(Tx& tx, const StoredJob& job);

// The change and the job failed with `message`, the revision failed.
void FailJob(Tx& tx, const StoredJob& job, int position, const std::string& change_message,
             const std::string& job_message);

std::vector<ChangeRecord> ChangeRecords(const StoredJob& job);

// Every revision of a deployment, oldest first. NotFound `deployment "x" not found in model "m"`.
absl::StatusOr<std::vector<RevisionView>> LoadHistory(Tx& tx, const std::string& model, const std::string& deployment);

}  // namespace skein::controller::domain::plan
