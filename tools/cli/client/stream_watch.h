#pragma once

// Follows a server stream of complete snapshots (WatchStatus, WatchTask) and hands the caller the
// newest one. The stream is read on gRPC's callback API (no thread of ours, no polling); the
// caller waits through a Clock with a deadline. `wait-for`, `run` and `show-task --wait` use it,
// and any other command that waits for the model to reach a state should too.
//
// Only the newest message is kept: every message is a complete snapshot, so one that was
// overtaken before the caller looked at it carries nothing the newer one lacks.

#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "grpcpp/grpcpp.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "tools/cli/client/connection.h"

namespace skein::cli::client {

template <typename Msg>
class StreamWatch final : public grpc::ClientReadReactor<Msg> {
 public:
  enum class Next { kMessage, kEnded, kTimedOut };

  // A Controller method of the callback API, e.g. &Async::WatchStatus.
  using Async = skein::v1::Controller::StubInterface::async_interface;
  template <typename Req>
  using Method = void (Async::*)(grpc::ClientContext*, const Req*, grpc::ClientReadReactor<Msg>*);

  // Opens the stream with the connection's identity. `limit` (when set) is the call's deadline,
  // after which the controller ends its side; without it the stream lasts until this object goes.
  template <typename Req>
  static std::unique_ptr<StreamWatch> Open(Connection& connection, Clock& clock, Method<Req> method, const Req& request,
                                           std::optional<Clock::Duration> limit) {
    std::unique_ptr<StreamWatch> watch(new StreamWatch(clock));
    auto owned = std::make_shared<Req>(request);  // must outlive the call
    watch->request_ = owned;
    connection.Prepare(&watch->context_, std::chrono::milliseconds(0));
    if (limit) watch->context_.set_deadline(clock.Deadline(*limit));
    (connection.stub().async()->*method)(&watch->context_, owned.get(), watch.get());
    watch->StartRead(&watch->incoming_);
    watch->StartCall();
    watch->started_ = true;
    return watch;
  }

  // Cancels the call (the controller's side ends with it) and waits until gRPC is done with it.
  ~StreamWatch() override {
    if (!started_) return;
    context_.TryCancel();
    MutexLock lock(mu_);
    while (!done_) done_cv_.Wait(mu_);
  }

  // Waits until a message newer than the last one returned has arrived (then it is in *out), the
  // stream has ended (see status()), or `deadline` passes.
  Next Wait(Clock::TimePoint deadline, Msg* out) {
    MutexLock lock(mu_);
    clock_.WaitUntil(mu_, cv_, deadline, [&] {
      mu_.AssertHeld();
      return fresh_ || done_;
    });
    if (fresh_) {
      *out = latest_;
      fresh_ = false;
      return Next::kMessage;
    }
    return done_ ? Next::kEnded : Next::kTimedOut;
  }

  // How the stream ended, once Wait returned kEnded.
  grpc::Status status() {
    MutexLock lock(mu_);
    return status_;
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is over; OnDone follows
    {
      MutexLock lock(mu_);
      latest_ = incoming_;
      fresh_ = true;
      cv_.NotifyAll();
    }
    this->StartRead(&incoming_);  // gRPC writes incoming_ only between StartRead and OnReadDone
  }

  void OnDone(const grpc::Status& status) override {
    MutexLock lock(mu_);
    status_ = status;
    done_ = true;
    cv_.NotifyAll();
    done_cv_.NotifyAll();
  }

 private:
  explicit StreamWatch(Clock& clock) : clock_(clock) {}

  Clock& clock_;
  grpc::ClientContext context_;
  std::shared_ptr<void> request_;
  Msg incoming_;
  bool started_ = false;

  Mutex mu_;
  CondVar cv_;       // a message arrived or the stream ended
  CondVar done_cv_;  // the stream ended
  Msg latest_ ABSL_GUARDED_BY(mu_);
  bool fresh_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::cli::client
