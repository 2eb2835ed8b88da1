#include "agents/unit/remote_state/watcher.h"

#include "spdlog/spdlog.h"

namespace skein::agent {

RemoteStateWatcher::RemoteStateWatcher(AgentClient* client, std::string unit, std::function<void()> on_change,
                                       Clock& clock)
    : unit_(std::move(unit)), on_change_(std::move(on_change)), stream_(StreamOptions(client), clock) {}

rpc::StreamWatcher<v1::UnitSnapshot>::Options RemoteStateWatcher::StreamOptions(AgentClient* client) {
  rpc::StreamWatcher<v1::UnitSnapshot>::Options options;
  options.what = "unit " + unit_;
  options.open = [client, unit = unit_](grpc::ClientContext* ctx) {
    client->Prepare(ctx, std::chrono::milliseconds(0));
    v1::WatchUnitRequest request;
    request.set_unit(unit);
    return client->stub().WatchUnit(ctx, request);
  };
  options.on_message = [this](const v1::UnitSnapshot& snapshot) {
    {
      MutexLock lock(mu_);
      latest_ = std::make_shared<const v1::UnitSnapshot>(snapshot);
    }
    on_change_();
  };
  // NotFound: the unit was removed, and watching it again would only be refused again.
  options.on_end = [this](const absl::Status& status) {
    if (!absl::IsNotFound(status)) return true;
    spdlog::info("unit {} no longer exists: {}", unit_, std::string(status.message()));
    {
      MutexLock lock(mu_);
      gone_ = true;
    }
    on_change_();
    return false;
  };
  return options;
}

RemoteStateWatcher::~RemoteStateWatcher() { Stop(); }

void RemoteStateWatcher::Start() { stream_.Start(); }

void RemoteStateWatcher::Stop() { stream_.Stop(); }

std::shared_ptr<const v1::UnitSnapshot> RemoteStateWatcher::Latest() const {
  MutexLock lock(mu_);
  return latest_;
}

bool RemoteStateWatcher::UnitGone() const {
  MutexLock lock(mu_);
  return gone_;
}

}  // namespace skein::agent
