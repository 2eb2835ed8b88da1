#include "controller/domain/bundle/bundle_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "controller/domain/relation/relation_service.h"
#include "lib/base/limits.h"
#include "lib/base/time.h"

namespace skein::controller::domain::bundle {
namespace {

absl::Status Step(const absl::Status& s, const std::string& step) {
  return absl::Status(s.code(), absl::StrCat(step, ": ", s.message()));
}

}  // namespace

absl::StatusOr<int64_t> BundleService::Apply(const BundleDeploy& deploy) {
  // The whole bundle is one transaction, so its units count against one request's limit.
  int64_t units = 0;
  for (const application::DeployArgs& args : deploy.applications) units += std::max(args.num_units, 0);
  if (absl::Status s = limits::CheckUnitsPerRequest(units); !s.ok()) return s;
  int64_t revision = 0;
  absl::Status s = db_->Write("deploy-bundle", [&](Tx& tx) -> absl::Status {
    auto model = FindModel(tx, deploy.model);
    if (!model.ok()) return model.status();
    for (application::DeployArgs args : deploy.applications) {
      args.model = deploy.model;
      // The deployment owns what it creates: `--prune` and rollbacks remove only these, and a
      // later revision may change only the options set here.
      args.deployment = deploy.bundle_name;
      auto deployed = application::DeployInTx(tx, args);
      if (!deployed.ok()) return Step(deployed.status(), absl::StrCat("deploy application \"", args.application, "\""));
    }
    for (const auto& [a, b] : deploy.relations) {
      auto related = relation::IntegrateInTx(tx, deploy.model, {a, b});
      if (!related.ok()) return Step(related.status(), absl::StrCat("add relation ", a, " - ", b));
    }
    revision = sql::QueryInt(tx.db(), 0, "SELECT MAX(revision) FROM bundle_deployments WHERE model_id = ? AND bundle = ?",
                             model->id, deploy.bundle_name) + 1;
    sql::Exec(tx.db(),
              "INSERT INTO bundle_deployments (model_id, bundle, revision, channel, store_revision, bundle_yaml, "
              "deployed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              model->id, deploy.bundle_name, revision, deploy.channel, deploy.store_revision, deploy.bundle_yaml,
              FormatRfc3339(tx.clock().WallNow()));
    tx.Record(model->id, "bundle", deploy.bundle_name, absl::StrCat("deploy revision ", revision));
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return revision;
}

}  // namespace skein::controller::domain::bundle
