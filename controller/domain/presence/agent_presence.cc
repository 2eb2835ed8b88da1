#include "controller/domain/presence/agent_presence.h"

#include <algorithm>

namespace skein::controller::domain::presence {

std::string PresenceKey() { return "presence"; }

AgentPresence::AgentPresence(Clock& clock, Clock::Duration grace, ChangeListener* listener)
    : clock_(clock), grace_(grace), listener_(listener), started_(clock.Now()), started_wall_(clock.WallNow()) {}

AgentPresence::~AgentPresence() { Stop(); }

void AgentPresence::Start() {
  if (timer_.joinable()) return;
  {
    MutexLock lock(mu_);
    stopping_ = false;
  }
  timer_ = std::thread([this] { TimerLoop(); });
}

void AgentPresence::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.NotifyAll();
  }
  if (timer_.joinable()) timer_.join();
}

void AgentPresence::StreamOpened(const std::string& agent) {
  bool was_lost;
  {
    MutexLock lock(mu_);
    was_lost = OfLocked(agent) == Liveness::kLost;
    Entry& entry = agents_[agent];
    ++entry.streams;
    entry.sent = entry.acknowledged = 0;
  }
  if (was_lost) Publish();  // it is back
}

bool AgentPresence::StreamClosed(const std::string& agent) {
  {
    MutexLock lock(mu_);
    auto it = agents_.find(agent);
    if (it == agents_.end() || it->second.streams == 0) return false;
    if (--it->second.streams > 0) return false;
    it->second.gone = clock_.Now();
    it->second.gone_wall = clock_.WallNow();
    it->second.announced_lost = false;
    ++changes_;
    cv_.NotifyAll();
  }
  return true;
}

void AgentPresence::Seen(const std::string& agent) {
  bool was_lost;
  {
    MutexLock lock(mu_);
    was_lost = OfLocked(agent) == Liveness::kLost;
    Entry& entry = agents_[agent];
    if (entry.streams > 0) return;
    entry.gone = clock_.Now();
    entry.gone_wall = clock_.WallNow();
    entry.announced_lost = false;
    ++changes_;
    cv_.NotifyAll();
  }
  if (was_lost) Publish();  // it is back, for the grace at least
}

Liveness AgentPresence::Of(const std::string& agent) const {
  MutexLock lock(mu_);
  return OfLocked(agent);
}

Clock::WallTime AgentPresence::AbsentSince(const std::string& agent) const {
  MutexLock lock(mu_);
  auto it = agents_.find(agent);
  return it == agents_.end() ? started_wall_ : it->second.gone_wall;
}

Liveness AgentPresence::OfLocked(const std::string& agent) const {
  auto it = agents_.find(agent);
  if (it != agents_.end() && it->second.streams > 0) return Liveness::kConnected;
  const Clock::TimePoint gone = it == agents_.end() ? started_ : it->second.gone;
  return clock_.Now() - gone >= grace_ ? Liveness::kLost : Liveness::kAbsent;
}

void AgentPresence::SnapshotBuilt(const std::string& agent, uint64_t hub_seq, const std::set<std::string>& keys,
                                  std::optional<int64_t> sent_version) {
  bool settled_now;
  {
    MutexLock lock(mu_);
    Entry& entry = agents_[agent];
    const bool was_pending = ChangePendingLocked(entry);
    entry.built_seq = std::max(entry.built_seq, hub_seq);
    entry.keys = keys;
    if (sent_version) entry.sent = *sent_version;
    settled_now = was_pending && !ChangePendingLocked(entry);
  }
  // Status and plan waits hear it; a snapshot sent is heard when the agent acknowledges it.
  if (settled_now) Publish();
}

void AgentPresence::SnapshotAcknowledged(const std::string& agent, int64_t version) {
  bool settled_now;
  {
    MutexLock lock(mu_);
    auto it = agents_.find(agent);
    if (it == agents_.end() || it->second.streams == 0) return;
    const bool was_pending = ChangePendingLocked(it->second);
    it->second.acknowledged = std::max(it->second.acknowledged, version);
    settled_now = was_pending && !ChangePendingLocked(it->second);
  }
  if (settled_now) Publish();
}

bool AgentPresence::ChangePending(const std::string& agent) const {
  MutexLock lock(mu_);
  auto it = agents_.find(agent);
  return it != agents_.end() && ChangePendingLocked(it->second);
}

bool AgentPresence::ChangePendingLocked(const Entry& entry) const {
  if (entry.streams == 0) return false;
  if (entry.sent > entry.acknowledged) return true;
  return listener_ != nullptr && !entry.keys.empty() && listener_->NewestPublished(entry.keys) > entry.built_seq;
}

void AgentPresence::Publish() {
  if (listener_ != nullptr) listener_->OnCommitted({PresenceKey()});
}

void AgentPresence::TimerLoop() {
  mu_.Lock();
  while (!stopping_) {
    // The next moment someone turns lost: the start's grace (agents not seen since) or the end
    // of a grace after a stream ended.
    Clock::TimePoint next = Clock::TimePoint::max();
    if (!started_announced_) next = started_ + grace_;
    for (const auto& [agent, entry] : agents_) {
      if (entry.streams == 0 && !entry.announced_lost) next = std::min(next, entry.gone + grace_);
    }
    const uint64_t changes = changes_;
    auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || changes_ != changes; };
    if (next == Clock::TimePoint::max()) {
      while (!woken()) cv_.Wait(mu_);
      continue;
    }
    if (clock_.WaitUntil(mu_, cv_, next, woken)) continue;
    const Clock::TimePoint now = clock_.Now();
    if (now >= started_ + grace_) started_announced_ = true;
    for (auto& [agent, entry] : agents_) {
      if (entry.streams == 0 && !entry.announced_lost && now >= entry.gone + grace_) entry.announced_lost = true;
    }
    mu_.Unlock();
    Publish();
    mu_.Lock();
  }
  mu_.Unlock();
}

void AgentStream::Open(const std::string& agent) {
  MutexLock lock(mu_);
  if (done_ || !agent_.empty()) return;
  agent_ = agent;
  presence_->StreamOpened(agent_);
}

bool AgentStream::Close() {
  MutexLock lock(mu_);
  done_ = true;
  return !agent_.empty() && presence_->StreamClosed(agent_);
}

}  // namespace skein::controller::domain::presence
