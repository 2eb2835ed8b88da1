#pragma once

// Ships an agent's log lines to the controller (Agent.PushLogs) so that `skein debug-log` shows
// them. Lines are queued in memory (bounded: when full the oldest are dropped and counted) and
// sent in batches by a background thread, so a slow or absent controller never blocks a hook
// for longer than a mutex. Unsent lines are retried with backoff.
//
// AttachToLogger() adds a spdlog sink that feeds the pipeline, so every spdlog line of the
// agent (module = logger name) goes both to the log file and to the controller.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "lib/base/clock.h"
#include "skein/v1/common.pb.h"
#include "spdlog/logger.h"

namespace skein::agent {

class LogPipeline : public std::enable_shared_from_this<LogPipeline> {
 public:
  using Sender = std::function<absl::Status(const std::vector<v1::LogEntry>&)>;

  // `entity` is the caller's tag; `send` is usually AgentClient::PushLogs. Lines are stamped
  // with `clock`'s calendar time; the clock must outlive the pipeline.
  LogPipeline(std::string entity, Sender send, Clock& clock, size_t capacity = 10000);
  ~LogPipeline();

  void Start();
  // Queues one line. `level` is TRACE DEBUG INFO WARNING ERROR CRITICAL.
  void Push(const std::string& level, const std::string& module, const std::string& message);
  // Waits until everything queued so far was sent, or `timeout` passed. True when sent.
  bool Flush(std::chrono::milliseconds timeout);
  // Tries to send what is queued (up to `timeout`), then stops the thread.
  void Stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  uint64_t dropped() const;

  // Adds a sink to `logger` that pushes every line it logs into this pipeline.
  void AttachToLogger(spdlog::logger& logger);

 private:
  void Loop();

  const std::string entity_;
  const Sender send_;
  Clock& clock_;
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<v1::LogEntry> queue_;
  uint64_t queued_seq_ = 0;  // sequence number of the last line queued
  uint64_t done_seq_ = 0;    // every line up to this one was sent or dropped
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// The Juju level name of a spdlog level (`warn` -> `WARNING`).
std::string JujuLevel(spdlog::level::level_enum level);

// `message` if it is within limits::kLogLine, else its start and a note of how much was cut:
// lines of hook output are the agent's to send, and a refused line could never be sent.
std::string CapLogLine(const std::string& message);

}  // namespace skein::agent
