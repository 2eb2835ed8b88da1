#include "tools/cli/commands/bundle_deploy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/base/limits.h"
#include "lib/base/file_read.h"
#include "lib/charm/config.h"
#include "nlohmann/json.hpp"
#include "tools/cli/client/charm_dir.h"
#include "tools/cli/client/charm_upload.h"
#include "tools/cli/commands/common.h"

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

absl::Status DeployBundle(Environment& env, const bundles::Store& store, const BundleDeployOptions& o) {
  auto sources = ReadBundleSources(store, o.bundle, o.channel, o.revision, o.overlays, env.err);
  if (!sources.ok()) return sources.status();
  auto bundle = bundles::ParseBundle(sources->base, sources->overlays);
  if (!bundle.ok()) return Prefixed(bundle.status());
  if (auto s = CheckBundleConfigSizes(*bundle); !s.ok()) return Prefixed(s);

  std::map<std::string, client::LocalCharm> local_charms;
  bundles::CharmResolver resolve = [&](const bundles::Application& app) -> absl::StatusOr<bundles::ResolvedCharm> {
    if (!app.charm_path.empty()) return LocalCharmForPlan(app.charm_path, &local_charms[app.name]);
    return store.ResolveCharm(app.charm, app.channel, app.revision);
  };

  auto session = Connect(env, o.model);
  if (!session.ok()) return session.status();
  auto model = ReadModelDescription(*session, sources->name);
  if (!model.ok()) return model.status();
  auto plan = bundles::MakePlan(*bundle, resolve, *model);
  if (!plan.ok()) return Prefixed(plan.status());

  // Every application the plan deploys is written in one transaction: its units together are
  // one request's worth.
  int64_t units = 0;
  for (const bundles::Change* c : plan->OfKind(bundles::ChangeKind::kDeployApplication)) {
    units += std::get<bundles::DeployApplication>(c->args).num_units;
  }
  if (absl::Status s = limits::CheckUnitsPerRequest(units); !s.ok()) return Prefixed(s);

  if (plan->changes.empty()) {
    *env.err << "Nothing to do.\n";
    *env.out << bundles::FormatPlan(*plan, "");
    return absl::OkStatus();
  }
  // The controller applies new applications and relations in one transaction; the other kinds
  // (refresh, config, units, removals) need the step-by-step apply that is not built yet, so a
  // plan with any of them is shown and refused rather than applied in part.
  std::vector<std::string> unsupported;
  for (const bundles::Change& c : plan->changes) {
    const bundles::ChangeKind kind = c.kind();
    if (kind != bundles::ChangeKind::kUploadCharm && kind != bundles::ChangeKind::kDeployApplication &&
        kind != bundles::ChangeKind::kAddRelation) {
      unsupported.push_back(bundles::DescribeChange(c));
    }
  }
  *env.out << bundles::FormatPlan(*plan, o.dry_run || !unsupported.empty() ? "Changes to deploy bundle:" : "Executing changes:");
  env.out->flush();
  if (o.dry_run) return absl::OkStatus();
  if (!unsupported.empty()) {
    return Prefixed(absl::UnimplementedError(absl::StrCat("applying this plan needs ", unsupported.size(),
                                                          " change(s) skein cannot apply to a running model yet, the "
                                                          "first: ",
                                                          unsupported.front())));
  }

  skein::v1::DeployBundleRequest req;
  req.set_model(session->model());
  for (const bundles::Change* c : plan->OfKind(bundles::ChangeKind::kDeployApplication)) {
    const auto& deploy = std::get<bundles::DeployApplication>(c->args);
    const bundles::ResolvedCharm& charm = plan->charms.at(deploy.application);
    skein::v1::DeployRequest* d = req.add_applications();
    d->set_application(deploy.application);
    auto local = local_charms.find(deploy.application);
    auto sha256 = UploadCharmOf(*session->connection, charm, local == local_charms.end() ? nullptr : &local->second);
    if (!sha256.ok()) return Prefixed(sha256.status());
    d->set_charm_sha256(*sha256);
    d->set_num_units(deploy.num_units);
    for (const auto& [k, v] : deploy.options) (*d->mutable_config())[k] = v;
    d->set_charm_origin(deploy.origin);
    d->set_channel(deploy.channel);
    d->set_revision(deploy.revision);
  }
  for (const bundles::Change* c : plan->OfKind(bundles::ChangeKind::kAddRelation)) {
    const bundles::RelationPlan& r = std::get<bundles::AddRelation>(c->args).relation;
    skein::v1::BundleRelation* rel = req.add_relations();
    rel->set_a(r.a);
    rel->set_b(r.b);
  }
  req.set_bundle_name(sources->name);
  req.set_bundle_channel(sources->channel);
  req.set_bundle_revision(sources->store_revision);
  req.set_bundle_yaml(sources->base.text);
  auto resp = session->connection->Call(&skein::v1::Controller::StubInterface::DeployBundle, req);
  if (!resp.ok()) return Prefixed(resp.status());
  *env.err << "Deploy of bundle completed.\n";
  return absl::OkStatus();
}

}  // namespace skein::cli::commands
