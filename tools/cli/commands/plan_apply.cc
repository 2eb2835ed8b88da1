#include "tools/cli/commands/plan_apply.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace skein::cli::commands {
namespace {

using bundles::ChangeKind;

// The SHA-256 of the charm a deploy or refresh change uses: that of the upload change it depends on.
absl::StatusOr<std::string> CharmSha256Of(const bundles::Plan& plan, const bundles::Change& change,
                                     const std::map<std::string, std::string>& sha256_by_upload) {
  for (const std::string& id : change.depends_on) {
    const bundles::Change* dep = plan.Find(id);
    if (dep == nullptr || dep->kind() != ChangeKind::kUploadCharm) continue;
    auto sha = sha256_by_upload.find(id);
    if (sha != sha256_by_upload.end()) return sha->second;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("change ", change.id, " (", bundles::DescribeChange(change), ") depends on no uploaded charm"));
}

void SetRelation(const std::string& a, const std::string& b, skein::v1::BundleRelation* out) {
  out->set_a(a);
  out->set_b(b);
}

}  // namespace

absl::StatusOr<std::vector<skein::v1::PlanChange>> ToPlanChanges(
    const bundles::Plan& plan, const std::map<std::string, std::string>& sha256_by_upload) {
  std::vector<skein::v1::PlanChange> out;
  for (const bundles::Change& change : plan.changes) {
    if (change.kind() == ChangeKind::kUploadCharm) continue;
    skein::v1::PlanChange pc;
    pc.set_id(change.id);
    // Upload changes stay on the client: the controller never sees them as dependencies.
    for (const std::string& dep : change.depends_on) {
      const bundles::Change* d = plan.Find(dep);
      if (d != nullptr && d->kind() == ChangeKind::kUploadCharm) continue;
      pc.add_depends_on(dep);
    }
    pc.set_description(bundles::DescribeChange(change));
    switch (change.kind()) {
      case ChangeKind::kUploadCharm:
        break;
      case ChangeKind::kDeployApplication: {
        const auto& d = std::get<bundles::DeployApplication>(change.args);
        auto sha = CharmSha256Of(plan, change, sha256_by_upload);
        if (!sha.ok()) return sha.status();
        skein::v1::DeployRequest* req = pc.mutable_deploy();
        req->set_application(d.application);
        req->set_charm_sha256(*sha);
        req->set_num_units(d.num_units);
        for (const auto& [k, v] : d.options) (*req->mutable_config())[k] = v;
        req->set_charm_origin(d.origin);
        req->set_channel(d.channel);
        req->set_revision(d.revision);
        req->set_trust(d.trust);
        break;
      }
      case ChangeKind::kRefreshApplication: {
        const auto& r = std::get<bundles::RefreshApplication>(change.args);
        auto sha = CharmSha256Of(plan, change, sha256_by_upload);
        if (!sha.ok()) return sha.status();
        skein::v1::RefreshChange* rc = pc.mutable_refresh();
        rc->set_application(r.application);
        rc->set_charm_sha256(*sha);
        rc->set_charm_origin(r.origin);
        rc->set_channel(r.channel);
        rc->set_revision(r.revision);
        rc->set_force(r.force);
        rc->set_force_units(r.force_units);
        for (const auto& [k, v] : r.config) (*rc->mutable_config())[k] = v;
        break;
      }
      case ChangeKind::kSetConfig: {
        const auto& s = std::get<bundles::SetConfig>(change.args);
        pc.mutable_set_config()->set_application(s.application);
        for (const auto& [k, v] : s.options) (*pc.mutable_set_config()->mutable_config())[k] = v;
        break;
      }
      case ChangeKind::kAddUnits: {
        const auto& u = std::get<bundles::AddUnits>(change.args);
        pc.mutable_add_units()->set_application(u.application);
        pc.mutable_add_units()->set_count(u.count);
        break;
      }
      case ChangeKind::kAddRelation: {
        const auto& r = std::get<bundles::AddRelation>(change.args).relation;
        SetRelation(r.a, r.b, pc.mutable_add_relation());
        break;
      }
      case ChangeKind::kRemoveRelation: {
        const auto& r = std::get<bundles::RemoveRelation>(change.args);
        SetRelation(r.provider, r.requirer, pc.mutable_remove_relation());
        break;
      }
      case ChangeKind::kRemoveApplication:
        pc.set_remove_application(std::get<bundles::RemoveApplication>(change.args).application);
        break;
      case ChangeKind::kWait: {
        const auto& w = std::get<bundles::WaitForApplications>(change.args);
        for (const std::string& app : w.applications) pc.mutable_wait()->add_applications(app);
        break;
      }
    }
    out.push_back(std::move(pc));
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> UploadPlanCharms(const bundles::Plan& plan,
                                                                    const CharmUploader& upload) {
  std::map<std::string, std::string> out;
  for (const bundles::Change* c : plan.OfKind(ChangeKind::kUploadCharm)) {
    auto sha = upload(*c);
    if (!sha.ok()) return sha.status();
    out[c->id] = *sha;
  }
  return out;
}

std::string ResolvedJson(const bundles::Plan& plan) {
  nlohmann::json apps = nlohmann::json::object();
  for (const auto& [name, charm] : plan.charms) {
    apps[name] = {{"charm", charm.name}, {"origin", charm.origin}, {"channel", charm.channel},
                  {"revision", charm.revision}};
  }
  return nlohmann::json{{"applications", apps}}.dump();
}

std::optional<std::string> ProgressLine(const skein::v1::PlanProgress& progress,
                                        const std::map<std::string, std::string>& descriptions) {
  if (progress.change_id().empty()) {
    if (!progress.resumed()) return std::nullopt;
    std::string line = absl::StrCat("Resuming job ", progress.job());
    if (progress.deployment_revision() > 0) absl::StrAppend(&line, " (revision ", progress.deployment_revision(), ")");
    return absl::StrCat(line, ": changes already done are not done again");
  }
  auto d = descriptions.find(progress.change_id());
  std::string named = absl::StrCat("- ", progress.change_id());
  if (d != descriptions.end()) absl::StrAppend(&named, ": ", d->second);
  switch (progress.state()) {
    case skein::v1::PlanProgress::DONE:
      return absl::StrCat(named, " ... done");
    case skein::v1::PlanProgress::FAILED:
      return absl::StrCat(named, " ... failed");
    case skein::v1::PlanProgress::RUNNING:
      // Only a wait says more while it runs: what it still waits for.
      if (progress.message().empty()) return std::nullopt;
      return absl::StrCat("  ", progress.change_id(), ": ", progress.message());
    default:
      return std::nullopt;
  }
}

std::string FailedChangeMessage(const std::string& change_id, const std::string& description, const std::string& why,
                                bool deployment) {
  std::string msg = absl::StrCat("change ", change_id);
  if (!description.empty()) absl::StrAppend(&msg, " (", description, ")");
  absl::StrAppend(&msg, " failed: ", why);
  if (deployment) {
    absl::StrAppend(&msg, "\nthe changes before it are done; fix the cause, then re-run the same command (or add "
                          "--resume) to continue from there");
  }
  return msg;
}

absl::StatusOr<AppliedPlan> ApplyPlan(Environment& env, Session& session, const skein::v1::ApplyPlanRequest& request,
                                      const std::map<std::string, std::string>& known_descriptions) {
  std::map<std::string, std::string> descriptions = known_descriptions;
  for (const auto& c : request.changes()) descriptions[c.id()] = c.description();
  grpc::ClientContext ctx;
  // No deadline: waits between the steps of an upgrade run on the controller for as long as
  // they take, and the job goes on there if this client goes away.
  session.connection->Prepare(&ctx, std::chrono::milliseconds(0));
  auto reader = session.connection->stub().ApplyPlan(&ctx, request);
  AppliedPlan applied;
  skein::v1::PlanProgress progress;
  std::optional<skein::v1::PlanProgress> failed;
  std::string last_line;
  while (reader->Read(&progress)) {
    if (progress.job() != 0) applied.job = progress.job();
    if (progress.deployment_revision() != 0) applied.deployment_revision = progress.deployment_revision();
    if (progress.resumed()) applied.resumed = true;
    if (progress.state() == skein::v1::PlanProgress::FAILED) failed = progress;
    if (auto line = ProgressLine(progress, descriptions); line && *line != last_line) {
      *env.err << *line << "\n";
      env.err->flush();
      last_line = *line;
    }
  }
  grpc::Status end = reader->Finish();
  if (failed) {
    auto d = descriptions.find(failed->change_id());
    return absl::FailedPreconditionError(FailedChangeMessage(
        failed->change_id(), d == descriptions.end() ? "" : d->second,
        failed->message().empty() ? end.error_message() : failed->message(), !request.deployment().empty()));
  }
  if (!end.ok()) return session.connection->Error(end);
  return applied;
}

}  // namespace skein::cli::commands
