#include "controller/domain/plan/plan_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/plan/change_json.h"
#include "controller/domain/plan/job_rows.h"

namespace skein::controller::domain::plan {
namespace {

// What the job's failure says: the change, its error, and how to continue (a unit's failed hook
// already says it).
std::string JobFailure(const Change& change, const absl::Status& error) {
  std::string message = absl::StrCat("change ", change.id, " (", change.description, ") failed: ", error.message());
  if (!absl::StrContains(error.message(), "re-run the same command")) {
    absl::StrAppend(&message, "; fix the cause, then re-run the same command (or add --resume) to continue from ",
                    change.id);
  }
  return message;
}

// Applies the job's changes not done, in order, in the caller's one transaction, marking each
// done, and finishes the job; on error, `*failed` is the change that failed (and the caller's
// transaction rolls everything back).
absl::Status ApplyAllInTx(Tx& tx, const StoredJob& job, const CharmReader& read_charm, const fault::Injector& faults,
                          const StoredChange** failed) {
  for (const StoredChange& c : job.changes) {
    if (c.state == ChangeState::kDone) continue;
    absl::Status applied = ApplyInTx(tx, job.model, job.deployment, c.change.args, read_charm);
    if (!applied.ok()) {
      *failed = &c;
      return applied;
    }
    SetChangeState(tx, job.id, c.position, ChangeState::kDone, "");
    faults.Reached(fault::Point::kDuringBundleDeploy, job.deployment);
  }
  FinishJob(tx, job);
  return absl::OkStatus();
}

}  // namespace

PlanService::~PlanService() { Stop(); }

absl::StatusOr<StartedJob> PlanService::Start(const PlanRequest& request) {
  {
    MutexLock lock(mu_);
    if (stopping_) return absl::UnavailableError("the controller is stopping");
  }
  StartedJob started;
  absl::Status s = db_->Write("plan-start", [&](Tx& tx) -> absl::Status {
    auto model = FindModel(tx, request.model);
    if (!model.ok()) return model.status();
    std::optional<StoredJob> unfinished;
    if (std::optional<int64_t> latest = LatestJob(tx, model->id, request.deployment)) {
      auto job = LoadJob(tx, *latest);
      if (!job.ok()) return job.status();
      if (job->state == ChangeState::kRunning || job->state == ChangeState::kFailed) unfinished = std::move(*job);
    }
    // A plan for no deployment (a refresh) is resumed only when asked: its empty bundle would
    // match any other.
    const bool same_plan = unfinished && !request.deployment.empty() &&
                           unfinished->bundle_yaml == request.bundle_yaml &&
                           unfinished->channel == request.bundle_channel;
    if (unfinished && (request.resume || same_plan)) {
      started.job = unfinished->id;
      started.deployment_revision = unfinished->deployment_revision;
      started.resumed = true;
      if (unfinished->state == ChangeState::kFailed) ReopenJob(tx, *unfinished);
      return absl::OkStatus();
    }
    const std::string what =
        request.deployment.empty() ? std::string("this model's plans") : absl::StrCat("deployment \"", request.deployment, "\"");
    if (request.resume) {
      return absl::FailedPreconditionError(absl::StrCat("nothing to resume: ", what, " has no unfinished job"));
    }
    if (unfinished && unfinished->state == ChangeState::kRunning && !request.deployment.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          what, " has a running job (", unfinished->id, ", revision ", unfinished->deployment_revision,
          ") for another plan: wait for it to finish, or re-run its command to follow it"));
    }
    auto inserted = InsertJob(tx, request);
    if (!inserted.ok()) return inserted.status();
    started = *inserted;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  EnsureRunning(started.job);
  return started;
}

absl::StatusOr<StartedJob> ApplyWhole(Db& db, const PlanRequest& request, const CharmReader& read_charm,
                                      const fault::Injector& faults) {
  if (!AppliedWhole(request.changes)) {
    return absl::InvalidArgumentError("a plan that waits or removes something is applied change by change");
  }
  StartedJob started;
  absl::Status s = db.Write("apply-plan", [&](Tx& tx) -> absl::Status {
    auto inserted = InsertJob(tx, request);
    if (!inserted.ok()) return inserted.status();
    started = *inserted;
    auto job = LoadJob(tx, started.job);
    if (!job.ok()) return job.status();
    const StoredChange* failed = nullptr;
    absl::Status applied = ApplyAllInTx(tx, *job, read_charm, faults, &failed);
    if (!applied.ok() && failed != nullptr) {
      return absl::Status(applied.code(), absl::StrCat(failed->change.description, ": ", applied.message()));
    }
    return applied;
  });
  if (!s.ok()) return s;
  return started;
}

absl::StatusOr<JobView> PlanService::Job(int64_t id) {
  JobView view;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto job = LoadJob(tx, id);
    if (!job.ok()) return job.status();
    view.job = job->id;
    view.deployment_revision = job->deployment_revision;
    view.state = job->state;
    view.message = job->message;
    view.changes = ChangeRecords(*job);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
}

absl::StatusOr<std::vector<RevisionView>> PlanService::History(const std::string& model,
                                                               const std::string& deployment) {
  std::vector<RevisionView> history;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto loaded = LoadHistory(tx, model, deployment);
    if (!loaded.ok()) return loaded.status();
    history = std::move(*loaded);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return history;
}

absl::StatusOr<std::vector<int64_t>> PlanService::ResumeInterrupted() {
  std::vector<int64_t> jobs;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    jobs = RunningJobs(tx);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  for (int64_t job : jobs) EnsureRunning(job);
  return jobs;
}

void PlanService::Stop() {
  std::list<Runner> runners;
  std::set<std::shared_ptr<WaitSignal>> signals;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    signals = signals_;
  }
  for (const auto& signal : signals) signal->Close();
  {
    MutexLock lock(mu_);
    runners.splice(runners.end(), runners_);
  }
  for (Runner& r : runners) r.thread.join();
}

