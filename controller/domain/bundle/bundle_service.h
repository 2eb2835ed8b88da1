#pragma once

// Bundle deploys (DESIGN §7): the client computes the plan; the controller applies all of it in
// one transaction, so a failing step leaves the model as it was, and records it as the next
// revision of that bundle's deployment in the model. The plan library applies it
// (plan::ApplyWhole), as it applies every plan.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/core/db.h"
#include "controller/domain/fault/fault.h"

namespace skein::controller::domain::bundle {

struct BundleDeploy {
  std::string model;
  std::vector<application::DeployArgs> applications;
  std::vector<std::pair<std::string, std::string>> relations;  // `app:endpoint` pairs
  std::string bundle_name;
  std::string channel;
  int64_t store_revision = 0;
  std::string bundle_yaml;
};

class BundleService {
 public:
  // `faults`: the kill point `during-bundle-deploy` (fault.h).
  explicit BundleService(Db* db, fault::Injector faults = fault::Injector()) : db_(db), faults_(std::move(faults)) {}

  // Deploys every application, then adds every relation; the deployment revision. Any error of
  // application::DeployInTx or relation::IntegrateInTx, prefixed with the step
  // (`deploy application "x": ...`, `add relation a:x - b:y: ...`); InvalidArgument when the
  // applications' units together exceed kMaxUnitsPerRequest. Nothing is written on error.
  absl::StatusOr<int64_t> Apply(const BundleDeploy& deploy);

 private:
  Db* db_;
  const fault::Injector faults_;
};

}  // namespace skein::controller::domain::bundle
