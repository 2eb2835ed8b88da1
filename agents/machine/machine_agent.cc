#include "agents/machine/machine_agent.h"

#include <random>

#include "spdlog/spdlog.h"

namespace skein::agent {
namespace {

constexpr auto kMinBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(5000);

bool Transient(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kDeadlineExceeded;
}

}  // namespace

MachineAgent::MachineAgent(MachineAgentConfig config, AgentClient* client)
    : config_(std::move(config)), client_(client) {
  supervisor_ = std::make_unique<UnitAgentSupervisor>(
      config_.units,
      [this](const v1::MachineUnit& unit, const std::string& credential) {
        return client_->SetUnitCredential(unit, credential);
      },
      [this] { Wake(); });
}

MachineAgent::~MachineAgent() {
  Stop();
  if (watch_thread_.joinable()) watch_thread_.join();
  supervisor_.reset();
}

void MachineAgent::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
  }
  cv_.notify_all();
}

void MachineAgent::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  if (active_ != nullptr) active_->TryCancel();
  cv_.notify_all();
}

void MachineAgent::WatchLoop() {
  std::mt19937_64 rng(std::random_device{}());
  auto backoff = kMinBackoff;
  v1::WatchMachineRequest request;
  request.set_machine_id(config_.machine_id);
  while (true) {
    grpc::ClientContext ctx;
    client_->Prepare(&ctx, std::chrono::milliseconds(0));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      active_ = &ctx;
    }
    auto reader = client_->stub().WatchMachine(&ctx, request);
    v1::MachineSnapshot snapshot;
    while (reader->Read(&snapshot)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        latest_ = std::make_shared<const v1::MachineSnapshot>(snapshot);
        ++generation_;
      }
      cv_.notify_all();
      backoff = kMinBackoff;
    }
    grpc::Status status = reader->Finish();
    std::unique_lock<std::mutex> lock(mu_);
    active_ = nullptr;
    if (stopping_) return;
    spdlog::warn("watching machine {} failed ({}), reconnecting", config_.machine_id, status.error_message());
    std::uniform_int_distribution<int64_t> dist(backoff.count() / 2, backoff.count());
    cv_.wait_for(lock, std::chrono::milliseconds(dist(rng)), [&] { return stopping_; });
    if (stopping_) return;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

absl::Status MachineAgent::Run() {
  // Log in first: a wrong credential is fatal, an absent controller is waited for.
  auto backoff = kMinBackoff;
  while (true) {
    auto login = client_->Login();
    if (login.ok()) break;
    if (!Transient(login.status())) return login.status();
    spdlog::warn("cannot reach the controller ({}), retrying", std::string(login.status().message()));
    std::unique_lock<std::mutex> lock(mu_);
    if (cv_.wait_for(lock, backoff, [&] { return stopping_; })) return absl::OkStatus();
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  supervisor_->StopLeftovers();
  watch_thread_ = std::thread([this] { WatchLoop(); });

  bool ready = false;
  auto next_restart = Clock::TimePoint::max();
  uint64_t seen = 0;
  while (true) {
    std::shared_ptr<const v1::MachineSnapshot> snapshot;
    {
      std::unique_lock<std::mutex> lock(mu_);
      auto woken = [&] { return stopping_ || generation_ != seen; };
      // No deadline means none: time_point::max() is not passed on, as it may overflow.
      if (next_restart == Clock::TimePoint::max()) {
        cv_.wait(lock, woken);
      } else {
        cv_.wait_until(lock, next_restart, woken);
      }
      if (stopping_) break;
      seen = generation_;
      snapshot = latest_;
    }
    if (snapshot == nullptr) {
      next_restart = Clock::TimePoint::max();
      continue;
    }
    std::vector<v1::MachineUnit> units(snapshot->units().begin(), snapshot->units().end());
    next_restart = supervisor_->Reconcile(units);
    if (!ready) {
      ready = true;
      spdlog::info("machine {}: first snapshot handled ({} units)", config_.machine_id, units.size());
      if (config_.on_ready) config_.on_ready();
    }
  }
  if (watch_thread_.joinable()) watch_thread_.join();
  supervisor_->StopAll();
  spdlog::info("machine agent stopped");
  return absl::OkStatus();
}

}  // namespace skein::agent
