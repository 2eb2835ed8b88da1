// One notification mechanism: `run` / `show-task --wait` (WatchTask and the ShowTask long poll)
// and `wait-for` (WatchStatus) are fed by the watch hub over real gRPC. A waiting call answers
// as soon as the change commits, and a client that goes away ends the server's side.

#include <chrono>

#include "absl/base/thread_annotations.h"
#include "gtest/gtest.h"
#include "lib/base/clock.h"
#include "tests/controller/api_fixture.h"

namespace skein::controller {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kActionsYaml[] = "backup:\n  description: Back up.\n";

class NotifyApiTest : public testing::ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    v1::CharmArchive charm = testing::MakeCharm(testing::kDbMetadata);
    v1::CharmFile* f = charm.add_files();
    f->set_path("actions.yaml");
    f->set_mode(0644);
    f->set_content(kActionsYaml);
    ASSERT_TRUE(Deploy("db", charm, 1).ok());
    unit_ = UnitIdentity("db/0");
    baseline_watchers_ = server_->watcher_count();
  }

  std::string RunBackup() {
    v1::RunActionRequest req;
    req.set_model("test");
    req.add_units("db/0");
    req.set_action("backup");
    v1::RunActionResponse resp;
    grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::RunAction, Admin(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.tasks_size() == 1 ? resp.tasks(0).id() : "";
  }

  grpc::Status Finish(const std::string& task_id) {
    v1::FinishActionRequest req;
    req.set_task_id(task_id);
    req.set_results_json(R"({"return-code":0})");
    v1::FinishActionResponse resp;
    return Call(agent_.get(), &v1::Agent::Stub::FinishAction, unit_, req, &resp);
  }

  Stream<v1::TaskInfo> WatchTask(const std::string& task_id, const rpc::Identity& who = Admin()) {
    v1::WatchTaskRequest req;
    req.set_model("test");
    req.set_task_id(task_id);
    return OpenStream(controller_.get(), &v1::Controller::Stub::WatchTask, who, req);
  }

  Stream<v1::ModelStatus> WatchStatus(const rpc::Identity& who, const std::string& model) {
    v1::GetStatusRequest req;
    req.set_model(model);
    return OpenStream(controller_.get(), &v1::Controller::Stub::WatchStatus, who, req);
  }

  // A ShowTask long poll of a minute, on the callback API so that the test can act meanwhile.
  struct LongPoll {
    v1::ShowTaskRequest req;
    grpc::ClientContext ctx;
    v1::TaskInfo task;
    Mutex mu;
    CondVar cv;
    bool answered ABSL_GUARDED_BY(mu) = false;
    grpc::Status status ABSL_GUARDED_BY(mu);

    // Waits up to `d` for the answer.
    bool AnsweredWithin(Clock::Duration d) {
      MutexLock lock(mu);
      return RealClock().WaitFor(mu, cv, d, [&] {
        mu.AssertHeld();
        return answered;
      });
    }
  };
  void StartLongPoll(LongPoll* poll, const std::string& task_id) {
    poll->req.set_model("test");
    poll->req.set_task_id(task_id);
    poll->req.set_wait_ms(60000);
    rpc::PrepareContext(&poll->ctx, Admin(), seconds(70));
    controller_->async()->ShowTask(&poll->ctx, &poll->req, &poll->task, [poll](grpc::Status s) {
      MutexLock lock(poll->mu);
      poll->status = s;
      poll->answered = true;
      poll->cv.NotifyAll();
    });
  }

  // Waits (up to ten seconds) until the hub feeds `n` watchers. The hub has no callback for
  // this, so the count is looked at again every few milliseconds until the deadline.
  bool WatchersBecome(size_t n) {
    Mutex mu;
    CondVar never_notified;
    MutexLock lock(mu);
    const auto deadline = RealClock().Now() + seconds(10);
    while (server_->watcher_count() != n) {
      if (RealClock().Now() >= deadline) return false;
      RealClock().WaitFor(mu, never_notified, milliseconds(5), [] { return false; });
    }
    return true;
  }
  // Every call of the test has ended on the server's side too.
  bool ServerSideEnded() { return WatchersBecome(baseline_watchers_); }

  rpc::Identity unit_;
  size_t baseline_watchers_ = 0;
};

TEST_F(NotifyApiTest, WatchTaskSendsEachChangeAndEndsRightAfterTheTaskFinishes) {
  std::string id = RunBackup();
  auto stream = WatchTask(id);
  v1::TaskInfo task;
  ASSERT_TRUE(stream.reader->Read(&task));
  EXPECT_EQ(task.status(), "pending");

  v1::ActionLogRequest log;
  log.set_task_id(id);
  log.set_message("halfway");
  v1::ActionLogResponse logged;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::ActionLog, unit_, log, &logged).ok());
  ASSERT_TRUE(stream.reader->Read(&task));
  ASSERT_EQ(task.log_size(), 1);
  EXPECT_EQ(task.log(0).message(), "halfway");

  const auto finished_at = RealClock().Now();
  ASSERT_TRUE(Finish(id).ok());
  ASSERT_TRUE(stream.reader->Read(&task));
  const auto latency = std::chrono::duration_cast<milliseconds>(RealClock().Now() - finished_at);
  EXPECT_EQ(task.status(), "completed");
  EXPECT_EQ(task.results_json(), R"({"return-code":0})");
  EXPECT_FALSE(stream.reader->Read(&task)) << "nothing follows the finished task";
  EXPECT_TRUE(stream.reader->Finish().ok());
  // The old CLI asked again at intervals; the stream has no interval: the finished task comes
  // with the commit (a few milliseconds; a second leaves room for a loaded machine).
  EXPECT_LT(latency, seconds(1)) << "finished task arrived " << latency.count() << " ms after the commit";
  std::cout << "WatchTask: finished task arrived " << latency.count() << " ms after the commit\n";
  EXPECT_TRUE(ServerSideEnded());
}

