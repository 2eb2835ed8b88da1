#pragma once

// A server-streaming call fed by the watch hub, on gRPC's callback API. The hub wakes the
// stream when a key it depends on changes; the stream then runs its builder on the executor
// (never on a gRPC thread), queues what the builder returns and writes it, one message at a
// time. No polling anywhere: a commit -> hub -> Wake -> build -> StartWrite.
//
// The same feed can answer a unary call (WatchUnary): a long poll that completes when the hub
// wakes it and its builder has the answer, or when its own gRPC alarm fires. Neither blocks a
// thread while it waits.
//
// Lifetime: gRPC owns the reactor until OnDone. The state the hub and the executor see is a
// shared object that outlives the reactor; it touches the reactor only before Finish().

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "controller/api/executor.h"
#include "controller/watch/hub.h"
#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"

namespace skein::controller::api {

template <typename Msg>
struct StreamUpdate {
  std::vector<Msg> messages;           // to send, in order
  std::set<std::string> keys;          // what the next build depends on
  std::optional<grpc::Status> finish;  // end the stream once the messages are sent
  bool more = false;                   // build again at once (e.g. a log batch was truncated)
};

// The reactor a HubFeed drives: it writes one message at a time and finishes last.
template <typename Msg>
class FeedSink {
 public:
  virtual ~FeedSink() = default;
  // Sends `msg` (valid until the feed's WriteDone); the sink calls WriteDone once it is out.
  virtual void SinkWrite(const Msg* msg) = 0;
  virtual void SinkFinish(const grpc::Status& status) = 0;
};

// The state the hub and the executor see: it rebuilds when woken, queues what the builder
// returns and hands it to the sink, at most one write in flight and Finish last.
template <typename Msg>
class HubFeed : public watch::Watcher, public std::enable_shared_from_this<HubFeed<Msg>> {
 public:
  using Builder = std::function<StreamUpdate<Msg>()>;

  HubFeed(FeedSink<Msg>* sink, watch::Hub* hub, Executor* executor, Builder builder, bool coalesce,
          grpc::Status on_close = grpc::Status::OK)
      : sink_(sink),
        hub_(hub),
        executor_(executor),
        builder_(std::move(builder)),
        coalesce_(coalesce),
        on_close_(std::move(on_close)) {}

  void Wake() override {
    {
      MutexLock lock(mu_);
      if (finishing_) return;
      dirty_ = true;
      if (scheduled_) return;
      scheduled_ = true;
    }
    // Posted outside the lock: after the executor stopped, Post runs the task inline.
    executor_->Post([self = this->shared_from_this()] { self->Run(); });
  }

  void Close() override { End(on_close_, /*cancelled=*/false); }
  void Cancel() { End(grpc::Status::CANCELLED, /*cancelled=*/true); }

  void WriteDone(bool ok) {
    Action action;
    {
      MutexLock lock(mu_);
      writing_ = false;
      if (!queue_.empty()) queue_.pop_front();
      if (!ok) {  // the client went away
        finishing_ = true;
        cancelled_ = true;
        status_ = grpc::Status::CANCELLED;
        queue_.clear();
      }
      action = PumpLocked();
    }
    Perform(action);
  }

 private:
  struct Action {
    const Msg* write = nullptr;
    std::optional<grpc::Status> finish;
  };

  void Run() {
    for (;;) {
      {
        MutexLock lock(mu_);
        if (finishing_) {
          scheduled_ = false;
          return;
        }
        dirty_ = false;
      }
      uint64_t start = hub_->Seq();
      StreamUpdate<Msg> update = builder_();
      uint64_t newest = hub_->SetKeys(this, update.keys);
      Action action;
      bool again;
      {
        MutexLock lock(mu_);
        if (!finishing_) {
          if (coalesce_ && !update.messages.empty()) {
            while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
          }
          for (Msg& m : update.messages) queue_.push_back(std::move(m));
          if (update.finish) {
            finishing_ = true;
            status_ = *update.finish;
          }
        }
        if (newest > start || update.more) dirty_ = true;
        again = dirty_ && !finishing_;
        if (!again) scheduled_ = false;
        action = PumpLocked();
      }
      Perform(action);
      if (!again) return;
    }
  }

  void End(const grpc::Status& status, bool cancelled) {
    Action action;
    {
      MutexLock lock(mu_);
      if (!finishing_ || cancelled) status_ = status;
      finishing_ = true;
      if (cancelled) {
        cancelled_ = true;
        while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
      }
      action = PumpLocked();
    }
    Perform(action);
  }

  // Decides the next reactor operation; at most one write is in flight and Finish comes last.
  Action PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Action action;
    if (finished_ || writing_) return action;
    if (!queue_.empty() && !cancelled_) {
      writing_ = true;
      action.write = &queue_.front();  // deque elements stay put while others are appended
      return action;
    }
    if (finishing_) {
      finished_ = true;
      action.finish = status_;
    }
    return action;
  }

