#include "agents/sdk/charm.h"

#include "absl/strings/str_cat.h"

namespace skein::sdk {

int StatusSeverity(const std::string& status) {
  static const char* kOrder[] = {"error", "blocked", "maintenance", "waiting", "active", "unknown"};
  for (int i = 0; i < 6; ++i) {
    if (status == kOrder[i]) return i;
  }
  return 6;
}

void StatusCollector::Add(Status status) { statuses_.push_back(std::move(status)); }

const Status& StatusCollector::Winner() const {
  const Status* best = &statuses_.front();
  for (const auto& s : statuses_) {
    if (StatusSeverity(s.status) < StatusSeverity(best->status)) best = &s;
  }
  return *best;
}

void Framework::Observe(EventKind kind, Handler handler) { observers_.push_back({kind, "", "", std::move(handler)}); }

void Framework::Observe(EventKind kind, const std::string& endpoint, Handler handler) {
  observers_.push_back({kind, endpoint, "", std::move(handler)});
}

void Framework::ObserveAll(Handler handler) { observers_.push_back({std::nullopt, "", "", std::move(handler)}); }

void Framework::ObserveAction(const std::string& action, Handler handler) {
  observers_.push_back({EventKind::kAction, "", action, std::move(handler)});
}

void Framework::ObserveCollectUnitStatus(CollectHandler handler) { unit_collectors_.push_back(std::move(handler)); }
void Framework::ObserveCollectAppStatus(CollectHandler handler) { app_collectors_.push_back(std::move(handler)); }

absl::Status Framework::Dispatch(const Event& event, Model& model) {
  bool handled_action = false;
  for (const auto& o : observers_) {
    if (o.kind.has_value() && *o.kind != event.kind) continue;
    if (!o.endpoint.empty() && o.endpoint != event.endpoint) continue;
    if (event.kind == EventKind::kAction && o.kind.has_value()) {
      if (o.action != event.action) continue;
      handled_action = true;
    }
    absl::Status s = o.handler(event);
    if (!s.ok()) return s;
  }
  if (event.kind == EventKind::kAction && !handled_action) {
    // As in ops: a declared action nobody handles completes with no results.
    model.context().Log("WARNING", absl::StrCat("action \"", event.action, "\" has no handler"));
  }
  // ops evaluates collect-status after every hook, actions included.
  StatusCollector unit;
  for (const auto& c : unit_collectors_) c(unit);
  if (!unit.empty()) {
    absl::Status s = model.context().SetStatus(false, unit.Winner());
    if (!s.ok()) return s;
  }
  if (!app_collectors_.empty() && model.IsLeader()) {
    StatusCollector app;
    for (const auto& c : app_collectors_) c(app);
    if (!app.empty()) {
      absl::Status s = model.context().SetStatus(true, app.Winner());
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace skein::sdk
