#pragma once

// Applied plans as durable jobs (issue 13). A job is stored with its changes before anything
// moves; a runner thread of the plan service (never the client's call) then applies change after
// change, each in its own transaction that also marks it done, so that a crash never leaves a
// change applied but pending; it stops at the first failure with everything before it kept. A
// plan with nothing to wait for and nothing to remove is applied whole in one transaction
// instead, as bundle deploys always were. Waits run here too (wait.h).
//
// A job left running by a controller that stopped continues when the next one starts
// (ResumeInterrupted): the user asked for the plan to be applied, each change records its own
// completion in its transaction, and waits only read, so continuing redoes nothing.

#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/core/db.h"
#include "controller/domain/fault/fault.h"
#include "controller/domain/plan/apply.h"
#include "controller/domain/plan/plan.h"
#include "controller/domain/presence/agent_presence.h"
#include "controller/domain/plan/wait.h"
#include "controller/watch/hub.h"
#include "lib/base/mutex.h"

namespace skein::controller::domain::plan {

// Applies a plan whole, now, in one transaction with its job and revision: on error nothing is
// written and the error names the failing change by its description (`<description>: <error>`).
// DeployBundle's path (bundle_service.h). InvalidArgument when the plan waits or removes something.
// `faults`: the kill point `during-bundle-deploy` (fault.h).
absl::StatusOr<StartedJob> ApplyWhole(Db& db, const PlanRequest& request, const CharmReader& read_charm,
                                      const fault::Injector& faults = fault::Injector());

class PlanService {
 public:
  // `presence` (may be null): waits do not count a unit whose agent is lost as settled. `faults`:
  // the kill points `during-bundle-deploy` and `between-plan-changes` (fault.h).
  PlanService(Db* db, watch::Hub* hub, CharmReader read_charm, const presence::AgentPresence* presence = nullptr,
              fault::Injector faults = fault::Injector())
      : db_(db), hub_(hub), read_charm_(std::move(read_charm)), presence_(presence), faults_(std::move(faults)) {}
  ~PlanService();  // Stop()

  // Stores a new job and starts running it, or continues the deployment's unfinished job: one
  // with the same bundle_yaml and channel, or any with `resume` (its first change not done
  // runs next; a failed one is retried). Errors: NotFound model; FailedPrecondition `deployment
  // "x" has a running job (N, revision R) for another plan: wait for it, or re-run its command to
  // follow it`, `nothing to resume: ...`; InvalidArgument for a plan without changes.
  absl::StatusOr<StartedJob> Start(const PlanRequest& request);

  // The job's state and its changes'. NotFound `plan job N not found`.
  absl::StatusOr<JobView> Job(int64_t job);

  // `skein history`: every revision of a deployment, oldest first, with its changes.
  absl::StatusOr<std::vector<RevisionView>> History(const std::string& model, const std::string& deployment);

  // Continues every job a stopped controller left running; the jobs started.
  absl::StatusOr<std::vector<int64_t>> ResumeInterrupted();

  // Ends the waits and joins the runners; a job interrupted in a wait stays running (it continues
  // at the next start). Start refuses to run jobs afterwards.
  void Stop();

  // Blocks until no runner is active (tests).
  void AwaitIdle();

 private:
  struct Runner {
    std::thread thread;
    bool finished = false;
  };

  // Starts a runner thread for the job unless one is running it.
  void EnsureRunning(int64_t job);
  void Run(int64_t job);
  // Runs the job's changes not done; returns when it is done, failed or interrupted.
  absl::Status RunChanges(int64_t job);
  absl::Status RunWait(int64_t job, int position, const std::string& model, const WaitChange& wait);

  Db* const db_;
  watch::Hub* const hub_;
  const CharmReader read_charm_;
  const presence::AgentPresence* const presence_;
  const fault::Injector faults_;

  Mutex mu_;
  CondVar idle_;  // signalled when a runner finishes
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::set<int64_t> active_ ABSL_GUARDED_BY(mu_);  // jobs a runner is running
  std::list<Runner> runners_ ABSL_GUARDED_BY(mu_);
  std::set<std::shared_ptr<WaitSignal>> signals_ ABSL_GUARDED_BY(mu_);  // the waits in progress
};

}  // namespace skein::controller::domain::plan
