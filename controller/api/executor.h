#pragma once

// The controller's own executor (DESIGN §4): database work runs here, never on gRPC's
// callback threads, so reactions never block.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace skein::controller::api {

class Executor {
 public:
  explicit Executor(int threads);
  ~Executor();  // Shutdown()

  // Queues `task`. After Shutdown() the task runs on the caller's thread, so that a call that
  // arrives late still finishes.
  void Post(std::function<void()> task);

  // Runs what is queued, then joins the threads.
  void Shutdown();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace skein::controller::api
