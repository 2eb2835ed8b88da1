#include "agents/unit/remote_state/watcher.h"

#include <algorithm>
#include <random>

#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

}  // namespace

RemoteStateWatcher::RemoteStateWatcher(AgentClient* client, std::string unit, std::function<void()> on_change)
    : client_(client), unit_(std::move(unit)), on_change_(std::move(on_change)) {}

RemoteStateWatcher::~RemoteStateWatcher() { Stop(); }

void RemoteStateWatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void RemoteStateWatcher::Stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
}

std::shared_ptr<const v1::UnitSnapshot> RemoteStateWatcher::Latest() const {
  std::lock_guard<std::mutex> lock(mu_);
  return latest_;
}

bool RemoteStateWatcher::UnitGone() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gone_;
}

void RemoteStateWatcher::Loop() {
  std::mt19937_64 rng(std::random_device{}());
  auto backoff = kMinBackoff;
  v1::WatchUnitRequest request;
  request.set_unit(unit_);
  while (true) {
    grpc::ClientContext ctx;
    client_->Prepare(&ctx, std::chrono::milliseconds(0));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      active_ = &ctx;
    }
    auto reader = client_->stub().WatchUnit(&ctx, request);
    v1::UnitSnapshot snapshot;
    while (reader->Read(&snapshot)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        latest_ = std::make_shared<const v1::UnitSnapshot>(snapshot);
      }
      backoff = kMinBackoff;
      on_change_();
    }
    grpc::Status status = reader->Finish();
    std::unique_lock<std::mutex> lock(mu_);
    active_ = nullptr;
    if (stopping_) return;
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      gone_ = true;
      lock.unlock();
      spdlog::info("unit {} no longer exists: {}", unit_, status.error_message());
      on_change_();
      return;
    }
    spdlog::warn("watching unit {} failed ({}), reconnecting", unit_, status.error_message());
    // Full jitter over the upper half of the window keeps many agents from reconnecting in
    // lockstep after a controller restart.
    std::uniform_int_distribution<int64_t> dist(backoff.count() / 2, backoff.count());
    cv_.wait_for(lock, std::chrono::milliseconds(dist(rng)), [&] { return stopping_; });
    if (stopping_) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace skein::agent
