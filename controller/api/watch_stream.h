#pragma once

// A server-streaming call fed by the watch hub, on gRPC's callback API. The hub wakes the
// stream when a key it depends on changes; the stream then runs its builder on the executor
// (never on a gRPC thread), queues what the builder returns and writes it, one message at a
// time. No polling anywhere: a commit -> hub -> Wake -> build -> StartWrite.
//
// Lifetime: gRPC owns the reactor until OnDone. The state the hub and the executor see is a
// shared object that outlives the reactor; it touches the reactor only before Finish().

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/api/executor.h"
#include "controller/watch/hub.h"
#include "grpcpp/grpcpp.h"

namespace skein::controller::api {

template <typename Msg>
struct StreamUpdate {
  std::vector<Msg> messages;           // to send, in order
  std::set<std::string> keys;          // what the next build depends on
  std::optional<grpc::Status> finish;  // end the stream once the messages are sent
  bool more = false;                   // build again at once (e.g. a log batch was truncated)
};

template <typename Msg>
class WatchStream : public grpc::ServerWriteReactor<Msg> {
 public:
  using Builder = std::function<StreamUpdate<Msg>()>;

  // Starts a stream: the first build runs at once. `coalesce`: a newer message replaces one
  // that is queued but not yet being written (snapshots; not logs). `on_done` runs when the
  // call is over (e.g. to mark a machine agent gone).
  static WatchStream* Start(watch::Hub* hub, Executor* executor, Builder builder, bool coalesce,
                            std::function<void()> on_done = {}) {
    auto* stream = new WatchStream(hub, executor, std::move(builder), coalesce, std::move(on_done));
    hub->Add(stream->state_);
    stream->state_->Wake();
    return stream;
  }

  void OnWriteDone(bool ok) override { state_->WriteDone(ok); }
  void OnCancel() override { state_->Cancel(); }
  void OnDone() override {
    hub_->Remove(state_.get());
    if (on_done_) on_done_();
    delete this;
  }

 private:
  class State : public watch::Watcher, public std::enable_shared_from_this<State> {
   public:
    State(WatchStream* reactor, watch::Hub* hub, Executor* executor, Builder builder, bool coalesce)
        : reactor_(reactor), hub_(hub), executor_(executor), builder_(std::move(builder)), coalesce_(coalesce) {}

    void Wake() override {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (finishing_) return;
        dirty_ = true;
        if (scheduled_) return;
        scheduled_ = true;
      }
      // Posted outside the lock: after the executor stopped, Post runs the task inline.
      executor_->Post([self = this->shared_from_this()] { self->Run(); });
    }

    void Close() override { End(grpc::Status::OK, /*cancelled=*/false); }
    void Cancel() { End(grpc::Status::CANCELLED, /*cancelled=*/true); }

    void WriteDone(bool ok) {
      Action action;
      {
        std::lock_guard<std::mutex> lock(mu_);
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
          std::lock_guard<std::mutex> lock(mu_);
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
          std::lock_guard<std::mutex> lock(mu_);
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
        std::lock_guard<std::mutex> lock(mu_);
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
    Action PumpLocked() {
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
      if (action.write != nullptr) reactor_->StartWrite(action.write);
      if (action.finish) reactor_->Finish(*action.finish);
    }

    WatchStream* reactor_;
    watch::Hub* hub_;
    Executor* executor_;
    Builder builder_;  // only ever run by one Run() at a time
    const bool coalesce_;

    std::mutex mu_;
    std::deque<Msg> queue_;  // front = being written while writing_
    bool dirty_ = false;
    bool scheduled_ = false;
    bool writing_ = false;
    bool finishing_ = false;
    bool finished_ = false;
    bool cancelled_ = false;
    grpc::Status status_;
  };

  WatchStream(watch::Hub* hub, Executor* executor, Builder builder, bool coalesce, std::function<void()> on_done)
      : hub_(hub),
        on_done_(std::move(on_done)),
        state_(std::make_shared<State>(this, hub, executor, std::move(builder), coalesce)) {}

  watch::Hub* hub_;
  std::function<void()> on_done_;
  std::shared_ptr<State> state_;
};

}  // namespace skein::controller::api
