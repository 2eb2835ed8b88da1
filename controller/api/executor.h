#pragma once

// The controller's own executor (DESIGN §4): database work runs here, never on gRPC's
// callback threads, so reactions never block.

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "lib/base/mutex.h"

namespace skein::controller::api {

class Executor {
 public:
  explicit Executor(int threads);
  ~Executor();  // Shutdown()

  // Queues `task`. After Shutdown() the task runs on the caller's thread, so that a call that
  // arrives late still finishes.
  void Post(std::function<void()> task);

  // Runs what is queued, then joins the threads. Of concurrent calls, the first joins and the
  // others return at once.
  void Shutdown();

 private:
  void Loop();

  Mutex mu_;
  CondVar cv_;  // signalled when a task is queued and on Shutdown
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skein::controller::api