TEST_F(NotifyApiTest, WatchTaskOfAnUnknownTaskIsNotFound) {
  auto stream = WatchTask("99");
  v1::TaskInfo task;
  EXPECT_FALSE(stream.reader->Read(&task));
  grpc::Status s = stream.reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "task \"99\" not found");
}

TEST_F(NotifyApiTest, LongPollAnswersWhenTheTaskFinishesNotWhenTheWaitRunsOut) {
  std::string id = RunBackup();
  LongPoll poll;
  StartLongPoll(&poll, id);
  // The poll is waiting in the hub, not on a thread of its own.
  EXPECT_FALSE(poll.AnsweredWithin(milliseconds(300))) << "a long poll on a pending task answered at once";
  EXPECT_EQ(server_->watcher_count(), baseline_watchers_ + 1);
  const auto finished_at = RealClock().Now();
  ASSERT_TRUE(Finish(id).ok());
  ASSERT_TRUE(poll.AnsweredWithin(seconds(10)));
  const auto latency = std::chrono::duration_cast<milliseconds>(RealClock().Now() - finished_at);
  {
    MutexLock lock(poll.mu);
    EXPECT_TRUE(poll.status.ok()) << poll.status.error_message();
  }
  EXPECT_EQ(poll.task.status(), "completed");
  EXPECT_LT(latency, seconds(1)) << "answered " << latency.count() << " ms after the commit";
}

TEST_F(NotifyApiTest, LongPollOfAPendingTaskAnswersItAsItIsOnceTheWaitRunsOut) {
  std::string id = RunBackup();
  v1::ShowTaskRequest req;
  req.set_model("test");
  req.set_task_id(id);
  req.set_wait_ms(200);
  v1::TaskInfo task;
  const auto start = RealClock().Now();
  grpc::Status s = Call(controller_.get(), &v1::Controller::Stub::ShowTask, Admin(), req, &task);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(task.status(), "pending");
  EXPECT_GE(RealClock().Now() - start, milliseconds(200));
  EXPECT_TRUE(ServerSideEnded());
}

TEST_F(NotifyApiTest, ClientThatGoesAwayEndsTheServerSide) {
  std::string id = RunBackup();
  auto task_stream = WatchTask(id);
  v1::TaskInfo task;
  ASSERT_TRUE(task_stream.reader->Read(&task));
  auto status_stream = WatchStatus(Admin(), "test");
  v1::ModelStatus status;
  ASSERT_TRUE(status_stream.reader->Read(&status));
  LongPoll poll;
  StartLongPoll(&poll, id);
  ASSERT_TRUE(WatchersBecome(baseline_watchers_ + 3)) << server_->watcher_count() << " fed";

  task_stream.ctx->TryCancel();
  status_stream.ctx->TryCancel();
  poll.ctx.TryCancel();
  EXPECT_EQ(task_stream.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(status_stream.reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  ASSERT_TRUE(poll.AnsweredWithin(seconds(10)));
  EXPECT_TRUE(ServerSideEnded()) << server_->watcher_count() << " still fed";
}

TEST_F(NotifyApiTest, WatchStatusSendsTheModelAgainWhenAUnitsStatusChanges) {
  auto stream = WatchStatus(Admin(), "test");
  v1::ModelStatus first;
  ASSERT_TRUE(stream.reader->Read(&first));
  ASSERT_EQ(first.applications_size(), 1);
  ASSERT_EQ(first.applications(0).units_size(), 1);
  EXPECT_NE(first.applications(0).units(0).workload_status().current(), "active");
  EXPECT_FALSE(first.controller_timestamp().empty());

  v1::SetStatusRequest set;
  set.set_target(v1::SetStatusRequest::WORKLOAD);
  set.mutable_status()->set_current("active");
  set.mutable_status()->set_message("ready");
  v1::SetStatusResponse done;
  ASSERT_TRUE(Call(agent_.get(), &v1::Agent::Stub::SetStatus, unit_, set, &done).ok());
  v1::ModelStatus next;
  ASSERT_TRUE(stream.reader->Read(&next)) << "no status before the deadline";
  EXPECT_GT(next.version(), first.version());
  EXPECT_EQ(next.applications(0).units(0).workload_status().current(), "active");
  EXPECT_EQ(next.applications(0).units(0).workload_status().message(), "ready");

  // A structural change (a new unit) is news too.
  v1::AddUnitRequest add;
  add.set_model("test");
  add.set_application("db");
  add.set_num_units(1);
  v1::AddUnitResponse added;
  ASSERT_TRUE(Call(controller_.get(), &v1::Controller::Stub::AddUnit, Admin(), add, &added).ok());
  ASSERT_TRUE(stream.reader->Read(&next));
  EXPECT_EQ(next.applications(0).units_size(), 2);
  stream.ctx->TryCancel();
  stream.reader->Finish();
}

TEST_F(NotifyApiTest, WatchStatusOfAnUnknownModelIsNotFound) {
  auto stream = WatchStatus(Admin(), "nope");
  v1::ModelStatus status;
  EXPECT_FALSE(stream.reader->Read(&status));
  EXPECT_EQ(stream.reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(NotifyApiTest, StreamsRefuseAnyoneButTheAdmin) {
  auto stream = WatchStatus(unit_, "test");
  v1::ModelStatus status;
  EXPECT_FALSE(stream.reader->Read(&status));
  EXPECT_EQ(stream.reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  auto task_stream = WatchTask(RunBackup(), unit_);
  v1::TaskInfo task;
  EXPECT_FALSE(task_stream.reader->Read(&task));
  EXPECT_EQ(task_stream.reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace skein::controller