void PlanService::AwaitIdle() {
  MutexLock lock(mu_);
  while (!active_.empty()) idle_.Wait(mu_);
}

void PlanService::EnsureRunning(int64_t job) {
  MutexLock lock(mu_);
  if (stopping_ || active_.count(job) > 0) return;
  // Runners that finished are joined here, so that the list stays as long as the jobs running.
  for (auto it = runners_.begin(); it != runners_.end();) {
    if (it->finished) {
      it->thread.join();
      it = runners_.erase(it);
    } else {
      ++it;
    }
  }
  active_.insert(job);
  Runner& runner = runners_.emplace_back();
  runner.thread = std::thread([this, job, &runner] {
    // The outcome is stored with the job (its state and message), where clients read it.
    (void)RunChanges(job);
    MutexLock done(mu_);
    active_.erase(job);
    runner.finished = true;
    idle_.NotifyAll();
  });
}

absl::Status PlanService::RunChanges(int64_t id) {
  StoredJob job;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto loaded = LoadJob(tx, id);
    if (!loaded.ok()) return loaded.status();
    job = std::move(*loaded);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (job.state != ChangeState::kRunning) return absl::OkStatus();
  std::vector<Change> changes;
  for (const StoredChange& c : job.changes) changes.push_back(c.change);

  // The change that failed, and why (the write's error rolled everything of it back).
  const StoredChange* failed = nullptr;
  absl::Status error;
  auto fail = [&]() {
    return db_->Write("plan-fail", [&](Tx& tx) -> absl::Status {
      FailJob(tx, job, failed->position, std::string(error.message()), JobFailure(failed->change, error));
      return absl::OkStatus();
    });
  };

  if (AppliedWhole(changes)) {
    s = db_->Write("plan-apply",
                   [&](Tx& tx) -> absl::Status { return ApplyAllInTx(tx, job, read_charm_, faults_, &failed); });
    if (s.ok() || failed == nullptr) return s;
    error = s;
    return fail();
  }

  for (const StoredChange& c : job.changes) {
    if (c.state == ChangeState::kDone) continue;
    {
      MutexLock lock(mu_);
      if (stopping_) return absl::AbortedError("the controller is stopping");
    }
    s = db_->Write("plan-change-start", [&](Tx& tx) -> absl::Status {
      SetChangeState(tx, job.id, c.position, ChangeState::kRunning, "");
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
    if (const auto* wait = std::get_if<WaitChange>(&c.change.args)) {
      s = RunWait(job.id, c.position, job.model, *wait);
      if (absl::IsAborted(s)) return s;
      if (s.ok()) {
        s = db_->Write("plan-change-done", [&](Tx& tx) -> absl::Status {
          SetChangeState(tx, job.id, c.position, ChangeState::kDone, "");
          return absl::OkStatus();
        });
        if (!s.ok()) return s;
      }
    } else {
      // The change and the record that it is done commit together, or neither does.
      s = db_->Write(absl::StrCat("plan-", KindName(c.change.kind())), [&](Tx& tx) -> absl::Status {
        absl::Status applied = ApplyInTx(tx, job.model, job.deployment, c.change.args, read_charm_);
        if (!applied.ok()) return applied;
        SetChangeState(tx, job.id, c.position, ChangeState::kDone, "");
        return absl::OkStatus();
      });
    }
    if (!s.ok()) {
      failed = &c;
      error = s;
      return fail();
    }
    faults_.Reached(fault::Point::kBetweenPlanChanges, c.change.id);
  }
  return db_->Write("plan-finish", [&](Tx& tx) -> absl::Status {
    FinishJob(tx, job);
    return absl::OkStatus();
  });
}

absl::Status PlanService::RunWait(int64_t job, int position, const std::string& model, const WaitChange& wait) {
  auto signal = std::make_shared<WaitSignal>(db_->clock());
  {
    MutexLock lock(mu_);
    if (stopping_) return absl::AbortedError("the controller is stopping");
    signals_.insert(signal);
  }
  hub_->Add(signal);
  absl::Status s = WaitForSettled(*db_, *hub_, *signal, model, wait, [&](const std::string& waiting) {
    // What the wait still waits for, for the client's stream; a failed write only loses that.
    (void)db_->Write("plan-wait-progress", [&](Tx& tx) -> absl::Status {
      SetChangeState(tx, job, position, ChangeState::kRunning, waiting);
      return absl::OkStatus();
    });
  }, presence_);
  hub_->Remove(signal.get());
  MutexLock lock(mu_);
  signals_.erase(signal);
  return s;
}

}  // namespace skein::controller::domain::plan
