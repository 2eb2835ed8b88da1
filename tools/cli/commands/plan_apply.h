#pragma once

// Applying a plan (issue 13): the one converter from bundles::Plan to the ApplyPlan request, and
// the one applier that streams the job's progress. Bundle deploys and upgrades, `skein refresh`
// and `skein rollback` all go through it. The client uploads the plan's charms first (upload
// changes are the client's and are not sent); every other change becomes a PlanChange with its
// Juju-worded description, and the controller runs them as a durable job.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bundles/plan.h"
#include "skein/v1/controller.pb.h"
#include "tools/cli/commands/common.h"

namespace skein::cli::commands {

// Uploads the charm of one upload change and returns its SHA-256 in the controller's charm store.
using CharmUploader = std::function<absl::StatusOr<std::string>(const bundles::Change&)>;

// The plan's changes as the controller takes them, in plan order. `sha256_by_upload` maps each
// upload change's id to the charm's SHA-256; a deploy or refresh takes the charm of the upload
// change it depends on. InvalidArgument when a deploy or refresh depends on no uploaded charm.
absl::StatusOr<std::vector<skein::v1::PlanChange>> ToPlanChanges(
    const bundles::Plan& plan, const std::map<std::string, std::string>& sha256_by_upload);

// Uploads every charm of the plan's upload changes (in plan order), keyed by change id.
absl::StatusOr<std::map<std::string, std::string>> UploadPlanCharms(const bundles::Plan& plan,
                                                                    const CharmUploader& upload);

// The resolved charms and options of a plan as history keeps them (`resolved_json`):
// {"applications": {app: {"charm", "origin", "channel", "revision"}}}.
std::string ResolvedJson(const bundles::Plan& plan);

// A line of progress for one PlanProgress message, without the newline, or nothing: finished
// changes `- upgradeCharm-3: upgrade kfp-api ... done` / `... failed`, a running wait's message
// `  wait-4: waiting for kfp-api/0 (executing)`, and a resumed job's first message.
std::optional<std::string> ProgressLine(const skein::v1::PlanProgress& progress,
                                        const std::map<std::string, std::string>& descriptions);

// The error of a job that stopped at a failed change: `change upgradeCharm-3 (upgrade kfp-api
// ...) failed: <why>`, then how to continue.
std::string FailedChangeMessage(const std::string& change_id, const std::string& description,
                                const std::string& why, bool deployment);

struct AppliedPlan {
  int64_t job = 0;
  int64_t deployment_revision = 0;
  bool resumed = false;
};

// Sends `request` and prints progress to env.err as the stream brings it. The request's changes'
// descriptions name the changes in progress lines; `known_descriptions` adds those of a stored
// job being resumed. On a failed change: FailedPrecondition with FailedChangeMessage (the CLI
// exits 1); other errors are the controller's.
absl::StatusOr<AppliedPlan> ApplyPlan(Environment& env, Session& session, const skein::v1::ApplyPlanRequest& request,
                                      const std::map<std::string, std::string>& known_descriptions = {});

}  // namespace skein::cli::commands
