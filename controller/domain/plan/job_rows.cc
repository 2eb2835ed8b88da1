#include "controller/domain/plan/job_rows.h"

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/plan/change_json.h"
#include "lib/base/time.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::plan {
namespace {

std::string Now(Tx& tx) { return FormatRfc3339(tx.clock().WallNow()); }

ChangeState ParseState(const std::string& s) {
  if (s == "running") return ChangeState::kRunning;
  if (s == "done") return ChangeState::kDone;
  if (s == "failed") return ChangeState::kFailed;
  return ChangeState::kPending;
}

std::string PendingStatus(const StoredJob& job) {
  if (job.rollback) return "pending-rollback";
  return job.deployment_revision == 1 ? "pending-install" : "pending-upgrade";
}

void SetRevisionStatus(Tx& tx, const StoredJob& job, const std::string& status) {
  if (job.deployment.empty()) return;
  sql::Exec(tx.db(), "UPDATE bundle_deployments SET status = ?, updated_at = ? WHERE job_id = ?", status, Now(tx),
            job.id);
}

void SetJobState(Tx& tx, int64_t job, ChangeState state, const std::string& message) {
  sql::Exec(tx.db(), "UPDATE plan_jobs SET state = ?, message = ?, updated_at = ? WHERE id = ?",
            std::string(StateName(state)), message, Now(tx), job);
  tx.Touch(PlanJobKey(job));
}

}  // namespace

const char* StateName(ChangeState state) {
  switch (state) {
    case ChangeState::kPending: return "pending";
    case ChangeState::kRunning: return "running";
    case ChangeState::kDone: return "done";
    case ChangeState::kFailed: return "failed";
  }
  return "pending";
}

bool AppliedWhole(const std::vector<Change>& changes) {
  for (const Change& c : changes) {
    if (c.kind() == ChangeKind::kWait || c.kind() == ChangeKind::kRemoveRelation ||
        c.kind() == ChangeKind::kRemoveApplication) {
      return false;
    }
  }
  return true;
}

absl::StatusOr<StartedJob> InsertJob(Tx& tx, const PlanRequest& request) {
  auto model = FindModel(tx, request.model);
  if (!model.ok()) return model.status();
  const std::string now = Now(tx);
  sql::Exec(tx.db(),
            "INSERT INTO plan_jobs(model_id, deployment, bundle_yaml, channel, rollback, state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
            model->id, request.deployment, request.bundle_yaml, request.bundle_channel, request.rollback, now, now);
  StartedJob started;
  started.job = tx.db().getLastInsertRowid();
  int position = 0;
  for (const Change& c : request.changes) {
    sql::Exec(tx.db(),
              "INSERT INTO plan_changes(job_id, position, change_id, kind, description, change_json, charm_sha256, "
              "state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
              started.job, position++, c.id, std::string(KindName(c.kind())), c.description, ChangeArgsToJson(c.args),
              CharmOf(c.args), now);
  }
  if (!request.deployment.empty()) {
    started.deployment_revision =
        sql::QueryInt(tx.db(), 0, "SELECT MAX(revision) FROM bundle_deployments WHERE model_id = ? AND bundle = ?",
                      model->id, request.deployment) + 1;
    StoredJob job;
    job.deployment_revision = started.deployment_revision;
    job.rollback = request.rollback;
    sql::Exec(tx.db(),
              "INSERT INTO bundle_deployments(model_id, bundle, revision, channel, store_revision, bundle_yaml, "
              "deployed_at, status, description, overlays_json, plan_text, resolved_json, job_id, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              model->id, request.deployment, started.deployment_revision, request.bundle_channel,
              request.bundle_revision, request.bundle_yaml, now, PendingStatus(job), request.description,
              nlohmann::json(request.overlays_yaml).dump(), request.plan_text, request.resolved_json, started.job, now);
    tx.Record(model->id, "bundle", request.deployment, absl::StrCat("revision ", started.deployment_revision));
  }
  tx.Touch(PlanJobKey(started.job));
  return started;
}

absl::StatusOr<StoredJob> LoadJob(Tx& tx, int64_t id) {
  SQLite::Statement q = sql::Prepare(tx.db(),
                                     "SELECT j.model_id, m.name, j.deployment, j.bundle_yaml, j.channel, j.rollback, "
                                     "j.state, j.message, COALESCE(d.revision, 0) FROM plan_jobs j "
                                     "JOIN models m ON m.id = j.model_id "
                                     "LEFT JOIN bundle_deployments d ON d.job_id = j.id WHERE j.id = ?",
                                     id);
  if (!q.executeStep()) return absl::NotFoundError(absl::StrCat("plan job ", id, " not found"));
  StoredJob job;
  job.id = id;
  job.model_id = q.getColumn(0).getInt64();
  job.model = q.getColumn(1).getString();
  job.deployment = q.getColumn(2).getString();
  job.bundle_yaml = q.getColumn(3).getString();
  job.channel = q.getColumn(4).getString();
  job.rollback = q.getColumn(5).getInt() != 0;
  job.state = ParseState(q.getColumn(6).getString());
  job.message = q.getColumn(7).getString();
  job.deployment_revision = q.getColumn(8).getInt64();
  SQLite::Statement c = sql::Prepare(tx.db(),
                                     "SELECT position, change_id, kind, description, change_json, state, message, "
                                     "updated_at FROM plan_changes WHERE job_id = ? ORDER BY position",
                                     id);
  while (c.executeStep()) {
    StoredChange s;
    s.position = c.getColumn(0).getInt();
    s.change.id = c.getColumn(1).getString();
    s.change.description = c.getColumn(3).getString();
    auto args = ChangeArgsFromJson(c.getColumn(2).getString(), c.getColumn(4).getString());
    if (!args.ok()) return args.status();
    s.change.args = std::move(*args);
    s.state = ParseState(c.getColumn(5).getString());
    s.message = c.getColumn(6).getString();
    s.updated = c.getColumn(7).getString();
    job.changes.push_back(std::move(s));
  }
  return job;
}

