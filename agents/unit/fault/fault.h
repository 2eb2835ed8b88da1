#pragma once

// Deterministic crash points for the crash-recovery tests (lib/base/fault.h: parsing, the
// once-per-unit marker in the agent's directory and the SIGKILL are shared with the controller's).
// The agent's main() reads SKEIN_AGENT_FAULT=<point>[:<hook-or-action-name>] once and hands the
// parsed Injector to what reaches the points.
//
// Points: `during-hook` (the hook process is running: its second hook-tool call),
// `after-hook-before-commit` (the hook exited 0, CommitHook not sent), `after-commit-before-persist`
// (CommitHook acknowledged, local state not saved), `during-action` (the action process is running),
// `during-charm-swap` (a new charm's directory has replaced the old one, the local state still
// names the old charm; named by the new charm's url).

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "lib/base/fault.h"
#include "lib/base/mutex.h"

namespace skein::agent::fault {

inline constexpr char kEnvVar[] = "SKEIN_AGENT_FAULT";

enum class Point {
  kDuringHook,
  kAfterHookBeforeCommit,
  kAfterCommitBeforePersist,
  kDuringAction,
  kDuringCharmSwap,
};
// `during-hook`, `after-hook-before-commit`, ...: the spelling in SKEIN_AGENT_FAULT and the marker.
const char* PointName(Point point);

// A parsed SKEIN_AGENT_FAULT for the agent whose directory is `dir` (name empty: any hook or action).
using Spec = skein::fault::Spec<Point>;
// `text` is the variable's value (empty: no fault). InvalidArgument for an unknown point.
absl::StatusOr<Spec> ParseSpec(const std::string& agent_dir, const std::string& text);

// Thread-safe: the uniter's thread and the hook-tool server reach points concurrently.
class Injector {
 public:
  // With no point armed (production), nothing ever fires.
  explicit Injector(Spec spec = {}) : armed_(std::move(spec), "agent") {}

  // True when `point` is armed for `name` and has not fired yet for this unit.
  bool Armed(Point point, const std::string& name) const;
  // Fires the fault (marker file, then SIGKILL: never returns) when Armed(point, name).
  void Reached(Point point, const std::string& name) const;
  // A hook tool was called from the context `context_id` of the hook `hook` or, when `action` is
  // not empty, of that action: `during-hook` and `during-action` fire at the second call of the
  // targeted hook or action, when its process is running and has already done something (the
  // test charms log first).
  void ToolCalled(const std::string& context_id, const std::string& hook, const std::string& action);

 private:
  const skein::fault::OneShot<Point> armed_;
  Mutex mu_;
  std::map<std::string, int> tool_calls_ ABSL_GUARDED_BY(mu_);  // by context id
};

}  // namespace skein::agent::fault
