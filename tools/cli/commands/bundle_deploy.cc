#include "tools/cli/commands/bundle_deploy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/base/file_read.h"
#include "lib/base/sha256.h"
#include "lib/charm/config.h"
#include "nlohmann/json.hpp"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/client/charm_upload.h"
#include "tools/cli/commands/common.h"
#include "tools/cli/commands/plan_apply.h"
#include "tools/cli/commands/settle.h"

namespace skein::cli::commands {
namespace {

namespace fs = std::filesystem;

absl::Status Prefixed(const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat("cannot deploy bundle: ", s.message()));
}

absl::StatusOr<bundles::SourceFile> ReadSource(const std::string& path) {
  auto text = ReadFileCapped(path, limits::kYamlInput, FileKinds::kAnyReadable);
  if (absl::IsNotFound(text.status())) {
    return absl::NotFoundError(absl::StrCat("cannot read \"", path, "\": no such file or directory"));
  }
  if (!text.ok()) return text.status();
  return bundles::SourceFile{std::move(*text), fs::absolute(path).parent_path().lexically_normal().string(), path};
}

}  // namespace

absl::StatusOr<bundles::ModelDescription> ReadModelDescription(Session& session, const std::string& deployment) {
  skein::v1::GetStatusRequest req;
  req.set_model(session.model());
  auto status = session.connection->Call(&skein::v1::Controller::StubInterface::GetStatus, req);
  if (!status.ok()) return status.status();
  bundles::ModelDescription model;
  for (const auto& app : status->applications()) {
    bundles::ModelApplication a;
    a.name = app.name();
    a.charm = app.charm_name();
    a.charm_origin = app.charm_origin().empty() ? "charmhub" : app.charm_origin();
    a.channel = app.charm_channel();
    a.revision = app.charm_rev();
    a.charm_sha256 = app.charm_sha256();
    a.num_units = app.scale() > 0 ? app.scale() : app.units_size();
    a.managed = !deployment.empty() && app.deployment() == deployment;
    skein::v1::GetConfigRequest creq;
    creq.set_model(session.model());
    creq.set_application(app.name());
    auto config = session.connection->Call(&skein::v1::Controller::StubInterface::GetConfig, creq);
    if (!config.ok()) return config.status();
    for (const auto& opt : config->options()) {
      if (opt.source() != "user") continue;
      nlohmann::json value = nlohmann::json::parse(opt.value_json(), nullptr, /*allow_exceptions=*/false);
      if (value.is_discarded()) value = opt.value_json();
      a.options[opt.name()] = value;
      if (!opt.set_by_bundle()) a.hand_set_options.insert(opt.name());
    }
    model.applications.push_back(std::move(a));
  }
  for (const auto& rel : status->relations()) {
    if (rel.type() == "peer") continue;
    model.relations.push_back(bundles::ModelRelation{rel.provider(), rel.requirer(), rel.interface()});
  }
  return model;
}

absl::StatusOr<std::unique_ptr<bundles::Store>> OpenStore(const Environment& env,
                                                          const std::vector<std::string>& store_dirs) {
  std::vector<std::string> dirs = store_dirs;
  dirs.insert(dirs.end(), env.store_path.begin(), env.store_path.end());
  return bundles::Store::Open(dirs);
}

bool IsBundle(const std::string& arg, const bundles::Store& store) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) return !client::IsCharmArchive(arg);
  return !client::IsLocalPath(arg) && store.HasBundle(arg);
}

absl::StatusOr<bundles::ResolvedCharm> LocalCharmForPlan(const std::string& path, client::LocalCharm* loaded) {
  auto local = client::LoadLocalCharm(path);
  if (!local.ok()) return local.status();
  bundles::ResolvedCharm c;
  c.name = local->name;
  c.origin = "local";
  c.metadata = local->metadata;
  c.config = local->config;
  auto sha = Sha256OfFile(local->archive.path());
  if (!sha.ok()) return sha.status();
  c.archive_sha256 = std::move(*sha);
  if (loaded != nullptr) *loaded = std::move(*local);
  return c;
}

