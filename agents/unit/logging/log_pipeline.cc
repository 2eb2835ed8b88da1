#include "agents/unit/logging/log_pipeline.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/base/time.h"
#include "spdlog/sinks/base_sink.h"

namespace skein::agent {
namespace {

constexpr size_t kBatchSize = 500;
constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

// Forwards spdlog lines to a pipeline. Holds it weakly: the pipeline may stop before the
// logger is destroyed.
class PipelineSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit PipelineSink(std::weak_ptr<LogPipeline> pipeline) : pipeline_(std::move(pipeline)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (auto p = pipeline_.lock()) {
      p->Push(JujuLevel(msg.level), std::string(msg.logger_name.data(), msg.logger_name.size()),
              std::string(msg.payload.data(), msg.payload.size()));
    }
  }
  void flush_() override {}

 private:
  std::weak_ptr<LogPipeline> pipeline_;
};

}  // namespace

std::string CapLogLine(const std::string& message) {
  if (message.size() <= limits::kLogLine.bytes) return message;
  // Room for the note, and never in the middle of a UTF-8 sequence.
  size_t keep = limits::kLogLine.bytes - 128;
  while (keep > 0 && (static_cast<unsigned char>(message[keep]) & 0xC0) == 0x80) --keep;
  return absl::StrCat(message.substr(0, keep), " [", message.size() - keep, " more bytes cut: the ",
                      limits::HumanBytes(limits::kLogLine.bytes), " limit of ", limits::kLogLine.what, "]");
}

std::string JujuLevel(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "TRACE";
    case spdlog::level::debug:
      return "DEBUG";
    case spdlog::level::info:
      return "INFO";
    case spdlog::level::warn:
      return "WARNING";
    case spdlog::level::err:
      return "ERROR";
    case spdlog::level::critical:
      return "CRITICAL";
    default:
      return "INFO";
  }
}

LogPipeline::LogPipeline(std::string entity, Sender send, Clock& clock, size_t capacity)
    : entity_(std::move(entity)), send_(std::move(send)), clock_(clock), capacity_(std::max<size_t>(capacity, 1)) {}

LogPipeline::~LogPipeline() { Stop(std::chrono::milliseconds(0)); }

void LogPipeline::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void LogPipeline::Push(const std::string& level, const std::string& module, const std::string& message) {
  v1::LogEntry entry;
  entry.set_entity(entity_);
  entry.set_timestamp(FormatRfc3339Micros(clock_.WallNow()));
  entry.set_level(level);
  entry.set_module(module);
  entry.set_message(CapLogLine(message));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= capacity_) {
      done_seq_ = std::max(done_seq_, static_cast<uint64_t>(queue_.front().seq()));
      queue_.pop_front();
      ++dropped_;
    }
    // A local sequence number tells the sender which lines of its batch are still queued.
    entry.set_seq(static_cast<int64_t>(++queued_seq_));
    queue_.push_back(std::move(entry));
  }
  cv_.notify_all();
}

bool LogPipeline::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_seq_;
  cv_.notify_all();
  cv_.wait_for(lock, timeout, [&] { return done_seq_ >= target || !thread_.joinable(); });
  return done_seq_ >= target;
}

void LogPipeline::Stop(std::chrono::milliseconds timeout) {
  if (timeout.count() > 0) Flush(timeout);
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

uint64_t LogPipeline::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

void LogPipeline::AttachToLogger(spdlog::logger& logger) {
  logger.sinks().push_back(std::make_shared<PipelineSink>(weak_from_this()));
}

void LogPipeline::Loop() {
  auto backoff = kMinBackoff;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    // At most kBatchSize lines and about limits::kLogBatchBytes, so a batch always fits the
    // controller's largest request.
    size_t n = 0;
    size_t bytes = 0;
    while (n < queue_.size() && n < kBatchSize && (n == 0 || bytes < limits::kLogBatchBytes)) {
      bytes += queue_[n].message().size();
      ++n;
    }
    std::vector<v1::LogEntry> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    absl::Status sent = send_(batch);
    lock.lock();
    if (!sent.ok() && (absl::IsInvalidArgument(sent) || absl::IsResourceExhausted(sent))) {
      // Refused for what it holds, not because the controller is away: sending it again would
      // block every later line, so it is dropped and counted (not logged: this thread holds the
      // lock a log line would take).
      dropped_ += batch.size();
      sent = absl::OkStatus();
    }
    if (sent.ok()) {
      // Lines dropped while sending were the oldest, so some of the batch may be gone already.
      uint64_t last = static_cast<uint64_t>(batch.back().seq());
      while (!queue_.empty() && static_cast<uint64_t>(queue_.front().seq()) <= last) queue_.pop_front();
      done_seq_ = std::max(done_seq_, last);
      backoff = kMinBackoff;
      cv_.notify_all();
      continue;
    }
    // The controller is away: keep the lines and try again later (or when stopping).
    cv_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace skein::agent
