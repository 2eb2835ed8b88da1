#include "controller/domain/lease/lease_manager.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "spdlog/spdlog.h"

namespace skein::controller::domain::lease {
namespace {

using TimePoint = Clock::TimePoint;

std::chrono::milliseconds Until(TimePoint later, TimePoint now) {
  if (later <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(later - now);
}

}  // namespace

LeaseManager::LeaseManager(Db* db, std::chrono::milliseconds duration, Clock& clock)
    : db_(db), duration_(duration), clock_(clock) {}

LeaseManager::~LeaseManager() { Stop(); }

void LeaseManager::Start() {
  if (timer_.joinable()) return;
  {
    MutexLock lock(mu_);
    stopping_ = false;
  }
  timer_ = std::thread([this] { TimerLoop(); });
}

void LeaseManager::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    cv_.NotifyAll();
  }
  if (timer_.joinable()) timer_.join();
}

absl::StatusOr<ClaimResult> LeaseManager::Claim(int64_t unit_id) {
  MutexLock lock(mu_);
  UnitRow unit;
  std::string leader;
  absl::Status s = db_->Read([&](Tx& tx) -> absl::Status {
    auto u = FindUnitById(tx, unit_id);
    if (!u.ok()) return u.status();
    unit = *u;
    auto app = FindAppById(tx, u->application_id);
    if (!app.ok()) return app.status();
    leader = app->leader_unit;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (leader.empty() && unit.life == Life::kAlive) {
    // Nobody leads (e.g. every unit was dying): the first alive claimant takes it.
    s = db_->Write("claim-leadership", [&](Tx& tx) -> absl::Status {
      auto app = FindAppById(tx, unit.application_id);
      if (!app.ok()) return app.status();
      if (!app->leader_unit.empty()) {
        leader = app->leader_unit;
        return absl::OkStatus();
      }
      sql::Exec(tx.db(), "UPDATE applications SET leader_unit = ? WHERE id = ?", unit.name, app->id);
      tx.Touch(AppKey(app->id));
      tx.Record(app->model_id, "application", app->name, absl::StrCat("leader ", unit.name));
      leader = unit.name;
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }

  const TimePoint now = clock_.Now();
  AppLease& lease = leases_[unit.application_id];
  lease.last_claim[unit.name] = now;
  if (lease.holder != leader) {
    // A new lease entry (first claim since the controller started) or a leader the domain
    // chose (the old one was removed): the leader gets a full lease from now.
    lease.holder = leader;
    lease.expiry = now + duration_;
  }
  ClaimResult result;
  result.duration = duration_;
  result.leader = leader;
  if (!leader.empty() && leader == unit.name) {
    lease.expiry = now + duration_;
    result.held = true;
  }
  result.remaining = Until(lease.expiry, now);
  ++claims_;
  cv_.NotifyAll();
  return result;
}

absl::Status LeaseManager::ExpireOne(int64_t app_id, AppLease& lease, TimePoint now) {
  std::string elected;
  absl::Status s = db_->Write("lease-expired", [&](Tx& tx) -> absl::Status {
    auto app = FindAppById(tx, app_id);
    if (!app.ok()) return app.status();
    std::vector<UnitRow> units = UnitsOfApp(tx, app_id);  // by number
    if (app->leader_unit != lease.holder) {
      // The domain already moved leadership (unit removal): nothing expired.
      elected = app->leader_unit;
      return absl::OkStatus();
    }
    const UnitRow* claiming = nullptr;
    const UnitRow* alive = nullptr;
    for (const UnitRow& u : units) {
      if (u.life != Life::kAlive || u.name == lease.holder) continue;
      if (alive == nullptr) alive = &u;
      auto seen = lease.last_claim.find(u.name);
      if (claiming == nullptr && seen != lease.last_claim.end() && now - seen->second <= duration_) claiming = &u;
    }
    const UnitRow* next = claiming != nullptr ? claiming : alive;
    if (next == nullptr) {
      // No other alive unit: the old holder stays leader (nobody could take over).
      elected = lease.holder;
      return absl::OkStatus();
    }
    sql::Exec(tx.db(),
              "UPDATE applications SET leader_unit = ?, leadership_changes = leadership_changes + 1 WHERE id = ?",
              next->name, app_id);
    tx.Touch(AppKey(app_id));
    tx.Record(app->model_id, "application", app->name, absl::StrCat("leader ", next->name));
    elected = next->name;
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (elected != lease.holder) {
    spdlog::info("leadership lease of {} expired; {} is leader", lease.holder.empty() ? "(none)" : lease.holder,
                 elected.empty() ? "(none)" : elected);
  }
  lease.holder = elected;
  lease.expiry = now + duration_;
  return absl::OkStatus();
}

absl::Status LeaseManager::ExpireDue() {
  MutexLock lock(mu_);
  const TimePoint now = clock_.Now();
  absl::Status result = absl::OkStatus();
  for (auto it = leases_.begin(); it != leases_.end();) {
    if (it->second.expiry > now) {
      ++it;
      continue;
    }
    absl::Status s = ExpireOne(it->first, it->second, now);
    if (absl::IsNotFound(s)) {
      it = leases_.erase(it);  // the application is gone
      continue;
    }
    if (!s.ok() && result.ok()) result = s;
    if (!s.ok()) it->second.expiry = now + duration_ / 10;  // try again soon
    ++it;
  }
  return result;
}

void LeaseManager::TimerLoop() {
  mu_.Lock();
  while (!stopping_) {
    TimePoint next = TimePoint::max();
    for (const auto& [id, lease] : leases_) next = std::min(next, lease.expiry);
    // A claim may move the next expiry (or add the first lease), so it ends the wait; so does Stop().
    const uint64_t claims = claims_;
    auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || claims_ != claims; };
    if (next == TimePoint::max()) {
      while (!woken()) cv_.Wait(mu_);
      continue;
    }
    if (clock_.WaitUntil(mu_, cv_, next, woken)) continue;
    mu_.Unlock();
    if (absl::Status s = ExpireDue(); !s.ok()) {
      spdlog::error("lease expiry: {}", std::string(s.message()));
    }
    mu_.Lock();
  }
  mu_.Unlock();
}

}  // namespace skein::controller::domain::lease