std::optional<int64_t> LatestJob(Tx& tx, int64_t model_id, const std::string& deployment) {
  int64_t id = sql::QueryInt(tx.db(), 0, "SELECT MAX(id) FROM plan_jobs WHERE model_id = ? AND deployment = ?",
                             model_id, deployment);
  if (id == 0) return std::nullopt;
  return id;
}

std::vector<int64_t> RunningJobs(Tx& tx) {
  std::vector<int64_t> ids;
  SQLite::Statement q(tx.db(), "SELECT id FROM plan_jobs WHERE state = 'running' ORDER BY id");
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  return ids;
}

void SetChangeState(Tx& tx, int64_t job, int position, ChangeState state, const std::string& message) {
  sql::Exec(tx.db(), "UPDATE plan_changes SET state = ?, message = ?, updated_at = ? WHERE job_id = ? AND position = ?",
            std::string(StateName(state)), message, Now(tx), job, position);
  tx.Touch(PlanJobKey(job));
}

void ReopenJob(Tx& tx, const StoredJob& job) {
  sql::Exec(tx.db(), "UPDATE plan_changes SET state = 'pending', updated_at = ? WHERE job_id = ? AND state != 'done'",
            Now(tx), job.id);
  SetJobState(tx, job.id, ChangeState::kRunning, "");
  SetRevisionStatus(tx, job, PendingStatus(job));
}

void FinishJob(Tx& tx, const StoredJob& job) {
  SetJobState(tx, job.id, ChangeState::kDone, "");
  if (job.deployment.empty()) return;
  sql::Exec(tx.db(),
            "UPDATE bundle_deployments SET status = 'superseded', updated_at = ? "
            "WHERE model_id = ? AND bundle = ? AND status = 'deployed' AND revision < ?",
            Now(tx), job.model_id, job.deployment, job.deployment_revision);
  SetRevisionStatus(tx, job, "deployed");
  tx.Record(job.model_id, "bundle", job.deployment, absl::StrCat("deployed revision ", job.deployment_revision));
}

void FailJob(Tx& tx, const StoredJob& job, int position, const std::string& change_message,
             const std::string& job_message) {
  SetChangeState(tx, job.id, position, ChangeState::kFailed, change_message);
  SetJobState(tx, job.id, ChangeState::kFailed, job_message);
  SetRevisionStatus(tx, job, "failed");
  if (!job.deployment.empty()) {
    tx.Record(job.model_id, "bundle", job.deployment, absl::StrCat("failed revision ", job.deployment_revision));
  }
}

std::vector<ChangeRecord> ChangeRecords(const StoredJob& job) {
  std::vector<ChangeRecord> records;
  for (const StoredChange& s : job.changes) {
    records.push_back(ChangeRecord{s.change.id, s.change.description, s.state, s.message, s.updated});
  }
  return records;
}

absl::StatusOr<std::vector<RevisionView>> LoadHistory(Tx& tx, const std::string& model, const std::string& deployment) {
  auto m = FindModel(tx, model);
  if (!m.ok()) return m.status();
  std::vector<RevisionView> revisions;
  std::vector<int64_t> jobs;
  SQLite::Statement q = sql::Prepare(tx.db(),
                                     "SELECT revision, updated_at, status, channel, store_revision, description, "
                                     "bundle_yaml, overlays_json, plan_text, resolved_json, COALESCE(job_id, 0) "
                                     "FROM bundle_deployments WHERE model_id = ? AND bundle = ? ORDER BY revision",
                                     m->id, deployment);
  while (q.executeStep()) {
    RevisionView r;
    r.revision = q.getColumn(0).getInt64();
    r.updated = q.getColumn(1).getString();
    r.status = q.getColumn(2).getString();
    r.bundle = deployment;
    r.channel = q.getColumn(3).getString();
    r.bundle_revision = q.getColumn(4).getInt64();
    r.description = q.getColumn(5).getString();
    r.bundle_yaml = q.getColumn(6).getString();
    nlohmann::json overlays = nlohmann::json::parse(q.getColumn(7).getString(), nullptr, false);
    if (overlays.is_array()) {
      for (const auto& o : overlays) {
        if (o.is_string()) r.overlays_yaml.push_back(o.get<std::string>());
      }
    }
    r.plan_text = q.getColumn(8).getString();
    r.resolved_json = q.getColumn(9).getString();
    jobs.push_back(q.getColumn(10).getInt64());
    revisions.push_back(std::move(r));
  }
  if (revisions.empty()) {
    return absl::NotFoundError(absl::StrCat("deployment \"", deployment, "\" not found in model \"", model, "\""));
  }
  for (size_t i = 0; i < revisions.size(); ++i) {
    if (jobs[i] == 0) continue;
    auto job = LoadJob(tx, jobs[i]);
    if (!job.ok()) return job.status();
    revisions[i].changes = ChangeRecords(*job);
  }
  return revisions;
}

}  // namespace skein::controller::domain::plan
