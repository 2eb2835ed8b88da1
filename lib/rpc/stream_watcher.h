#pragma once

// Keeps one server stream open for as long as it is wanted: opens it, hands every message to a
// callback, and when it breaks (the controller restarts, the network blips) opens it again after
// a backoff (retry.h), until Stop(). The machine agent watches its machine's snapshot with it and
// the unit agent its unit's. Snapshots are complete and level-triggered, so a message lost while
// the stream was down costs nothing: the next one carries all of it.
//
// Threads: Start() runs the loop on a thread of its own; the callbacks run on it. Stop() (from
// any other thread) cancels the open stream and ends a backoff wait at once, then joins.
// Waiting goes through the injected Clock, so a test on a SimulatedClock moves through the
// backoff without sleeping.

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/sync_stream.h"
#include "lib/base/clock.h"
#include "lib/base/mutex.h"
#include "lib/rpc/retry.h"
#include "lib/rpc/status_convert.h"
#include "spdlog/spdlog.h"

namespace skein::rpc {

template <typename Message>
class StreamWatcher {
 public:
  struct Options {
    // Names what is watched in log lines ("unit app/0").
    std::string what;
    // Opens the stream on `ctx` (the call's identity and deadline are the opener's to add).
    std::function<std::unique_ptr<grpc::ClientReaderInterface<Message>>(grpc::ClientContext* ctx)> open;
    // Every message, in order.
    std::function<void(const Message&)> on_message;
    // The stream ended with `status` (OK when the server closed it): true to reopen it after the
    // backoff, false to stop watching (NotFound: what is watched is gone). Unset: always reopen.
    std::function<bool(const absl::Status& status)> on_end;
    BackoffPolicy backoff = kStreamReconnect;
    // The jitter's random numbers in [0, 1) (tests pin them); unset: Backoff's own.
    std::function<double()> random;
  };

  StreamWatcher(Options options, Clock& clock) : options_(std::move(options)), clock_(clock) {}
  ~StreamWatcher() { Stop(); }
  StreamWatcher(const StreamWatcher&) = delete;
  StreamWatcher& operator=(const StreamWatcher&) = delete;

  // Starts the loop (once; later calls do nothing).
  void Start() {
    MutexLock lock(mu_);
    if (started_) return;
    started_ = true;
    thread_ = std::thread([this] { Loop(); });
  }

  // Cancels the open stream, ends a backoff wait, and joins the loop. Idempotent; not from a
  // callback (it would join its own thread).
  void Stop() {
    std::thread thread;
    {
      MutexLock lock(mu_);
      stopping_ = true;
      if (active_ != nullptr) active_->TryCancel();
      thread = std::move(thread_);
      stopped_.NotifyAll();
    }
    if (thread.joinable()) thread.join();
  }

 private:
  void Loop() {
    Backoff backoff(options_.backoff, options_.random);
    bool connection_lost = false;
    while (true) {
      grpc::ClientContext ctx;
      // After the connection was lost, the next stream waits for it to come back instead of
      // failing at once: a waiting call is what drives gRPC's reconnection (its TCP connect and
      // TLS handshake) without delay, where otherwise only the 5 s backup poller would, and a
      // TLS reconnection needs several rounds. Stop() still ends the wait (TryCancel).
      ctx.set_wait_for_ready(connection_lost);
      {
        MutexLock lock(mu_);
        if (stopping_) return;
        active_ = &ctx;
      }
      std::unique_ptr<grpc::ClientReaderInterface<Message>> reader = options_.open(&ctx);
      Message message;
      while (reader->Read(&message)) {
        backoff.Reset();
        options_.on_message(message);
      }
      const absl::Status status = FromGrpc(reader->Finish());
      connection_lost = status.code() == absl::StatusCode::kUnavailable;
      {
        MutexLock lock(mu_);
        active_ = nullptr;
        if (stopping_) return;
      }
      if (options_.on_end && !options_.on_end(status)) return;
      const Clock::Duration delay = backoff.Next();
      spdlog::warn("watching {} failed ({}), reconnecting in {} ms", options_.what, std::string(status.message()),
                   std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
      MutexLock lock(mu_);
      if (clock_.WaitFor(mu_, stopped_, delay, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; })) {
        return;
      }
    }
  }

  const Options options_;
  Clock& clock_;
  Mutex mu_;
  CondVar stopped_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;  // the open stream's, to cancel it
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::rpc
