#pragma once

// Deterministic crash points for the crash-recovery tests (DESIGN §5: local state persists after
// every operation step, so a `kill -9` anywhere resumes correctly). The agent's main() reads
// SKEIN_AGENT_FAULT=<point>[:<hook-or-action-name>] once and hands the parsed Injector to what
// reaches the points; when the named point is reached (for that hook or action, or for any when
// no name is given) the injector records that the fault fired in `<agent-dir>/fault-fired-<point>`
// and kills the agent with SIGKILL. The marker makes each fault fire once per unit, so the
// restarted agent goes on normally.
//
// Points: `during-hook` (the hook process is running: its second hook-tool call),
// `after-hook-before-commit` (the hook exited 0, CommitHook not sent), `after-commit-before-persist`
// (CommitHook acknowledged, local state not saved), `during-action` (the action process is running),
// `during-charm-swap` (a new charm's directory has replaced the old one, the local state still
// names the old charm; named by the new charm's url).

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
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

// A parsed SKEIN_AGENT_FAULT for the agent in `agent_dir`.
struct Spec {
  std::string agent_dir;
  std::optional<Point> point;  // nullopt: no fault
  std::string name;            // empty: any hook or action
};
// `text` is the variable's value (empty: no fault). InvalidArgument for an unknown point.
absl::StatusOr<Spec> ParseSpec(const std::string& agent_dir, const std::string& text);

// Thread-safe: the uniter's thread and the hook-tool server reach points concurrently.
class Injector {
 public:
  // With no point armed (production), nothing ever fires.
  explicit Injector(Spec spec = {}) : spec_(std::move(spec)) {}

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
  const Spec spec_;
  Mutex mu_;
  std::map<std::string, int> tool_calls_ ABSL_GUARDED_BY(mu_);  // by context id
};

}  // namespace skein::agent::fault