  void Perform(const Action& action) {
    if (action.write != nullptr) sink_->SinkWrite(action.write);
    if (action.finish) sink_->SinkFinish(*action.finish);
  }

  FeedSink<Msg>* const sink_;
  watch::Hub* const hub_;
  Executor* const executor_;
  Builder builder_;  // only ever run by one Run() at a time
  const bool coalesce_;
  const grpc::Status on_close_;  // how the stream ends when the hub shuts down

  Mutex mu_;
  std::deque<Msg> queue_ ABSL_GUARDED_BY(mu_);  // front = being written while writing_
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  bool scheduled_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
};

template <typename Msg>
class WatchStream : public grpc::ServerWriteReactor<Msg>, private FeedSink<Msg> {
 public:
  using Builder = typename HubFeed<Msg>::Builder;

  // Starts a stream: the first build runs at once. `coalesce`: a newer message replaces one
  // that is queued but not yet being written (snapshots; not logs). `on_done` runs when the
  // call is over (e.g. to mark a machine agent gone). `on_close`: how the stream ends when the
  // controller shuts down (OK for snapshots; a stream whose OK means "done" says otherwise).
  static WatchStream* Start(watch::Hub* hub, Executor* executor, Builder builder, bool coalesce,
                            std::function<void()> on_done = {}, grpc::Status on_close = grpc::Status::OK) {
    auto* stream =
        new WatchStream(hub, executor, std::move(builder), coalesce, std::move(on_done), std::move(on_close));
    hub->Add(stream->feed_);
    stream->feed_->Wake();
    return stream;
  }

  void OnWriteDone(bool ok) override { feed_->WriteDone(ok); }
  void OnCancel() override { feed_->Cancel(); }
  void OnDone() override {
    hub_->Remove(feed_.get());
    if (on_done_) on_done_();
    delete this;
  }

 private:
  WatchStream(watch::Hub* hub, Executor* executor, Builder builder, bool coalesce, std::function<void()> on_done,
              grpc::Status on_close)
      : hub_(hub),
        on_done_(std::move(on_done)),
        feed_(std::make_shared<HubFeed<Msg>>(static_cast<FeedSink<Msg>*>(this), hub, executor, std::move(builder),
                                             coalesce, std::move(on_close))) {}

  void SinkWrite(const Msg* msg) override { this->StartWrite(msg); }
  void SinkFinish(const grpc::Status& status) override { this->Finish(status); }

  watch::Hub* hub_;
  std::function<void()> on_done_;
  std::shared_ptr<HubFeed<Msg>> feed_;
};

// A unary call answered from the hub: the builder runs at once and whenever a key it depends
// on changes, and gives the answer (one message, with `finish`) when it has it. `expired` turns
// true when `wait` has passed (a gRPC alarm, no thread), and the builder is run once more so
// that it can answer with what it has.
template <typename Msg>
class WatchUnary : public grpc::ServerUnaryReactor, private FeedSink<Msg> {
 public:
  using Builder = std::function<StreamUpdate<Msg>(bool expired)>;

  static WatchUnary* Start(watch::Hub* hub, Executor* executor, Msg* response, Clock::Duration wait,
                           Builder builder) {
    auto* call = new WatchUnary(hub, response);
    std::shared_ptr<std::atomic<bool>> expired = call->expired_;
    call->feed_ = std::make_shared<HubFeed<Msg>>(
        static_cast<FeedSink<Msg>*>(call), hub, executor, [expired, builder = std::move(builder)] { return builder(expired->load()); },
        /*coalesce=*/true);
    std::weak_ptr<HubFeed<Msg>> feed = call->feed_;
    // gRPC measures the alarm in real time, as it does deadlines (Clock::Deadline).
    call->alarm_.Set(RealClock().Deadline(wait), [feed, expired](bool fired) {
      if (!fired) return;  // cancelled: the call is over
      expired->store(true);
      if (auto f = feed.lock()) f->Wake();
    });
    hub->Add(call->feed_);
    call->feed_->Wake();
    return call;
  }

  void OnCancel() override { feed_->Cancel(); }
  void OnDone() override {
    hub_->Remove(feed_.get());
    delete this;  // the alarm's destructor cancels it
  }

 private:
  WatchUnary(watch::Hub* hub, Msg* response)
      : hub_(hub), response_(response), expired_(std::make_shared<std::atomic<bool>>(false)) {}

  void SinkWrite(const Msg* msg) override {
    *response_ = *msg;
    answered_ = true;
    feed_->WriteDone(true);
  }
  // Ending without an answer happens only when the hub shuts down: the client should ask again.
  void SinkFinish(const grpc::Status& status) override {
    if (status.ok() && !answered_) {
      this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the controller is shutting down"));
      return;
    }
    this->Finish(status);
  }

  watch::Hub* hub_;
  Msg* response_;
  bool answered_ = false;  // only the feed's single Perform path touches it
  std::shared_ptr<std::atomic<bool>> expired_;
  std::shared_ptr<HubFeed<Msg>> feed_;
  grpc::Alarm alarm_;
};

}  // namespace skein::controller::api