absl::StatusOr<BundleSources> ReadBundleSources(const bundles::Store& store, const std::string& bundle,
                                                const std::string& channel, std::optional<int64_t> revision,
                                                const std::vector<std::string>& overlays, std::ostream* progress) {
  BundleSources out;
  std::error_code ec;
  if (fs::is_regular_file(bundle, ec)) {
    if (!channel.empty() || revision) {
      return absl::InvalidArgumentError("--channel and --revision apply to store bundles, not bundle files");
    }
    auto source = ReadSource(bundle);
    if (!source.ok()) return source.status();
    out.base = std::move(*source);
    out.name = fs::path(bundle).filename().string();
  } else {
    auto release = store.ResolveBundle(bundle, channel, revision);
    if (!release.ok()) return release.status();
    out.base.text = release->content;
    out.base.dir = fs::current_path().string();
    out.name = bundle;
    out.channel = release->channel;
    out.store_revision = release->revision;
    if (progress != nullptr) {
      *progress << "Located bundle \"" << bundle << "\" in the store, revision " << release->revision << "\n";
    }
  }
  for (const auto& path : overlays) {
    auto source = ReadSource(path);
    if (!source.ok()) return source.status();
    out.overlays.push_back(std::move(*source));
  }
  return out;
}

namespace {

// The caps on each application's options (lib/charm/config.h), and on all of them together: they
// travel to the controller in one request.
absl::Status CheckBundleConfigSizes(const bundles::Bundle& bundle) {
  size_t total = 0;
  for (const auto& [name, app] : bundle.applications) {
    if (auto s = charm::CheckConfigSizes(app.options); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("application \"", name, "\": ", s.message()));
    }
    for (const auto& [key, value] : app.options) total += key.size() + value.size();
  }
  return limits::CheckSize(limits::kBundleConfig, "the applications' config", total);
}

}  // namespace

absl::StatusOr<std::string> UploadCharmOf(client::Connection& connection, const bundles::ResolvedCharm& charm,
                                          const client::LocalCharm* local) {
  if (local != nullptr) return client::UploadCharm(connection, local->archive.path());
  auto packed = client::PackCharmFiles(charm.files);
  if (!packed.ok()) return packed.status();
  return client::UploadCharm(connection, packed->path());
}

std::string JoinBundleDocuments(const BundleSources& sources) {
  std::string out = sources.base.text;
  for (const auto& overlay : sources.overlays) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    absl::StrAppend(&out, "---\n", overlay.text);
  }
  return out;
}

bundles::CharmSource PlanSource(const bundles::Store& store, std::map<std::string, client::LocalCharm>* local_charms) {
  bundles::CharmSource source;
  source.resolve = [&store, local_charms](const bundles::Application& app) -> absl::StatusOr<bundles::ResolvedCharm> {
    if (!app.charm_path.empty()) return LocalCharmForPlan(app.charm_path, &(*local_charms)[app.name]);
    return store.ResolveCharm(app.charm, app.channel, app.revision);
  };
  // A charm the store does not know (a local charm) declares no path.
  source.upgrade_path = [&store](const std::string& charm) -> absl::StatusOr<std::optional<bundles::UpgradePath>> {
    auto path = store.UpgradePathOf(charm);
    if (absl::IsNotFound(path.status())) return std::optional<bundles::UpgradePath>();
    return path;
  };
  return source;
}

absl::StatusOr<std::vector<skein::v1::DeploymentRevision>> ReadDeploymentHistory(Session& session,
                                                                                 const std::string& deployment) {
  skein::v1::DeploymentHistoryRequest req;
  req.set_model(session.model());
  req.set_deployment(deployment);
  auto resp = session.connection->Call(&skein::v1::Controller::StubInterface::DeploymentHistory, req);
  if (absl::IsNotFound(resp.status())) return std::vector<skein::v1::DeploymentRevision>{};
  if (!resp.ok()) return resp.status();
  return std::vector<skein::v1::DeploymentRevision>(resp->revisions().begin(), resp->revisions().end());
}

