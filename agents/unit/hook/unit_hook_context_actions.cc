// The action capabilities of UnitHookContext (hook_context.h): parameters from the task,
// results and failure kept in the context until the RunAction operation finishes the task,
// action-log sent at once.

#include "absl/strings/str_cat.h"
#include "agents/unit/hook/unit_hook_context.h"
#include "lib/base/limits.h"

namespace skein::agent {
namespace {

// Merges `from` into `into`: nested maps merge key by key, anything else replaces.
void Merge(nlohmann::json& into, const nlohmann::json& from) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (it.value().is_object() && into.contains(it.key()) && into[it.key()].is_object()) {
      Merge(into[it.key()], it.value());
    } else {
      into[it.key()] = it.value();
    }
  }
}

}  // namespace

std::string UnitHookContext::ActionName() const { return p_.action ? p_.action->name() : ""; }

absl::StatusOr<nlohmann::json> UnitHookContext::ActionParams() {
  if (!p_.action) return NotRunningAnAction();
  nlohmann::json params = nlohmann::json::parse(p_.action->params_json(), nullptr, false);
  return params.is_object() ? params : nlohmann::json::object();
}

absl::Status UnitHookContext::SetActionResults(const nlohmann::json& results) {
  if (!p_.action) return NotRunningAnAction();
  if (!results.is_object()) return absl::InvalidArgumentError("action results must be a map");
  MutexLock lock(mu_);
  nlohmann::json merged = action_results_;
  Merge(merged, results);
  if (absl::Status s = limits::CheckSize(limits::kActionResults, "the action's results", merged.dump().size());
      !s.ok()) {
    return s;
  }
  action_results_ = std::move(merged);
  return absl::OkStatus();
}

absl::Status UnitHookContext::ActionLog(const std::string& message) {
  if (!p_.action) return NotRunningAnAction();
  if (absl::Status s = limits::CheckSize(limits::kLogLine, "the action log message", message.size()); !s.ok()) {
    return s;
  }
  if (p_.client == nullptr) return absl::OkStatus();
  return CallController([&] { return p_.client->ActionLog(p_.action->task_id(), message); });
}

absl::Status UnitHookContext::ActionFail(const std::string& message) {
  if (!p_.action) return NotRunningAnAction();
  if (absl::Status s = limits::CheckSize(limits::kStatusMessage, "the failure message", message.size()); !s.ok()) {
    return s;
  }
  MutexLock lock(mu_);
  action_failure_ = message;
  return absl::OkStatus();
}

nlohmann::json UnitHookContext::ActionResults() const {
  MutexLock lock(mu_);
  return action_results_;
}

std::optional<std::string> UnitHookContext::ActionFailure() const {
  MutexLock lock(mu_);
  return action_failure_;
}

}  // namespace skein::agent
