#include "controller/domain/fault/fault.h"

namespace skein::controller::domain::fault {
namespace {

constexpr Point kPoints[] = {Point::kDuringBundleDeploy, Point::kBeforeHookCommit, Point::kAfterHookCommit,
                             Point::kBetweenPlanChanges};

}  // namespace

const char* PointName(Point point) {
  switch (point) {
    case Point::kDuringBundleDeploy:
      return "during-bundle-deploy";
    case Point::kBeforeHookCommit:
      return "before-hook-commit";
    case Point::kAfterHookCommit:
      return "after-hook-commit";
    case Point::kBetweenPlanChanges:
      return "between-plan-changes";
  }
  return "";
}

absl::StatusOr<Spec> ParseSpec(const std::string& controller_dir, const std::string& text) {
  return skein::fault::ParseSpec(kEnvVar, controller_dir, text, kPoints);
}

}  // namespace skein::controller::domain::fault