namespace {

bool Unfinished(const skein::v1::DeploymentRevision& rev) {
  return rev.status() == "failed" || absl::StartsWith(rev.status(), "pending-");
}

// Continues the deployment's unfinished revision: the controller runs its stored changes from
// the first one not done; nothing is planned or uploaded again.
absl::Status ResumeRevision(Environment& env, Session& session, const BundleTarget& target,
                            const skein::v1::DeploymentRevision& last, const ApplyBundleOptions& o) {
  *env.err << "Revision " << last.revision() << " of deployment \"" << target.name << "\" did not finish ("
           << last.status() << "): " << (o.dry_run ? "it would continue" : "continuing")
           << " from its first change not done\n";
  *env.out << last.plan_text();
  env.out->flush();
  if (o.dry_run) return absl::OkStatus();
  skein::v1::ApplyPlanRequest req;
  req.set_model(session.model());
  req.set_deployment(target.name);
  req.set_bundle_channel(last.channel());
  req.set_bundle_revision(last.bundle_revision());
  req.set_bundle_yaml(last.bundle_yaml());
  req.set_resume(true);
  std::map<std::string, std::string> descriptions;
  for (const auto& c : last.changes()) descriptions[c.id()] = c.description();
  auto applied = ApplyPlan(env, session, req, descriptions);
  if (!applied.ok()) return applied.status();
  *env.err << "Deploy of bundle completed.\n";
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyBundle(Environment& env, Session& session, const BundleTarget& target,
                         const bundles::CharmSource& source,
                         const std::map<std::string, client::LocalCharm>& local_charms,
                         const ApplyBundleOptions& o) {
  auto history = ReadDeploymentHistory(session, target.name);
  if (!history.ok()) return history.status();
  const skein::v1::DeploymentRevision* last = history->empty() ? nullptr : &history->back();
  const bool unfinished = last != nullptr && Unfinished(*last);
  if (o.resume && !unfinished) {
    return absl::FailedPreconditionError(absl::StrCat("nothing to resume: deployment \"", target.name, "\" ",
                                                      last == nullptr ? "has no revision"
                                                                      : absl::StrCat("revision ", last->revision(),
                                                                                     " is ", last->status())));
  }
  if (unfinished && (o.resume || (o.auto_resume && last->bundle_yaml() == target.bundle_yaml &&
                                  last->channel() == target.channel))) {
    if (absl::Status s = ResumeRevision(env, session, target, *last, o); !s.ok()) return s;
  } else {
    // The controller records which deployment created each application (a rollback that
    // re-deploys one makes it the deployment's again).
    auto model = ReadModelDescription(session, target.name);
    if (!model.ok()) return model.status();
    bundles::PlanOptions plan_options;
    plan_options.prune = o.prune;
    plan_options.upgrade_path = source.upgrade_path;
    plan_options.force = o.force;
    auto plan = bundles::MakePlan(target.bundle, source.resolve, *model, plan_options);
    if (!plan.ok()) return Prefixed(plan.status());

    // A fresh deploy is one transaction on the controller: its units together are one
    // request's worth.
    int64_t units = 0;
    for (const bundles::Change* c : plan->OfKind(bundles::ChangeKind::kDeployApplication)) {
      units += std::get<bundles::DeployApplication>(c->args).num_units;
    }
    if (absl::Status s = limits::CheckUnitsPerRequest(units); !s.ok()) return Prefixed(s);

    if (plan->changes.empty()) {
      *env.err << "Nothing to do.\n";
      *env.out << bundles::FormatPlan(*plan, "");
      if (o.dry_run || !o.wait) return absl::OkStatus();
    } else {
      const std::string plan_text = bundles::FormatPlan(*plan, "Executing changes:");
      *env.out << (o.dry_run ? bundles::FormatPlan(*plan, "Changes to deploy bundle:") : plan_text);
      env.out->flush();
      if (o.dry_run) return absl::OkStatus();

      // A local charm is uploaded from the archive of the application that uses it.
      std::map<std::string, std::string> application_of_upload;
      for (const bundles::Change& c : plan->changes) {
        std::string app;
        if (c.kind() == bundles::ChangeKind::kDeployApplication) {
          app = std::get<bundles::DeployApplication>(c.args).application;
        } else if (c.kind() == bundles::ChangeKind::kRefreshApplication) {
          app = std::get<bundles::RefreshApplication>(c.args).application;
        }
        for (const std::string& dep : c.depends_on) application_of_upload.emplace(dep, app);
      }
      auto shas = UploadPlanCharms(*plan, [&](const bundles::Change& upload) -> absl::StatusOr<std::string> {
        const bundles::ResolvedCharm& charm = std::get<bundles::UploadCharm>(upload.args).charm;
        const client::LocalCharm* local = nullptr;
        if (charm.origin == "local") {
          auto it = local_charms.find(application_of_upload[upload.id]);
          if (it != local_charms.end()) local = &it->second;
        }
        return UploadCharmOf(*session.connection, charm, local);
      });
      if (!shas.ok()) return Prefixed(shas.status());
      auto changes = ToPlanChanges(*plan, *shas);
      if (!changes.ok()) return Prefixed(changes.status());

      skein::v1::ApplyPlanRequest req;
      req.set_model(session.model());
      req.set_deployment(target.name);
      req.set_bundle_channel(target.channel);
      req.set_bundle_revision(target.store_revision);
      req.set_bundle_yaml(target.bundle_yaml);
      for (const auto& overlay : target.overlays_yaml) req.add_overlays_yaml(overlay);
      for (auto& c : *changes) *req.add_changes() = std::move(c);
      std::string description = o.description;
      if (description.empty()) {
        description = history->empty()         ? "Install complete"
                      : target.channel.empty() ? "Upgrade complete"
                                               : absl::StrCat("Upgrade to ", target.channel);
      }
      req.set_description(description);
      req.set_rollback(o.rollback);
      req.set_plan_text(plan_text);
      req.set_resolved_json(ResolvedJson(*plan));
      auto applied = ApplyPlan(env, session, req);
      if (!applied.ok()) return applied.status();
      *env.err << "Deploy of bundle completed.\n";
    }
  }
  if (!o.wait || o.dry_run) return absl::OkStatus();
  SettleOptions settle;
  settle.workloads = {"active", "blocked"};
  for (const auto& [name, app] : target.bundle.applications) settle.applications.insert(name);
  settle.timeout = *o.wait;
  return WaitUntilSettled(env, session, settle);
}

absl::Status DeployBundle(Environment& env, const bundles::Store& store, const BundleDeployOptions& o) {
  auto sources = ReadBundleSources(store, o.bundle, o.channel, o.revision, o.overlays, env.err);
  if (!sources.ok()) return sources.status();
  auto bundle = bundles::ParseBundle(sources->base, sources->overlays);
  if (!bundle.ok()) return Prefixed(bundle.status());
  if (auto s = CheckBundleConfigSizes(*bundle); !s.ok()) return Prefixed(s);

  std::map<std::string, client::LocalCharm> local_charms;
  auto session = Connect(env, o.model);
  if (!session.ok()) return session.status();
  BundleTarget target;
  target.name = sources->name;
  target.channel = sources->channel;
  target.store_revision = sources->store_revision;
  target.bundle_yaml = JoinBundleDocuments(*sources);
  for (const auto& overlay : sources->overlays) target.overlays_yaml.push_back(overlay.text);
  target.bundle = std::move(*bundle);
  return ApplyBundle(env, *session, target, PlanSource(store, &local_charms), local_charms, o.apply);
}

}  // namespace skein::cli::commands
