#include "agents/machine/machine_agent.h"

#include "lib/rpc/retry.h"
#include "spdlog/spdlog.h"

namespace skein::agent {

MachineAgent::MachineAgent(MachineAgentConfig config, AgentClient* client, Clock& clock)
    : config_(std::move(config)), client_(client), clock_(clock) {
  supervisor_ = std::make_unique<UnitAgentSupervisor>(
      config_.units, clock_,
      [this](const v1::MachineUnit& unit, const std::string& credential) {
        return client_->SetUnitCredential(unit, credential);
      },
      [this] { Wake(); });
  rpc::StreamWatcher<v1::MachineSnapshot>::Options watch;
  watch.what = "machine " + config_.machine_id;
  watch.open = [this](grpc::ClientContext* ctx) {
    client_->Prepare(ctx, std::chrono::milliseconds(0));
    v1::WatchMachineRequest request;
    request.set_machine_id(config_.machine_id);
    return client_->stub().WatchMachine(ctx, request);
  };
  watch.on_message = [this](const v1::MachineSnapshot& snapshot) {
    MutexLock lock(mu_);
    latest_ = std::make_shared<const v1::MachineSnapshot>(snapshot);
    ++generation_;
    cv_.NotifyAll();
  };
  watcher_ = std::make_unique<rpc::StreamWatcher<v1::MachineSnapshot>>(std::move(watch), clock_);
}

MachineAgent::~MachineAgent() {
  Stop();
  watcher_->Stop();
  supervisor_.reset();
}

void MachineAgent::Wake() {
  MutexLock lock(mu_);
  ++generation_;
  cv_.NotifyAll();
}

void MachineAgent::Stop() {
  MutexLock lock(mu_);
  stopping_ = true;
  cv_.NotifyAll();
}

absl::Status MachineAgent::LogIn() {
  // A wrong credential is fatal, an absent controller is waited for.
  rpc::Backoff backoff(rpc::kControllerRetry);
  while (true) {
    auto login = client_->Login();
    if (login.ok()) return absl::OkStatus();
    if (!rpc::IsTransient(login.status())) return login.status();
    spdlog::warn("cannot reach the controller ({}), retrying", std::string(login.status().message()));
    MutexLock lock(mu_);
    if (clock_.WaitFor(mu_, cv_, backoff.Next(), [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; })) {
      return absl::OkStatus();
    }
  }
}

absl::Status MachineAgent::Run() {
  if (absl::Status s = LogIn(); !s.ok()) return s;
  {
    MutexLock lock(mu_);
    if (stopping_) return absl::OkStatus();
  }
  supervisor_->StopLeftovers();
  watcher_->Start();

  constexpr Clock::TimePoint kNever = Clock::TimePoint::max();
  bool ready = false;
  Clock::TimePoint next_restart = kNever;
  uint64_t seen = 0;
  while (true) {
    std::shared_ptr<const v1::MachineSnapshot> snapshot;
    {
      MutexLock lock(mu_);
      auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || generation_ != seen; };
      // No deadline means none: time_point::max() is not passed on, as it may overflow.
      if (next_restart == kNever) {
        while (!woken()) cv_.Wait(mu_);
      } else {
        clock_.WaitUntil(mu_, cv_, next_restart, woken);
      }
      if (stopping_) break;
      seen = generation_;
      snapshot = latest_;
    }
    if (snapshot == nullptr) {
      next_restart = kNever;
      continue;
    }
    std::vector<v1::MachineUnit> units(snapshot->units().begin(), snapshot->units().end());
    next_restart = supervisor_->Reconcile(units);
    supervisor_->RemoveDestroyedStorage(
        {snapshot->storage_destroyed_models().begin(), snapshot->storage_destroyed_models().end()});
    if (!ready) {
      ready = true;
      spdlog::info("machine {}: first snapshot handled ({} units)", config_.machine_id, units.size());
      if (config_.on_ready) config_.on_ready();
    }
  }
  watcher_->Stop();
  supervisor_->StopAll();
  spdlog::info("machine agent stopped");
  return absl::OkStatus();
}

}  // namespace skein::agent
