#include "controller/domain/plan/wait.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/base/duration.h"
#include "nlohmann/json.hpp"

namespace skein::controller::domain::plan {
namespace {

// The hook a unit in error failed: the agent records it in its status data (`{"hook": "x"}`).
std::string FailedHook(const std::string& data_json, const std::string& message) {
  nlohmann::json data = nlohmann::json::parse(data_json, nullptr, /*allow_exceptions=*/false);
  if (data.is_object() && data.contains("hook") && data["hook"].is_string()) return data["hook"].get<std::string>();
  return message;
}

}  // namespace

SettleState CheckSettled(Tx& tx, const std::string& model, const std::vector<std::string>& applications,
                         const presence::AgentPresence* presence) {
  SettleState state;
  // An agent turning lost or coming back changes the answer without a commit.
  if (presence != nullptr) state.keys.insert(presence::PresenceKey());
  auto m = FindModel(tx, model);
  if (!m.ok()) {
    state.outcome = SettleOutcome::kFailed;
    state.message = std::string(m.status().message());
    return state;
  }
  state.keys.insert(ModelKey(m->id));
  std::vector<std::string> waiting;
  for (const std::string& name : applications) {
    auto app = FindApp(tx, m->id, name);
    if (!app.ok()) {
      state.outcome = SettleOutcome::kFailed;
      state.message = std::string(app.status().message());
      return state;
    }
    state.keys.insert(AppKey(app->id));
    SQLite::Statement q = sql::Prepare(tx.db(),
                                       "SELECT id, name, charm_url, agent_status, agent_message, agent_data, "
                                       "workload_status FROM units WHERE application_id = ? AND life = 0 ORDER BY number",
                                       app->id);
    while (q.executeStep()) {
      state.keys.insert(UnitKey(q.getColumn(0).getInt64()));
      const std::string unit = q.getColumn(1).getString();
      const std::string charm_url = q.getColumn(2).getString();
      const std::string agent = q.getColumn(3).getString();
      if (agent == "error") {
        state.outcome = SettleOutcome::kFailed;
        state.message = absl::StrCat("unit \"", unit, "\" failed hook \"",
                                     FailedHook(q.getColumn(5).getString(), q.getColumn(4).getString()),
                                     "\": fix the charm, run skein resolved ", unit,
                                     ", then re-run the same command to continue");
        return state;
      }
      const bool lost = presence != nullptr && presence->Of(UnitKey(q.getColumn(0).getInt64())) ==
                                                   presence::Liveness::kLost;
      if (lost) {
        waiting.push_back(absl::StrCat(unit, " agent lost"));
      } else if (charm_url != app->charm_url) {
        waiting.push_back(absl::StrCat(unit, " runs ", charm_url.empty() ? "no charm yet" : charm_url, ", not ",
                                       app->charm_url));
      } else if (agent != "idle") {
        waiting.push_back(absl::StrCat(unit, " agent ", agent));
      } else if (q.getColumn(6).getString() == "error") {
        waiting.push_back(absl::StrCat(unit, " workload error"));
      } else if (presence != nullptr && presence->ChangePending(UnitKey(q.getColumn(0).getInt64()))) {
        // Idle on what it saw last: a change has not reached it, or its agent is not in contact.
        waiting.push_back(absl::StrCat(unit, " has a change not seen yet"));
      }
    }
  }
  if (waiting.empty()) {
    state.outcome = SettleOutcome::kSettled;
  } else {
    // The first few units and a count, as `wait-for` summarises: the message is printed again
    // whenever it changes, and a whole release's list is kilobytes long.
    constexpr size_t kShown = 3;
    const size_t shown = std::min(waiting.size(), kShown);
    state.message = absl::StrJoin(waiting.begin(), waiting.begin() + shown, "; ");
    if (waiting.size() > shown) absl::StrAppend(&state.message, "; and ", waiting.size() - shown, " more units");
  }
  return state;
}

void WaitSignal::Wake() {
  MutexLock lock(mu_);
  woken_ = true;
  cv_.NotifyAll();
}

void WaitSignal::Close() {
  MutexLock lock(mu_);
  closed_ = true;
  cv_.NotifyAll();
}

WaitSignal::Outcome WaitSignal::Await(Clock::TimePoint deadline) {
  MutexLock lock(mu_);
  const bool signalled = clock_.WaitUntil(mu_, cv_, deadline, [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return woken_ || closed_;
  });
  if (closed_) return Outcome::kClosed;
  if (!signalled) return Outcome::kDeadline;
  woken_ = false;
  return Outcome::kWoken;
}

absl::Status WaitForSettled(Db& db, watch::Hub& hub, WaitSignal& signal, const std::string& model,
                            const WaitChange& wait, const std::function<void(const std::string&)>& on_waiting,
                            const presence::AgentPresence* presence) {
  const Clock::Duration timeout = wait.timeout.count() > 0 ? Clock::Duration(wait.timeout) : kDefaultWaitTimeout;
  const Clock::TimePoint deadline = db.clock().Now() + timeout;
  std::string last_message;
  for (;;) {
    // Race-free subscription (hub.h): a commit between the check and SetKeys is seen by its seq.
    const uint64_t start = hub.Seq();
    SettleState state;
    absl::Status read = db.Read([&](Tx& tx) -> absl::Status {
      state = CheckSettled(tx, model, wait.applications, presence);
      return absl::OkStatus();
    });
    if (!read.ok()) return read;
    if (state.outcome == SettleOutcome::kSettled) return absl::OkStatus();
    if (state.outcome == SettleOutcome::kFailed) return absl::FailedPreconditionError(state.message);
    if (state.message != last_message) {
      last_message = state.message;
      on_waiting(state.message);
    }
    if (hub.SetKeys(&signal, state.keys) > start) continue;
    switch (signal.Await(deadline)) {
      case WaitSignal::Outcome::kWoken:
        break;
      case WaitSignal::Outcome::kClosed:
        return absl::AbortedError("the controller is stopping; the job continues when it starts again");
      case WaitSignal::Outcome::kDeadline:
        return absl::DeadlineExceededError(absl::StrCat("timed out after ", FormatDuration(timeout),
                                                        " waiting for ", absl::StrJoin(wait.applications, ", "),
                                                        ": ", state.message));
    }
  }
}

}  // namespace skein::controller::domain::plan
