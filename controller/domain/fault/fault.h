#pragma once

// The controller's kill points for the crash-recovery tests (lib/base/fault.h: parsing, the
// marker and the SIGKILL are shared with the unit agent's). The controller's main() reads
// SKEIN_CONTROLLER_FAULT=<point>[:<name>] once and hands the parsed Injector to the services
// that reach the points; the marker lives in the controller's data directory, so each fault
// fires once and the restarted controller goes on.
//
// Points:
//   `during-bundle-deploy` (named by the deployment, i.e. the bundle's name): a plan applied whole
//     in one transaction (a bundle's install) has applied its first change; the transaction is
//     not committed.
//   `before-hook-commit` (named by the unit, `app/0`): a CommitHook that applies has written its
//     changes in its transaction; the transaction is not committed.
//   `after-hook-commit` (named by the unit): the CommitHook's transaction is committed; the
//     reply is not sent.
//   `between-plan-changes` (named by the id of the change just done, `upgradeCharm-0`,
//     `wait-1`): a plan applied change by change (an upgrade) has committed a change, or recorded
//     a wait done; the next change (or the job's end) has not started.

#include "absl/status/statusor.h"
#include "lib/base/fault.h"

namespace skein::controller::domain::fault {

inline constexpr char kEnvVar[] = "SKEIN_CONTROLLER_FAULT";

enum class Point {
  kDuringBundleDeploy,
  kBeforeHookCommit,
  kAfterHookCommit,
  kBetweenPlanChanges,
};
// `during-bundle-deploy`, ...: the spelling in SKEIN_CONTROLLER_FAULT and the marker.
const char* PointName(Point point);

using Spec = skein::fault::Spec<Point>;
// `text` is the variable's value (empty: no fault) for the controller whose data directory is
// `controller_dir`. InvalidArgument `SKEIN_CONTROLLER_FAULT: unknown fault point "x"`.
absl::StatusOr<Spec> ParseSpec(const std::string& controller_dir, const std::string& text);

// Thread-safe (it reads only its spec and the marker): the executor's threads and the plan
// runners reach points concurrently. With no point armed (production), nothing ever fires. Small
// and copyable: each service that reaches a point holds its own copy.
class Injector {
 public:
  explicit Injector(Spec spec = {}) : armed_(std::move(spec), "controller") {}

  bool Armed(Point point, const std::string& name) const { return armed_.Armed(point, name); }
  // Fires the fault (marker file, then SIGKILL: never returns) when Armed(point, name).
  void Reached(Point point, const std::string& name) const { armed_.Reached(point, name); }

 private:
  skein::fault::OneShot<Point> armed_;
};

}  // namespace skein::controller::domain::fault
