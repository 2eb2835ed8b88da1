#include "lib/rpc/stream_watcher.h"

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "lib/base/clock.h"
#include "skein/v1/agent.grpc.pb.h"

namespace skein::rpc {
namespace {

using std::chrono::milliseconds;

// What the server does with one WatchMachine call: send `messages`, then end with `end` (or
// hold the stream open until the client cancels it when there is none).
struct Answer {
  std::vector<v1::MachineSnapshot> messages;
  std::optional<grpc::Status> end;
};

// Sends an Answer, finishing exactly once whether it ends by itself or is cancelled.
class AnswerWriter final : public grpc::ServerWriteReactor<v1::MachineSnapshot> {
 public:
  explicit AnswerWriter(Answer answer) : answer_(std::move(answer)) { WriteNext(); }
  void OnWriteDone(bool ok) override {
    if (!ok) return FinishOnce(grpc::Status::CANCELLED);
    ++next_;
    WriteNext();
  }
  void OnCancel() override { FinishOnce(grpc::Status::CANCELLED); }
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (next_ < answer_.messages.size()) {
      StartWrite(&answer_.messages[next_]);
    } else if (answer_.end) {
      FinishOnce(*answer_.end);
    }
  }
  void FinishOnce(const grpc::Status& status) {
    MutexLock lock(mu_);
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  Answer answer_;
  size_t next_ = 0;
  Mutex mu_;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// A controller whose WatchMachine answers from a script, one Answer per call, recording when
// (on the test's clock) each call came. Past the script it refuses with UNAVAILABLE.
class ScriptedWatchService final : public v1::Agent::CallbackService {
 public:
  explicit ScriptedWatchService(Clock& clock) : clock_(clock) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~ScriptedWatchService() override { server_->Shutdown(); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Script(Answer answer) {
    MutexLock lock(mu_);
    script_.push_back(std::move(answer));
  }
  // Waits (up to 20 s of real time) until `n` calls came; returns their times.
  std::vector<Clock::TimePoint> AwaitCalls(size_t n) {
    MutexLock lock(mu_);
    RealClock().WaitFor(mu_, cv_, std::chrono::seconds(20),
                        [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_.size() >= n; });
    return calls_;
  }

  grpc::ServerWriteReactor<v1::MachineSnapshot>* WatchMachine(grpc::CallbackServerContext*,
                                                              const v1::WatchMachineRequest*) override {
    Answer answer{{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "controller restarting")};
    {
      MutexLock lock(mu_);
      calls_.push_back(clock_.Now());
      if (!script_.empty()) {
        answer = std::move(script_.front());
        script_.pop_front();
      }
      cv_.NotifyAll();
    }
    return new AnswerWriter(std::move(answer));
  }

 private:
  Clock& clock_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  Mutex mu_;
  CondVar cv_;
  std::deque<Answer> script_ ABSL_GUARDED_BY(mu_);
  std::vector<Clock::TimePoint> calls_ ABSL_GUARDED_BY(mu_);
};

v1::MachineSnapshot Snapshot(int64_t version) {
  v1::MachineSnapshot s;
  s.set_machine_id("0");
  s.set_version(version);
  return s;
}

// The messages a watcher delivered, for the test thread to wait on.
struct Received {
  Mutex mu;
  CondVar cv;
  std::vector<int64_t> versions ABSL_GUARDED_BY(mu);
  void Add(const v1::MachineSnapshot& s) {
    MutexLock lock(mu);
    versions.push_back(s.version());
    cv.NotifyAll();
  }
  std::vector<int64_t> Await(size_t n) {
    MutexLock lock(mu);
    RealClock().WaitFor(mu, cv, std::chrono::seconds(20),
                        [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return versions.size() >= n; });
    return versions;
  }
};

class StreamWatcherTest : public ::testing::Test {
 protected:
  StreamWatcherTest()
      : server_(clock_), stub_(v1::Agent::NewStub(grpc::CreateChannel(server_.address(), grpc::InsecureChannelCredentials()))) {}

  std::unique_ptr<StreamWatcher<v1::MachineSnapshot>> Watcher(BackoffPolicy policy) {
    StreamWatcher<v1::MachineSnapshot>::Options options;
    options.what = "machine 0";
    options.open = [this](grpc::ClientContext* ctx) { return stub_->WatchMachine(ctx, v1::WatchMachineRequest()); };
    options.on_message = [this](const v1::MachineSnapshot& s) { received_.Add(s); };
    options.backoff = policy;
    return std::make_unique<StreamWatcher<v1::MachineSnapshot>>(std::move(options), clock_);
  }

  SimulatedClock clock_;
  ScriptedWatchService server_;
  std::unique_ptr<v1::Agent::Stub> stub_;
  Received received_;
};

TEST_F(StreamWatcherTest, BackoffGrowsToTheMaxWhileTheServerIsDownThenReconnectsAndDelivers) {
  constexpr BackoffPolicy kPolicy{milliseconds(100), milliseconds(1000), 2.0, 0.0};
  const std::vector<milliseconds> expected = {milliseconds(100), milliseconds(200), milliseconds(400),
                                              milliseconds(800), milliseconds(1000), milliseconds(1000)};
  // Down for as many calls as there are delays; then up, with two snapshots, holding the stream.
  for (size_t i = 0; i < expected.size(); ++i) server_.Script({{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")});
  server_.Script({{Snapshot(1), Snapshot(2)}, std::nullopt});
  auto watcher = Watcher(kPolicy);
  watcher->Start();
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(server_.AwaitCalls(i + 1).size(), i + 1);
    ASSERT_TRUE(clock_.AwaitWaiters(1, std::chrono::seconds(20)));
    // Short of the delay by a millisecond, then the rest: a watcher that reopened early would
    // show it in the time of its next call.
    clock_.Advance(expected[i] - milliseconds(1));
    clock_.Advance(milliseconds(1));
  }
  std::vector<Clock::TimePoint> calls = server_.AwaitCalls(expected.size() + 1);
  ASSERT_EQ(calls.size(), expected.size() + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(calls[i + 1] - calls[i], expected[i]) << "delay before reconnect " << i + 1;
  }
  EXPECT_EQ(received_.Await(2), (std::vector<int64_t>{1, 2}));
  watcher->Stop();
}

TEST_F(StreamWatcherTest, ADeliveredMessageStartsTheBackoffOver) {
  constexpr BackoffPolicy kPolicy{milliseconds(100), milliseconds(1000), 2.0, 0.0};
  server_.Script({{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")});
  server_.Script({{Snapshot(7)}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")});
  server_.Script({{Snapshot(8)}, std::nullopt});
  auto watcher = Watcher(kPolicy);
  watcher->Start();
  ASSERT_EQ(server_.AwaitCalls(1).size(), 1u);
  ASSERT_TRUE(clock_.AwaitWaiters(1, std::chrono::seconds(20)));
  clock_.Advance(milliseconds(100));
  EXPECT_EQ(received_.Await(1), std::vector<int64_t>{7});
  // The stream that delivered 7 then broke: the next delay is the first one again, not 200 ms.
  ASSERT_TRUE(clock_.AwaitWaiters(1, std::chrono::seconds(20)));
  clock_.Advance(milliseconds(100));
  EXPECT_EQ(received_.Await(2), (std::vector<int64_t>{7, 8}));
  std::vector<Clock::TimePoint> calls = server_.AwaitCalls(3);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[2] - calls[1], milliseconds(100));
  watcher->Stop();
}

TEST_F(StreamWatcherTest, StopEndsABackoffWaitAtOnce) {
  // The server stays down and the clock never moves: only Stop can end the 1 h wait.
  auto watcher = Watcher(BackoffPolicy{std::chrono::hours(1), std::chrono::hours(1), 2.0, 0.0});
  watcher->Start();
  ASSERT_EQ(server_.AwaitCalls(1).size(), 1u);
  ASSERT_TRUE(clock_.AwaitWaiters(1, std::chrono::seconds(20)));
  const Clock::TimePoint before = clock_.Now();
  watcher->Stop();
  EXPECT_EQ(clock_.Waiters(), 0u);
  EXPECT_EQ(clock_.Now(), before);
  EXPECT_EQ(server_.AwaitCalls(1).size(), 1u);
}

TEST_F(StreamWatcherTest, StopCancelsAnOpenStream) {
  server_.Script({{Snapshot(3)}, std::nullopt});  // held open until cancelled
  auto watcher = Watcher(kStreamReconnect);
  watcher->Start();
  EXPECT_EQ(received_.Await(1), std::vector<int64_t>{3});
  watcher->Stop();
  EXPECT_EQ(clock_.Waiters(), 0u);
}

TEST_F(StreamWatcherTest, OnEndCanStopTheWatchForGood) {
  server_.Script({{Snapshot(4)}, grpc::Status(grpc::StatusCode::NOT_FOUND, "unit not found")});
  struct Ended {
    Mutex mu;
    CondVar cv;
    std::optional<absl::Status> status ABSL_GUARDED_BY(mu);
  } ended;
  StreamWatcher<v1::MachineSnapshot>::Options options;
  options.what = "machine 0";
  options.open = [this](grpc::ClientContext* ctx) { return stub_->WatchMachine(ctx, v1::WatchMachineRequest()); };
  options.on_message = [this](const v1::MachineSnapshot& s) { received_.Add(s); };
  // No delay before a reconnect, so that a loop which went on would be seen calling again.
  options.backoff = BackoffPolicy{Clock::Duration::zero(), Clock::Duration::zero(), 2.0, 0.0};
  options.on_end = [&](const absl::Status& status) {
    MutexLock lock(ended.mu);
    ended.status = status;
    ended.cv.NotifyAll();
    return !absl::IsNotFound(status);
  };
  StreamWatcher<v1::MachineSnapshot> watcher(std::move(options), clock_);
  watcher.Start();
  EXPECT_EQ(received_.Await(1), std::vector<int64_t>{4});
  {
    MutexLock lock(ended.mu);
    ASSERT_TRUE(RealClock().WaitFor(ended.mu, ended.cv, std::chrono::seconds(20),
                                    [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ended.mu) { return ended.status.has_value(); }));
    EXPECT_TRUE(absl::IsNotFound(*ended.status)) << *ended.status;
    EXPECT_EQ(ended.status->message(), "unit not found");
  }
  watcher.Stop();
  EXPECT_EQ(server_.AwaitCalls(1).size(), 1u);
}

}  // namespace
}  // namespace skein::rpc
