#include "controller/domain/bundle/bundle_service.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "controller/domain/plan/plan_service.h"
#include "lib/base/limits.h"

namespace skein::controller::domain::bundle {

absl::StatusOr<int64_t> BundleService::Apply(const BundleDeploy& deploy) {
  // The whole bundle is one transaction, so its units count against one request's limit.
  int64_t units = 0;
  for (const application::DeployArgs& args : deploy.applications) units += std::max(args.num_units, 0);
  if (absl::Status s = limits::CheckUnitsPerRequest(units); !s.ok()) return s;

  // The bundle as a plan of deploys then relations, applied whole (plan::ApplyWhole) with the
  // charms the caller read.
  plan::PlanRequest request;
  request.model = deploy.model;
  request.deployment = deploy.bundle_name;
  request.bundle_channel = deploy.channel;
  request.bundle_revision = deploy.store_revision;
  request.bundle_yaml = deploy.bundle_yaml;
  std::map<std::string, application::UploadedCharm> charms;
  for (const application::DeployArgs& args : deploy.applications) {
    charms[args.charm.sha256] = args.charm;
    const std::string name = args.application.empty() ? args.charm.metadata.name : args.application;
    plan::DeployChange change{args.application, args.charm.sha256, args.num_units, args.config,
                              args.charm_origin, args.channel,      args.revision};
    request.changes.push_back(plan::Change{absl::StrCat("deploy-", request.changes.size()), {},
                                           absl::StrCat("deploy application \"", name, "\""), change});
  }
  for (const auto& [a, b] : deploy.relations) {
    request.changes.push_back(plan::Change{absl::StrCat("addRelation-", request.changes.size()), {},
                                           absl::StrCat("add relation ", a, " - ", b), plan::AddRelationChange{a, b}});
  }
  auto read_charm = [&charms](const std::string& sha256) -> absl::StatusOr<application::UploadedCharm> {
    auto it = charms.find(sha256);
    if (it == charms.end()) return absl::NotFoundError(absl::StrCat("charm ", sha256, " not found"));
    return it->second;
  };
  auto started = plan::ApplyWhole(*db_, request, read_charm, faults_);
  if (!started.ok()) return started.status();
  return started->deployment_revision;
}

}  // namespace skein::controller::domain::bundle
