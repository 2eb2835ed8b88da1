// `skein refresh`: an application moves to another charm (a local one, or a store revision on a
// channel) in one transaction.

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/domain/application/application_service.h"
#include "controller/domain/application/internal.h"
#include "controller/domain/core/lifecycle.h"
#include "controller/domain/core/rows.h"
#include "controller/domain/core/sql.h"
#include "lib/charm/config.h"

namespace skein::controller::domain::application {
namespace {

// Juju's Endpoint.ImplementedBy: the new charm declares the endpoint with the same role and
// interface.
bool ImplementedBy(const EndpointRow& endpoint, const charm::Metadata& metadata) {
  const charm::Endpoint* declared = metadata.FindEndpoint(endpoint.endpoint);
  return declared != nullptr && declared->interface == endpoint.interface &&
         declared->role == endpoint.role;
}

}  // namespace

absl::StatusOr<RefreshResult> RefreshInTx(Tx& tx, const RefreshArgs& args) {
  const UploadedCharm& charm = args.charm;
  auto model = FindModel(tx, args.model);
  if (!model.ok()) return model.status();
  auto app = FindApp(tx, model->id, args.application);
  if (!app.ok()) return app.status();
  if (app->life != Life::kAlive) return absl::FailedPreconditionError(NotAlive(app->name));
  if (charm.metadata.name != app->charm_name) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot refresh \"", app->name, "\" to \"", charm.metadata.name, "\": the application runs charm \"",
        app->charm_name, "\"; refresh it with a charm of that name, or deploy \"", charm.metadata.name,
        "\" as a new application"));
  }
  if (charm.metadata.subordinate) return absl::FailedPreconditionError("subordinate charms are not supported yet");

  RefreshResult result;
  const bool local = args.charm_origin.empty() || args.charm_origin == "local";
  if (local) {
    result.revision = NextLocalRevision(tx, model->id, charm.metadata.name);
    result.charm_url = absl::StrCat("local:", charm.metadata.name, "-", result.revision);
  } else {
    result.revision = args.revision;
    result.charm_url = absl::StrCat("ch:", charm.metadata.name, "-", args.revision);
    if (result.charm_url == app->charm_url && args.channel == app->channel && args.config.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("charm \"", app->name, "\": already up-to-date"));
    }
  }
  std::vector<RelationRow> relations = RelationsOfApp(tx, app->id);
  std::vector<std::string> broken;
  for (const RelationRow& r : relations) {
    if (r.life != Life::kAlive || args.force) continue;
    const EndpointRow* local_end = r.Local(app->id);
    if (local_end != nullptr && !ImplementedBy(*local_end, charm.metadata)) {
      // Each relation with the command that removes it, so that the refusal says what to do.
      broken.push_back(absl::StrCat("would break relation \"", r.key, "\" (remove it first with: skein remove-relation ",
                                    r.key, ")"));
    }
  }
  if (!broken.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("cannot upgrade application \"", app->name, "\" to charm \"",
                                                      result.charm_url, "\": ", absl::StrJoin(broken, ", "),
                                                      ", or refresh with --force"));
  }

  // A store revision another application of the model already runs has its charm row.
  int64_t charm_id =
      local ? 0 : sql::QueryInt(tx.db(), 0, "SELECT id FROM charms WHERE model_id = ? AND url = ?", model->id, result.charm_url);
  if (charm_id == 0) {
    charm_id = InsertCharm(tx, model->id, result.charm_url, local ? "local" : "charmhub", result.revision, charm);
  }
  const nlohmann::json settings = charm::FilterSettings(charm.config, app->config);
  sql::Exec(tx.db(),
            "UPDATE applications SET charm_id = ?, charm_origin = ?, channel = ?, config_json = ?, "
            "force_charm_upgrade = ? WHERE id = ?",
            charm_id, std::string(local ? "local" : "charmhub"), local ? std::string() : args.channel,
            settings.dump(), args.force_units ? 1 : 0, app->id);
  if (!args.config.empty()) {
    if (absl::Status s = SetConfigInTx(tx, args.model, args.application, args.config, {}, ConfigSetter::kUser); !s.ok()) return s;
  }
  // A peer endpoint the old charm did not have gets its relation, as at deploy.
  for (const auto& [name, endpoint] : charm.metadata.endpoints) {
    if (endpoint.role != charm::Role::kPeers) continue;
    bool exists = false;
    for (const RelationRow& r : relations) {
      const EndpointRow* local = r.Local(app->id);
      exists = exists || (r.is_peer && local != nullptr && local->endpoint == name);
    }
    if (exists) continue;
    auto created = CreateRelation(
        tx, model->id, {EndpointRow{app->id, app->name, name, charm::Role::kPeers, endpoint.interface, endpoint.scope}});
    if (!created.ok()) return created.status();
  }
  tx.Touch(AppKey(app->id));
  tx.Record(model->id, "application", app->name, "refresh");
  return result;
}

absl::StatusOr<RefreshResult> ApplicationService::Refresh(const RefreshArgs& args) {
  RefreshResult result;
  absl::Status s = db_->Write("refresh", [&](Tx& tx) -> absl::Status {
    auto refreshed = RefreshInTx(tx, args);
    if (!refreshed.ok()) return refreshed.status();
    result = std::move(*refreshed);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return result;
}

}  // namespace skein::controller::domain::application
